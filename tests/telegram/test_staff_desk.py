"""The staff group as a desk, end to end: the real python-telegram-bot against the fake
Bot API; a ticket is announced, claimed with its button, answered by replying to the
announcement, and resolved."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bots.api import token_hash
from bots.app import App, system_clock
from storage.audit import AuditedDesk
from tests.fakes.telegram import FakeTelegram
from tests.settling import settled
from tests.telegram.test_e2e import start_bot

STAFF = -999
ANA, BEN, STRANGER, MIA, USER = 501, 502, 503, 504, 7


@pytest.fixture
async def bot(tmp_path: Path, tg: FakeTelegram) -> AsyncIterator[App]:
    app = await start_bot(tmp_path, tg)
    assert app.tickets is not None
    for name, user in (("ana", ANA), ("ben", BEN)):
        await app.tickets.add_agent(name, "agent", token_hash(f"token-{name}"), system_clock())
        assert await app.tickets.link_account(name, "telegram", str(user))
    yield app
    await app.stop()


def keys(sent: dict) -> list[str]:
    return [b["callback_data"] for row in sent["reply_markup"]["inline_keyboard"] for b in row]


async def test_a_ticket_is_claimed_answered_and_resolved_from_the_staff_group(
    bot: App,
    tg: FakeTelegram,
) -> None:
    tg.private(USER, "/ticket my withdrawal is stuck")
    (announcement,) = await tg.wait_sent(1, chat_id=STAFF)
    assert "New ticket #1" in announcement["text"] and "withdrawal is stuck" in announcement["text"]
    assert keys(announcement) == ["staff:claim:1"]
    posted = announcement["_message_id"]

    tg.press(STRANGER, STAFF, "staff:claim:1", message_id=posted)
    not_linked = (await tg.wait_sent(2, chat_id=STAFF))[1]
    assert "not linked" in not_linked["text"] and str(STRANGER) in not_linked["text"]

    tg.press(ANA, STAFF, "staff:claim:1", message_id=posted)
    claimed = (await tg.wait_sent(3, chat_id=STAFF))[2]
    assert "#1 is ana's now" in claimed["text"] and keys(claimed) == ["staff:resolve:1"]
    assert claimed["reply_parameters"]["message_id"] == posted  # threaded to the announcement
    tg.press(BEN, STAFF, "staff:claim:1", message_id=posted)
    assert "already taken" in (await tg.wait_sent(4, chat_id=STAFF))[3]["text"]

    tg.reply_to_bot(STAFF, BEN, "I can take this one", bot_message_id=posted)
    assert "ana's" in (await tg.wait_sent(5, chat_id=STAFF))[4]["text"]  # not ben's ticket
    tg.reply_to_bot(STAFF, ANA, "We found it: it is on its way.", bot_message_id=posted)
    sent = await tg.wait_sent(3, chat_id=USER, within=15)  # ack, intake question, the answer
    assert sent[2]["text"] == "We found it: it is on its way."
    assert all("I can take" not in s["text"] for s in sent)

    assert bot.tickets is not None
    for _ in range(100):  # the delivery is recorded a moment after it reaches the user
        ticket = await bot.tickets.get(1)
        assert ticket is not None
        said = [(m.sender_id, m.text) for m in ticket.transcript]
        if ("agent:ana", "We found it: it is on its way.") in said:
            break
        await asyncio.sleep(0.05)
    assert ("agent:ana", "We found it: it is on its way.") in said
    assert ticket.status == "pending" and ticket.assignee == "ana"

    tg.press(ANA, STAFF, "staff:resolve:1", message_id=claimed["_message_id"])
    resolved = (await tg.wait_sent(4, chat_id=USER, within=15))[3]
    assert "resolved" in resolved["text"] and keys(resolved)[0] == "rate:1:1"
    assert "resolved by ana" in (await tg.wait_sent(6, chat_id=STAFF))[5]["text"]
    ticket = await bot.tickets.get(1)
    assert ticket is not None and ticket.status == "resolved"
    # the audit log names who did each step, from the staff chat (the refusals: nothing)
    assert bot.store is not None
    history = await AuditedDesk(bot.store).history(1)
    assert [(h.agent_name, h.action, h.via) for h in history] == [
        ("ana", "claimed", "staff_chat"),
        ("ana", "answered", "staff_chat"),
        ("ana", "resolved", "staff_chat"),
    ]


async def test_replying_to_an_unclaimed_announcement_claims_it(
    bot: App,
    tg: FakeTelegram,
) -> None:
    tg.private(USER, "/ticket locked out")
    (announcement,) = await tg.wait_sent(1, chat_id=STAFF)
    chatter = tg.group(STAFF, BEN, "anyone free?")  # chatter in the staff group gets no answer
    reply = tg.reply_to_bot(
        STAFF, BEN, "Hi, I am looking at it.", bot_message_id=announcement["_message_id"]
    )
    claimed = (await tg.wait_sent(2, chat_id=STAFF))[1]
    assert "#1 is ben's now" in claimed["text"]
    answer = (await tg.wait_sent(3, chat_id=USER, within=15))[2]
    assert answer["text"] == "Hi, I am looking at it."
    await settled(bot, "telegram", STAFF, *(u["message"]["message_id"] for u in (chatter, reply)))
    assert len(tg.sent(STAFF)) == 2


async def test_a_manager_in_the_staff_group_works_no_tickets(bot: App, tg: FakeTelegram) -> None:
    assert bot.tickets is not None
    await bot.tickets.add_agent("mia", "manager", token_hash("token-mia"), system_clock())
    assert await bot.tickets.link_account("mia", "telegram", str(MIA))
    tg.private(USER, "/ticket my withdrawal is stuck")
    (announcement,) = await tg.wait_sent(1, chat_id=STAFF)
    posted = announcement["_message_id"]

    tg.press(MIA, STAFF, "staff:claim:1", message_id=posted)
    refused = (await tg.wait_sent(2, chat_id=STAFF))[1]
    assert "Managers send notices" in refused["text"]
    tg.reply_to_bot(STAFF, MIA, "Hello from the manager", bot_message_id=posted)
    assert "Managers send notices" in (await tg.wait_sent(3, chat_id=STAFF))[2]["text"]

    tg.press(ANA, STAFF, "staff:claim:1", message_id=posted)
    claimed = (await tg.wait_sent(4, chat_id=STAFF))[3]
    assert "#1 is ana's now" in claimed["text"]
    tg.press(MIA, STAFF, "staff:resolve:1", message_id=claimed["_message_id"])
    assert "Managers send notices" in (await tg.wait_sent(5, chat_id=STAFF))[4]["text"]
    ticket = await bot.tickets.get(1)
    assert ticket is not None and ticket.status == "open" and ticket.assignee == "ana"
    assert all("manager" not in s["text"] for s in tg.sent(USER))
