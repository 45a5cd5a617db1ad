"""Broadcasts on X: the real tweepy client against the fake X API. A notice becomes a
post on the account (a numbered thread when long); X subscribers get it by DM."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bots.app import App
from handlers.broadcasts.notice import parse_notice
from tests.broadcasts.support import add_subscribers
from tests.broadcasts.test_telegram import finished
from tests.fakes.x import FakeX
from tests.x.test_e2e import start_bot

SEND_DM = "POST /2/dm_conversations/with/:id/messages"


@pytest.fixture
async def bot(tmp_path: Path, x: FakeX) -> AsyncIterator[App]:
    # sent at once; approval has its own tests (test_api, test_cli)
    app = await start_bot(tmp_path, x, broadcasts={"require_approval": False})
    yield app
    await app.stop()


async def test_a_notice_is_posted_on_the_account_and_sent_to_x_subscribers(
    bot: App,
    x: FakeX,
) -> None:
    assert bot.broadcaster is not None and bot.store is not None
    await add_subscribers(bot.store, "x", ["dm:9001"], "en")
    long_text = " ".join(["NOVA lists on 1 December; deposits open an hour before."] * 8)
    notice = parse_notice(
        {
            "title": "NOVA listing",
            "text": {"en": long_text},
            "targets": {"x": True, "subscribers": {"channels": ["x"]}},
        }
    )
    record, _ = await bot.broadcaster.create(notice, "mia")
    await bot.broadcaster.send(record.id)
    report = await finished(bot, record.id)
    assert report.outcomes["delivered"] == 2
    root, *rest = x.posts
    assert root["in_reply_to"] is None  # a post of its own, not a reply
    assert root["text"].startswith("NOVA lists on 1 December")
    assert root["text"].endswith(f"(1/{len(rest) + 1})")
    assert [p["in_reply_to"] for p in rest] == [p["id"] for p in x.posts[:-1]]
    assert record.short_id in x.posts[-1]["text"]
    dms = [c for c in x.calls_to(SEND_DM) if c.status < 300]
    assert len(dms) == 1  # a DM may be 10,000 characters: one message
    assert dms[0].body["text"].startswith("NOVA lists on 1 December")
