"""Broadcasts on Discord: the real discord.py client against the fake REST API and
gateway; a channel post and the DMs of users who subscribed with /subscribe."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bots.app import App
from bots.config import parse_config
from handlers.broadcasts.notice import parse_notice
from storage.subscriptions import SubscriptionStore
from tests.broadcasts.test_telegram import finished
from tests.fakes.discord import GUILD, SUPPORT, FakeDiscord


@pytest.fixture
async def bot(tmp_path: Path, dc: FakeDiscord) -> AsyncIterator[App]:
    config = parse_config(
        {
            "database": {"url": f"sqlite:///{tmp_path / 'bot.db'}"},
            "server": {"port": 0},
            "webchat": {"enabled": False},
            "bot": {"languages": ["en", "de"]},
            "broadcasts": {"require_approval": False},  # sent at once; approval: test_api
            "discord": {
                "enabled": True,
                **dc.settings,
                "guild_ids": [int(GUILD)],
            },
        }
    )
    app = App(config)
    await app.start()
    await dc.wait_ready()
    yield app
    await app.stop()


async def test_a_notice_goes_to_a_channel_and_to_subscribers_dms(bot: App, dc: FakeDiscord) -> None:
    assert bot.broadcaster is not None and bot.store is not None
    for user in ("42", "43"):
        dc.dm(user, "/subscribe")
        await dc.wait_sent(1, channel_id=dc.dm_channel(user))
    dc.blocked.add("43")  # blocked the bot after subscribing
    notice = parse_notice(
        {
            "title": "Maintenance",
            "text": {"en": "Deposits pause at 02:00 UTC for 30 minutes."},
            "buttons": [{"label": "Status page", "url": "https://status.example.com"}],
            "pin": True,
            "targets": {
                "discord": [{"chat": SUPPORT, "language": "en"}],
                "subscribers": {"channels": ["discord"]},
            },
        }
    )
    record, _ = await bot.broadcaster.create(notice, "mia")
    await bot.broadcaster.send(record.id)
    report = await finished(bot, record.id)
    (post,) = dc.sent(SUPPORT)
    assert post["content"].startswith("Deposits pause at 02:00 UTC")
    assert record.short_id in post["content"]
    button = post["components"][0]["components"][0]
    assert button["url"] == "https://status.example.com" and button["label"] == "Status page"
    assert dict(dc.pins) == {SUPPORT: {post["id"]}}  # pinned in the channel, not in DMs
    dm = dc.sent(dc.dm_channel("42"))[-1]
    assert dm["content"].startswith("Deposits pause")
    assert report.outcomes["delivered"] == 2 and report.outcomes["blocked"] == 1
    left = await SubscriptionStore(bot.store).list("discord")
    assert [s.chat_id for s in left] == [dc.dm_channel("42")]
