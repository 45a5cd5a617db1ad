"""A Discord send whose answer was lost after it went out: the real discord.py client
against the fake, which posts the message and then closes the connection or never
answers. Discord may have posted it, so the failure is ``maybe_delivered`` and the
outbox retries it only after ``outbox.unanswered_retry_delay``; a send that certainly
failed (Discord answered 500, nobody listening) is not, and retries on the backoff."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path

import discord
import pytest

from bots.app import App
from channels.base import DeliveryError, Reply
from channels.discord import DiscordAdapter
from tests.builders import eventually
from tests.discord.test_e2e import config
from tests.fakes.discord import SUPPORT, FakeDiscord


async def test_a_send_whose_connection_closed_after_posting_may_have_been_delivered(
    adapter: DiscordAdapter, dc: FakeDiscord
) -> None:
    dc.lose_answers(SUPPORT)
    with pytest.raises(DeliveryError) as raised:
        await adapter.perform(Reply(chat_id=SUPPORT, text="posted, unanswered"))
    assert raised.value.maybe_delivered and not raised.value.permanent
    assert dc.texts(SUPPORT) == ["posted, unanswered"]  # the channel has it
    assert await adapter.perform(Reply(chat_id=SUPPORT, text="next")) is not None
    assert dc.texts(SUPPORT) == ["posted, unanswered", "next"]


async def test_a_send_left_unanswered_past_the_timeout_may_have_been_delivered(
    adapter: DiscordAdapter, dc: FakeDiscord
) -> None:
    dc.lose_answers(SUPPORT, unanswered=True)
    with pytest.raises(DeliveryError, match="no answer in time") as raised:
        await adapter.perform(Reply(chat_id=SUPPORT, text="posted, never answered"))
    assert raised.value.maybe_delivered
    assert dc.texts(SUPPORT) == ["posted, never answered"]


async def test_a_timeout_after_discord_answered_500_is_a_certain_failure(
    adapter: DiscordAdapter, dc: FakeDiscord
) -> None:
    dc.fail_rate = 1.0  # discord.py waits a second and asks again: the timeout strikes then
    with pytest.raises(DeliveryError, match="no answer in time") as raised:
        await adapter.perform(Reply(chat_id=SUPPORT, text="refused"))
    assert not raised.value.maybe_delivered  # every request was answered: nothing posted
    assert any(c.status == 500 for c in dc.calls) and dc.sent(SUPPORT) == []


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # nobody listens there once it is closed


async def test_a_send_that_could_not_connect_is_a_certain_failure(
    adapter: DiscordAdapter, dc: FakeDiscord
) -> None:
    base = discord.http.Route.BASE
    discord.http.Route.BASE = f"http://127.0.0.1:{closed_port()}/api/v10"  # the REST API gone
    try:
        with pytest.raises(DeliveryError) as raised:
            await adapter.perform(Reply(chat_id=SUPPORT, text="never left"))
    finally:
        discord.http.Route.BASE = base
    assert not raised.value.maybe_delivered and not raised.value.permanent
    assert "ClientConnectorError" in raised.value.reason and dc.sent(SUPPORT) == []


async def test_the_outbox_retries_a_lost_answer_only_after_its_delay(
    tmp_path: Path, dc: FakeDiscord
) -> None:
    async with App(config(tmp_path, dc, outbox={"unanswered_retry_delay": 600})) as bot:
        assert bot.store is not None
        store = bot.store
        channel = dc.dm_channel("42")
        dc.lose_answers(channel)
        asked = datetime.now(UTC)
        dc.dm("42", "/help")
        await dc.wait_sent(1, channel_id=channel)  # the user has the reply

        async def rows() -> list[object]:
            return [r for r in await store.outbox("pending") if r.last_error]

        (row,) = await eventually(rows, bool)
        # not the backoff's second or so: the user may have it, so the retry waits
        assert row.attempts == 1 and row.next_attempt_at is not None
        retry_at = row.next_attempt_at.replace(tzinfo=row.next_attempt_at.tzinfo or UTC)
        assert retry_at >= asked + timedelta(seconds=600)
        assert len(dc.sent(channel)) == 1
