"""Broadcasts end to end on Telegram: the real python-telegram-bot against the fake Bot
API, which enforces Telegram's limits (30/s, 1/s per chat, 20/min per group)."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bots.app import App
from bots.config import Config, parse_config
from handlers.broadcasts.notice import parse_notice
from scheduler.service import list_jobs
from storage.broadcast_records import BroadcastRecord
from storage.subscriptions import SubscriptionStore
from tests.broadcasts.support import add_subscribers, crash
from tests.fakes.telegram import FakeTelegram
from tests.settling import sent_everything

CHANNEL = -1002001  # the exchange's announcement channel


def config(tmp_path: Path, tg: FakeTelegram, **extra: Any) -> Config:
    telegram = extra.pop("telegram", {})
    return parse_config(
        {
            "database": {"url": f"sqlite:///{tmp_path / 'bot.db'}"},
            "server": {"port": 0},
            "webchat": {"enabled": False},
            "bot": {"languages": ["en", "zh", "vi", "de"]},
            "telegram": {"enabled": True, "base_url": tg.base_url, "poll_timeout": 1, **telegram},
            # these tests send at once; approval has its own tests (test_api, test_cli)
            "broadcasts": {"require_approval": False},
            **extra,
        }
    )


@pytest.fixture
async def bot(tmp_path: Path, tg: FakeTelegram) -> AsyncIterator[App]:
    app = App(config(tmp_path, tg))
    await app.start()
    yield app
    if app.store is not None:
        await app.stop()


def notice(**fields: Any) -> Any:
    data: dict[str, Any] = {
        "title": "NOVA listing",
        "text": {
            "en": "NOVA lists on 1 December.",
            "de": "NOVA startet am 1. Dezember.",
            "zh": "NOVA 将于12月1日上线。",
        },
        "targets": {"subscribers": {}},
    }
    return parse_notice({**data, **fields})


async def send(app: App, **fields: Any) -> BroadcastRecord:
    assert app.broadcaster is not None
    record, _ = await app.broadcaster.create(notice(**fields), "mia")
    outcome, _rows = await app.broadcaster.send(record.id)
    assert outcome == "started"
    return record


async def finished(app: App, ref: int, within: float = 60) -> Any:
    assert app.broadcaster is not None
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while loop.time() < deadline:
        if not await app.broadcaster.store.open_rows(ref):
            record, report = await app.broadcaster.report(ref)
            assert record.status in ("done", "cancelled")
            return report
        await asyncio.sleep(0.2)
    raise AssertionError(f"broadcast {ref} still sending")


def received(tg: FakeTelegram) -> Counter[int]:
    return Counter(int(m["chat_id"]) for m in tg.sent())


async def test_a_notice_reaches_the_channel_and_subscribers_in_their_language(
    bot: App, tg: FakeTelegram
) -> None:
    assert bot.store is not None
    await add_subscribers(bot.store, "telegram", [101, 102], "de")
    await add_subscribers(bot.store, "telegram", [103], "zh")
    await add_subscribers(bot.store, "telegram", [104], "vi")  # no Vietnamese text
    record = await send(
        bot,
        targets={"telegram": [{"chat": str(CHANNEL), "language": "en"}], "subscribers": {}},
        buttons=[{"label": "Details", "url": "https://example.com/nova"}],
    )
    report = await finished(bot, record.id)
    texts = {int(m["chat_id"]): m["text"] for m in tg.sent()}
    assert texts[CHANNEL].startswith("NOVA lists on 1 December.")
    assert texts[101].startswith("NOVA startet") and texts[102].startswith("NOVA startet")
    assert texts[103].startswith("NOVA 将于") and texts[104].startswith("NOVA lists")
    assert record.short_id in texts[101] and "/notice" in texts[101]
    button = tg.sent(CHANNEL)[0]["reply_markup"]["inline_keyboard"][0][0]
    assert button == {"text": "Details", "url": "https://example.com/nova"}
    assert report.outcomes["delivered"] == 5 and report.total == 5
    assert report.by_place[("telegram", "de")]["delivered"] == 2


async def test_a_long_notice_is_split_for_telegram_and_arrives_in_order(
    bot: App, tg: FakeTelegram
) -> None:
    assert bot.store is not None
    await add_subscribers(bot.store, "telegram", [201])
    long_text = "\n\n".join(f"Paragraph {i}: " + "details " * 60 for i in range(12))
    record = await send(bot, text={"en": long_text})
    report = await finished(bot, record.id)
    parts = [m["text"] for m in tg.sent(201)]
    assert len(parts) >= 2 and parts[0].startswith("Paragraph 0")
    assert record.short_id in parts[-1]  # the footer closes the last part
    assert report.outcomes["delivered"] == 1  # one recipient, however many parts


async def test_users_who_blocked_the_bot_are_unsubscribed_and_reported(
    bot: App, tg: FakeTelegram
) -> None:
    assert bot.store is not None
    await add_subscribers(bot.store, "telegram", [301, 302, 303])
    tg.blocked.add(302)
    record = await send(bot)
    report = await finished(bot, record.id)
    assert sorted(received(tg)) == [301, 303]
    assert report.outcomes["blocked"] == 1 and report.outcomes["delivered"] == 2
    left = await SubscriptionStore(bot.store).list("telegram")
    assert sorted(int(s.chat_id) for s in left) == [301, 303]


async def test_a_user_is_answered_while_a_large_notice_is_going_out(
    bot: App, tg: FakeTelegram
) -> None:
    assert bot.store is not None
    await add_subscribers(bot.store, "telegram", range(10_000, 10_240))  # 8 s at 30/s
    record = await send(bot)
    await tg.wait_sent(30)
    tg.private(42, "/help")
    (answer,) = await tg.wait_sent(1, chat_id=42, within=20)
    notices_before_answer = tg.sent().index(answer)
    assert notices_before_answer < 240, "the answer waited for the whole broadcast"
    await finished(bot, record.id)
    assert len(tg.sent()) == 241  # and the broadcast still reached everyone


async def test_cancel_mid_send_withdraws_the_rest(bot: App, tg: FakeTelegram) -> None:
    assert bot.store is not None and bot.broadcaster is not None
    await add_subscribers(bot.store, "telegram", range(20_000, 20_300))  # 10 s at 30/s
    record = await send(bot)
    await tg.wait_sent(40)
    withdrawn = await bot.broadcaster.cancel(record.id)
    at_cancel = len(tg.sent())
    report = await finished(bot, record.id)
    await sent_everything(bot)  # nothing more may arrive after the in-flight sends
    got = received(tg)
    # only what the sender had already taken (at most its concurrency) still went out
    assert len(got) <= at_cancel + bot.config.outbox.concurrency
    assert report.outcomes["delivered"] == len(got) and max(got.values()) == 1
    assert report.outcomes["cancelled"] == withdrawn == 300 - len(got)


async def test_a_killed_bot_resumes_the_broadcast_without_duplicates_or_misses(
    tmp_path: Path, tg: FakeTelegram
) -> None:
    # the rows the dead bot held are its own until their lease runs out: 6 s here (the
    # default 30 s was most of this test's time), renewed every 2 s while a bot runs
    outbox = {"lease_seconds": 6.0}
    first = App(config(tmp_path, tg, outbox=outbox))
    await first.start()
    assert first.store is not None
    chats = list(range(30_000, 30_150))
    await add_subscribers(first.store, "telegram", chats)
    record = await send(first)
    await tg.wait_sent(60)
    tg.pause()  # sends now hang at "Telegram"; the bot dies while they are in flight
    await tg.wait_held()
    await crash(first)
    tg.release(discard=True)
    before = received(tg)
    assert 60 <= len(before) < 150
    second = App(config(tmp_path, tg, outbox=outbox))
    await second.start()
    try:
        report = await finished(second, record.id)
    finally:
        await second.stop()
    got = received(tg)
    assert sorted(got) == chats  # nobody skipped
    assert max(got.values()) == 1  # nobody twice
    assert report.outcomes["delivered"] == 150


async def test_three_hundred_subscribers_each_get_the_notice_once_within_the_limits(
    bot: App, tg: FakeTelegram
) -> None:
    """At Telegram's own limits, which the fake enforces with 429s, and with the start
    written in several batches while the sender already delivers the first. The same
    at 10,000 subscribers is a benchmark (bench/broadcast.py)."""
    assert bot.store is not None and bot.broadcaster is not None
    bot.broadcaster.batch = 64  # 5 batches
    chats = list(range(100_000, 100_300))
    await add_subscribers(bot.store, "telegram", chats, "de")
    record = await send(bot)
    report = await finished(bot, record.id, within=120)
    got = received(tg)
    assert len(got) == 300 and set(got) == set(chats) and max(got.values()) == 1
    assert report.outcomes["delivered"] == 300
    assert tg.limited < 30  # paced to the limit: a 429 now and then, not a burst of them


async def test_a_scheduled_notice_survives_a_restart(tmp_path: Path, tg: FakeTelegram) -> None:
    first = App(config(tmp_path, tg))
    await first.start()
    assert first.store is not None and first.broadcaster is not None
    await add_subscribers(first.store, "telegram", [401, 402])
    record, _ = await first.broadcaster.create(notice(), "mia")
    at = datetime.now(UTC) + timedelta(seconds=3)
    assert await first.broadcaster.send(record.id, at) == ("scheduled", 0)
    await first.stop()
    assert not tg.sent()
    jobs = list_jobs(_engine(tmp_path))
    assert [j["id"] for j in jobs if j["id"].startswith("broadcast-")] == [f"broadcast-{record.id}"]
    second = App(config(tmp_path, tg))
    await second.start()
    try:
        await tg.wait_sent(2, within=15)
        report = await finished(second, record.id)
    finally:
        await second.stop()
    assert sorted(received(tg)) == [401, 402] and report.outcomes["delivered"] == 2


async def test_users_can_check_whether_a_notice_is_real(bot: App, tg: FakeTelegram) -> None:
    assert bot.store is not None
    await add_subscribers(bot.store, "telegram", [501])
    record = await send(bot)
    await finished(bot, record.id)
    tg.private(77, f"/notice {record.short_id}")
    (real,) = await tg.wait_sent(1, chat_id=77)
    assert "is real" in real["text"] and "NOVA listing" in real["text"]
    tg.private(77, "is this announcement real? N-ZZZ222")
    fake = (await tg.wait_sent(2, chat_id=77))[1]
    assert "not a notice" in fake["text"]
    forged = (
        "NOVA listing moved: it lists on 9 December, and early listing spots are open "
        f"until Friday.\n\nOfficial notice {record.short_id}."
    )
    tg.private(77, forged)
    altered = (await tg.wait_sent(3, chat_id=77))[2]
    assert "differs" in altered["text"]
    tg.private(77, "/notice NOVA lists on 1 December.")
    matched = (await tg.wait_sent(4, chat_id=77))[3]
    assert record.short_id in matched["text"] and "official" in matched["text"]


def _engine(tmp_path: Path) -> Any:
    from storage.engine import make_engine

    return make_engine(f"sqlite:///{tmp_path / 'bot.db'}")


async def test_a_pinned_notice_is_unpinned_when_its_time_is_over(
    bot: App, tg: FakeTelegram
) -> None:
    from scheduler.broadcasts import unpin_broadcast

    assert bot.store is not None and bot.scheduler is not None
    await add_subscribers(bot.store, "telegram", [301])
    record = await send(
        bot,
        targets={"telegram": [{"chat": str(CHANNEL), "language": "en"}], "subscribers": {}},
        pin=True,
        unpin_after_hours=6,
    )
    await finished(bot, record.id)
    (posted,) = tg.sent(CHANNEL)
    (pin,) = tg.calls_to("pinChatMessage")  # the channel post, not the subscriber's DM
    assert int(pin.params["chat_id"]) == CHANNEL
    assert int(pin.params["message_id"]) == posted["_message_id"]
    job = next(j for j in list_jobs(bot.store.engine) if j["id"] == f"unpin-{record.id}")
    hours = (job["next_run"] - datetime.now(UTC)).total_seconds() / 3600
    assert 5.9 < hours <= 6  # a stored job: a restart keeps it
    assert await unpin_broadcast(record.id) == 1  # what the job does when its time comes
    await sent_everything(bot)
    (unpin,) = tg.calls_to("unpinChatMessage")
    assert int(unpin.params["message_id"]) == posted["_message_id"]


def test_a_notice_can_be_unpinned_only_if_pinned_and_pinned_only_in_chats() -> None:
    from handlers.broadcasts.notice import NoticeError

    with pytest.raises(NoticeError, match="unpin_after_hours: only a pinned notice"):
        notice(unpin_after_hours=2)
    with pytest.raises(NoticeError, match="pin: only Telegram and Discord chat targets"):
        notice(pin=True)  # subscribers' DMs are not pinned
