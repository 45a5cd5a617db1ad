"""The Discord staff channel as a desk: the real discord.py client against the fake; a
ticket is announced, claimed with its button, answered by replying to the announcement,
and resolved."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bots.api import token_hash
from bots.app import App, system_clock
from tests.builders import eventually
from tests.discord.test_e2e import start_bot
from tests.fakes.discord import STAFF, FakeDiscord

ANA, STRANGER, USER = "601", "603", "7"


@pytest.fixture
async def bot(tmp_path: Path, dc: FakeDiscord) -> AsyncIterator[App]:
    app = await start_bot(tmp_path, dc)
    assert app.tickets is not None
    await app.tickets.add_agent("ana", "agent", token_hash("token-ana"), system_clock())
    assert await app.tickets.link_account("ana", "discord", ANA)
    yield app
    await app.stop()


def custom_ids(sent: dict) -> list[str]:
    return [b["custom_id"] for row in sent["components"] for b in row["components"]]


async def test_a_ticket_is_claimed_answered_and_resolved_from_the_staff_channel(
    bot: App, dc: FakeDiscord
) -> None:
    dc.dm(USER, "/ticket my withdrawal is stuck")
    (announcement,) = await dc.wait_sent(1, channel_id=STAFF)
    assert "New ticket #1" in announcement["content"]
    assert custom_ids(announcement) == ["staff:claim:1"]

    dc.press(STAFF, STRANGER, "staff:claim:1", announcement["id"])
    not_linked = (await dc.wait_sent(2, channel_id=STAFF))[1]
    assert "Discord account (603) is not linked" in not_linked["content"]
    assert "--discord-user-id 603" in not_linked["content"]

    dc.press(STAFF, ANA, "staff:claim:1", announcement["id"])
    claimed = (await dc.wait_sent(3, channel_id=STAFF))[2]
    assert "#1 is ana's now" in claimed["content"] and custom_ids(claimed) == ["staff:resolve:1"]

    reference = {"message_id": announcement["id"], "channel_id": STAFF}
    dc.post(STAFF, ANA, "We found it: it is on its way.", message_reference=reference)
    to_user = dc.dm_channel(USER)
    sent = await dc.wait_sent(3, channel_id=to_user, within=15)  # ack, intake, the answer
    assert sent[-1]["content"] == "We found it: it is on its way."

    assert bot.tickets is not None
    tickets = bot.tickets

    async def transcript() -> list[tuple[str, str]]:
        ticket = await tickets.get(1)
        assert ticket is not None
        return [(m.sender_id, m.text) for m in ticket.transcript]

    said = await eventually(transcript, lambda t: ("agent:ana", sent[-1]["content"]) in t)
    assert ("agent:ana", "We found it: it is on its way.") in said

    dc.press(STAFF, ANA, "staff:resolve:1", claimed["id"])
    resolved = (await dc.wait_sent(4, channel_id=to_user, within=15))[3]
    assert "resolved" in resolved["content"] and custom_ids(resolved)[0] == "rate:1:1"
    ticket = await tickets.get(1)
    assert ticket is not None and ticket.status == "resolved"
