"""Polling mode: an update is confirmed to Telegram only after the inbox committed it.

The real python-telegram-bot against the fake Bot API, which forgets what a bot
confirmed as Telegram does (``getUpdates`` with offset N forgets every update below
N). A failure is injected into the database's commit of the inbound record, as in
``tests/test_one_transaction.py``; a crash is a bot stopped while its record has not
committed, or while Telegram has not heard its confirmation, and a new bot on the
same database.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from sqlalchemy import event

from bots.app import App
from bots.config import parse_config
from channels.telegram import polling
from storage import statements as sql
from storage.store import Store
from tests.fakes.serving import wait_until
from tests.fakes.telegram import FakeTelegram
from tests.settling import handled, sent_everything

POLLING = "channels.telegram.polling"


class Died(Exception):
    """The process ended here: its transaction never committed."""


class RecordFault:
    """Fails, or holds, the commit that records one inbound message.

    ``hold()`` makes that commit wait until ``release()``; ``dead`` fails every such
    commit (the process is gone); ``failures`` fails that many and then lets it
    through. ``seen`` keeps what ``probe()`` said at each attempt.
    """

    def __init__(self, store: Store, platform_id: int, probe: Any = None) -> None:
        self.engine = store.engine
        self.platform_id = str(platform_id)
        self.probe = probe or (lambda: None)
        self.dead = False
        self.failures = 0
        self.attempts = 0
        self.seen: list[Any] = []
        self.waiting = threading.Event()  # a held commit is waiting
        self._go = threading.Event()
        self._go.set()
        event.listen(self.engine, "before_execute", self._executed)
        event.listen(self.engine, "commit", self._commit)
        event.listen(self.engine, "rollback", self._rollback)

    def hold(self) -> None:
        self._go.clear()

    def release(self) -> None:
        self._go.set()

    def remove(self) -> None:
        self.release()
        event.remove(self.engine, "before_execute", self._executed)
        event.remove(self.engine, "commit", self._commit)
        event.remove(self.engine, "rollback", self._rollback)

    def _executed(
        self, conn: Any, clauseelement: Any, multiparams: Any, params: Any, execution_options: Any
    ) -> None:
        if clauseelement is not sql.INSERT_MESSAGE:
            return
        rows = [params, *multiparams] if params else list(multiparams)
        if any(
            r.get("direction") == "in" and r.get("platform_message_id") == self.platform_id
            for r in rows
            if isinstance(r, dict)
        ):
            conn.info["records"] = True

    def _commit(self, conn: Any) -> None:
        if not conn.info.pop("records", False):
            return
        self.attempts += 1
        self.seen.append(self.probe())
        if not self._go.is_set():
            self.waiting.set()
            self._go.wait(30)
        if self.dead:
            raise Died("killed before the record committed")
        if self.failures > 0:
            self.failures -= 1
            raise Died("the record's commit failed")

    def _rollback(self, conn: Any) -> None:
        conn.info.pop("records", None)


async def start_bot(
    db_url: str, tg: FakeTelegram, *, outbox: dict[str, Any] | None = None, **telegram: Any
) -> App:
    config = parse_config(
        {
            "database": {"url": db_url},
            "server": {"port": 0},
            "outbox": outbox or {},
            "telegram": {
                "enabled": True,
                "base_url": tg.base_url,
                "poll_timeout": 1,
                **telegram,
            },
        }
    )
    app = App(config)
    await app.start()
    return app


@pytest.fixture
async def bot(db_url: str, tg: FakeTelegram) -> AsyncIterator[App]:
    app = await start_bot(db_url, tg)
    yield app
    await app.stop()


@pytest.fixture
async def quick_bot(
    db_url: str, tg: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[App]:
    """``bot``, whose polling retries start 0.05 s apart instead of 0.5 s (doubling
    each time all the same): for tests about what failures lead to, not how long the
    waits between them are (four failures waited 0.5 + 1 + 2 + 4 s)."""
    monkeypatch.setattr(polling, "FIRST_WAIT", 0.05)
    app = await start_bot(db_url, tg)
    yield app
    await app.stop()


def store_of(app: App) -> Store:
    assert app.store is not None
    return app.store


async def test_the_fake_forgets_what_is_confirmed_and_keeps_the_rest(tg: FakeTelegram) -> None:
    for text in ("one", "two", "three"):
        tg.private(42, text)

    async def poll(**params: int) -> list[int]:
        url = f"{tg.base_url}{tg.token}/getUpdates"
        async with aiohttp.ClientSession() as http, http.post(url, json=params) as r:
            return [u["update_id"] for u in (await r.json())["result"]]

    assert await poll() == [1, 2, 3]
    assert await poll() == [1, 2, 3]  # nothing confirmed: all of it again
    assert await poll(offset=3) == [3]  # 1 and 2 are confirmed
    assert await poll() == [3]  # and forgotten, also by a call without an offset
    assert await poll(offset=-1) == [3]


async def test_an_update_is_not_confirmed_while_its_commit_hangs_and_a_crash_loses_nothing(
    db_url: str, tg: FakeTelegram
) -> None:
    first = await start_bot(db_url, tg)
    fault = RecordFault(store_of(first), platform_id=1, probe=lambda: tg.confirmed)
    fault.hold()
    try:
        update = tg.private(42, "/help")
        assert update["message"]["message_id"] == 1
        await wait_until(fault.waiting.is_set, 10, lambda: "the record was never committed")
        # the record is being committed: Telegram has not been told to forget it
        assert tg.confirmed < update["update_id"]
        assert max(tg.offsets()) <= update["update_id"]
        fault.dead = True  # the process dies in that commit
        fault.release()
        await wait_until(lambda: fault.attempts >= 2, 10, lambda: "the commit was not retried")
    finally:
        await first.stop()
        fault.remove()
    assert tg.sent(42) == []  # the dead bot answered nothing
    assert tg.confirmed < update["update_id"]  # and never confirmed the update
    assert all(confirmed < update["update_id"] for confirmed in fault.seen)

    second = await start_bot(db_url, tg)  # a new process on the same database
    try:
        (reply,) = await tg.wait_sent(1, chat_id=42)
        assert "/lang" in reply["text"]
        await tg.wait_confirmed(update)  # fetched again, handled, and only then confirmed
        assert tg.deliveries[update["update_id"]] >= 2
        await sent_everything(second)
        assert len(tg.sent(42)) == 1
    finally:
        await second.stop()


async def test_a_committed_update_whose_confirmation_was_lost_is_not_answered_twice(
    db_url: str, tg: FakeTelegram
) -> None:
    first = await start_bot(db_url, tg)
    try:
        update = tg.private(42, "/help")
        tg.lose_confirmations(update)  # every confirmation of it fails on its way
        await tg.wait_sent(1, chat_id=42)
        await handled(first, "telegram", 42, update["message"]["message_id"])
        await wait_until(lambda: tg.refused_polls >= 1, 10, lambda: "no confirmation tried")
    finally:
        await first.stop()  # its last confirmation is lost too: as if it had been killed
    assert tg.confirmed < update["update_id"]

    tg.lose_confirmations(None)
    second = await start_bot(db_url, tg)
    try:
        await tg.wait_confirmed(update)
        assert tg.deliveries[update["update_id"]] == 2  # Telegram sent it again
        await sent_everything(second)
        assert len(tg.sent(42)) == 1  # and it was answered once
    finally:
        await second.stop()


async def test_a_failing_commit_is_retried_and_the_update_confirmed_only_after(
    quick_bot: App, tg: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    bot = quick_bot
    fault = RecordFault(store_of(bot), platform_id=1, probe=lambda: tg.confirmed)
    fault.failures = 4
    try:
        update = tg.private(42, "/help")
        (reply,) = await tg.wait_sent(1, chat_id=42, within=30)
        assert "/lang" in reply["text"]
        await tg.wait_confirmed(update)
    finally:
        fault.remove()
    assert tg.deliveries[update["update_id"]] >= 2  # fetched again after the failure
    assert all(confirmed < update["update_id"] for confirmed in fault.seen)
    failures = [r for r in caplog.records if r.name == POLLING and "not committed" in r.message]
    assert len(failures) == 1  # one line however many attempts failed
    await sent_everything(bot)
    assert len(tg.sent(42)) == 1


async def test_an_update_that_always_fails_is_set_aside_once_later_ones_are_handled(
    db_url: str, tg: FakeTelegram, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(polling, "GIVE_UP_AFTER", 3)
    monkeypatch.setattr(polling, "FIRST_WAIT", 0.01)
    app = await start_bot(db_url, tg)
    # message ids count per chat, the bot's own included: chat 42's second message is 3
    fault = RecordFault(store_of(app), platform_id=3)
    fault.failures = 10**6
    try:
        tg.private(42, "/help")
        await tg.wait_sent(1, chat_id=42)
        broken = tg.private(42, "/help")  # its record never commits
        assert broken["message"]["message_id"] == 3
        tg.private(43, "/help")
        (reply,) = await tg.wait_sent(1, chat_id=43, within=30)
        assert "/lang" in reply["text"]  # answered while the broken one is held
        await tg.wait_confirmed(broken, within=30)
        tg.private(44, "/help")
        await tg.wait_sent(1, chat_id=44, within=30)  # polling goes on past it
    finally:
        fault.remove()
        await app.stop()
    assert fault.attempts >= 3
    assert len(tg.sent(42)) == 1  # the broken update was never answered
    skipped = [r for r in caplog.records if r.name == POLLING and "skipped" in r.message]
    assert len(skipped) == 1 and skipped[0].levelno == logging.ERROR
    assert f"update {broken['update_id']} " in skipped[0].getMessage()


async def test_a_stop_lets_the_update_in_hand_commit_and_confirms_it(
    db_url: str, tg: FakeTelegram
) -> None:
    app = await start_bot(db_url, tg)
    fault = RecordFault(store_of(app), platform_id=1)
    fault.hold()
    try:
        update = tg.private(42, "/help")
        await wait_until(fault.waiting.is_set, 10, lambda: "the record was never committed")
        stopping = asyncio.create_task(app.stop())
        await wait_until(lambda: app.channels["telegram"]._poller is None, 10, lambda: "no stop")
        fault.release()  # the commit goes through while the bot stops
        async with asyncio.timeout(20):
            await stopping
    finally:
        fault.remove()
    assert tg.confirmed >= update["update_id"]  # handled, so confirmed before it stopped
    assert tg.deliveries[update["update_id"]] == 1


async def test_polling_backs_off_through_5xx_and_429_and_says_each_once(
    quick_bot: App, tg: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=POLLING)
    tg.fail_polls(502, 500, 502, 429)
    update = tg.private(42, "/help")
    await tg.wait_sent(1, chat_id=42, within=20)
    await tg.wait_confirmed(update)
    assert tg.refused_polls == 4
    lines = [r.message for r in caplog.records if r.name == POLLING]
    assert sum("network or server error" in line for line in lines) == 1
    assert sum("rate limited" in line for line in lines) == 1
    assert any("works again after 4 failed attempt(s)" in line for line in lines)


async def test_another_consumer_of_the_token_is_outlasted(
    bot: App, tg: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=POLLING)
    url = f"{tg.base_url}{tg.token}/getUpdates"

    def conflicts() -> int:  # the bot's calls ended by the other one (which sends a limit)
        calls = tg.calls_to("getUpdates")
        return sum(c.params.get("_status") == 409 and "limit" not in c.params for c in calls)

    async def other() -> None:  # a second process with the same token
        async with aiohttp.ClientSession() as http:
            while True:
                async with http.post(url, json={"timeout": 1, "limit": 100}) as r:
                    await r.read()

    rival = asyncio.create_task(other())
    try:
        await wait_until(lambda: conflicts() >= 3, 20, lambda: f"{conflicts()} conflicts")
    finally:
        rival.cancel()
        await asyncio.gather(rival, return_exceptions=True)
    update = tg.private(42, "/help")
    await tg.wait_sent(1, chat_id=42, within=40)
    await tg.wait_confirmed(update)
    lines = [r.message for r in caplog.records if r.name == POLLING]
    assert sum("another consumer of this token" in line for line in lines) == 1


async def test_a_webhook_left_set_does_not_stop_polling(db_url: str, tg: FakeTelegram) -> None:
    tg.webhook = {"url": "https://old.example.com/telegram/webhook"}  # Telegram refuses polls
    app = await start_bot(db_url, tg)
    try:
        tg.private(42, "/help")
        await tg.wait_sent(1, chat_id=42)
        assert tg.webhook is None
    finally:
        await app.stop()


async def test_a_stop_ends_a_long_poll_at_once(
    db_url: str, tg: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=POLLING)
    app = await start_bot(db_url, tg, poll_timeout=50)
    update = tg.private(42, "/help")
    await tg.wait_sent(1, chat_id=42)
    following = update["update_id"] + 1
    await wait_until(lambda: following in tg.offsets(), 10, lambda: "no long poll after it")
    async with asyncio.timeout(10):  # the 50 s long poll in flight is not waited for
        await app.stop()
    final = tg.calls_to("getUpdates")[-1].params
    assert (int(final["offset"]), int(final["timeout"])) == (following, 0)
    assert final.get("_ok")  # the last confirmation went through after the cancelled poll
    assert not [r for r in caplog.records if r.name == POLLING and r.levelno >= logging.INFO]
