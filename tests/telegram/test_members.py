"""Telegram updates beyond messages: joins by chat_member, renames, channel posts.

The real python-telegram-bot against the fake Bot API, which (as Telegram) delivers
``chat_member`` updates only to a bot that names them in ``allowed_updates``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bots.app import App
from tests.fakes.telegram import FakeTelegram
from tests.telegram.test_e2e import GROUP, start_bot

IMPOSTOR = {"id": 41, "is_bot": False, "first_name": "Example", "last_name": "Support"}


@pytest.fixture
async def bot(tmp_path: Path, tg: FakeTelegram) -> AsyncIterator[App]:
    app = await start_bot(tmp_path, tg)
    yield app
    await app.stop()


async def updates(tg: FakeTelegram, **params: object) -> list[str]:
    """The update types a bot polling with ``params`` is given."""
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{tg.base_url}{tg.token}/getUpdates", json=params) as r,
    ):
        result = (await r.json())["result"]
    return [next(k for k in u if k != "update_id") for u in result]


async def test_the_fake_gives_chat_member_updates_only_to_a_bot_that_asks(
    tg: FakeTelegram,
) -> None:
    tg.member_update(GROUP, IMPOSTOR)
    tg.group(GROUP, 5, "hello")
    assert await updates(tg) == ["message"]  # Telegram's default leaves chat_member out
    assert await updates(tg, allowed_updates=["message"]) == ["message"]
    assert await updates(tg, allowed_updates=["chat_member"]) == ["chat_member"]
    assert await updates(tg) == ["chat_member"]  # the last list given stays in force


async def test_a_join_seen_only_as_a_chat_member_update_is_checked(
    bot: App, tg: FakeTelegram
) -> None:
    tg.member_update(GROUP, IMPOSTOR)
    (alert,) = await tg.wait_sent(1, chat_id=-999)
    assert "impersonator" in alert["text"] and "Example Support" in alert["text"]
    assert "chat_member" in tg.calls_to("getUpdates")[-1].params["allowed_updates"]


async def test_a_member_who_renames_into_staff_is_reported_when_they_speak(
    bot: App, tg: FakeTelegram
) -> None:
    tg.group(GROUP, 41, "hi all", name="Bob")
    tg.group(GROUP, 41, "DM me for help with withdrawals", name="Example Support")
    (alert,) = await tg.wait_sent(1, chat_id=-999)
    assert "impersonator" in alert["text"] and "Example Support" in alert["text"]
    assert "event: rename" in alert["text"]


async def test_a_scam_posted_in_a_channel_is_caught(bot: App, tg: FakeTelegram) -> None:
    posted = tg.channel_post(-100777, "🎁 Claim your bonus at https://examp1e-airdrop.com/claim")
    staff = await tg.wait_sent(1, chat_id=-999)
    assert "phishing_link" in staff[0]["text"] and "examp1e-airdrop.com" in staff[0]["text"]
    (notice,) = await tg.wait_sent(1, chat_id=-100777)
    assert "removed" in notice["text"]
    deleted = [int(c.params["message_id"]) for c in tg.calls_to("deleteMessage")]
    assert deleted == [posted["channel_post"]["message_id"]]
    assert tg.calls_to("restrictChatMember") == []  # a channel is not a member to mute
