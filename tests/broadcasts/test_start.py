"""A broadcast's start in batches, on SQLite and PostgreSQL: a start killed half-way
and started again writes every recipient once, a cancel stops it between batches, and
a user's reply written during a large start does not wait for the whole start."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime

import pytest

from channels.base import Reply, action_to_dict
from handlers.broadcasts.notice import parse_notice
from handlers.broadcasts.service import Broadcaster
from handlers.broadcasts.settings import BroadcastSettings
from handlers.texts import Texts
from storage.broadcast_records import BroadcastRecord
from storage.broadcast_start import Row
from storage.broadcasts import BroadcastStore
from storage.store import NewOutbound, Store
from storage.subscriptions import SubscriptionStore
from tests.broadcasts.support import add_subscribers

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
NOTICE = parse_notice(
    {
        "title": "Listing",
        "text": {"en": "NOVA lists today.", "de": "NOVA startet heute."},
        "targets": {"telegram": [{"chat": "-1001"}], "subscribers": {}},
    }
)


class Killed(Exception):
    """The process died here."""


class WatchedStore(BroadcastStore):
    """The real store, which can die after a number of batches and tells each batch."""

    def __init__(self, store: Store, die_after: int | None = None) -> None:
        super().__init__(store)
        self.die_after = die_after
        self.batches = 0
        self.written = asyncio.Event()  # set after each batch

    async def add_recipients(
        self, broadcast: BroadcastRecord, rows: Sequence[Row], now: datetime, *, priority: int
    ) -> int | None:
        added = await super().add_recipients(broadcast, rows, now, priority=priority)
        self.batches += 1
        self.written.set()
        if self.die_after is not None and self.batches >= self.die_after:
            raise Killed(f"after batch {self.batches}")
        return added

    async def wait_batches(self, count: int) -> None:
        while self.batches < count:
            self.written.clear()
            await self.written.wait()


def broadcaster(store: Store, broadcasts: BroadcastStore, batch: int) -> Broadcaster:
    return Broadcaster(
        broadcasts,
        SubscriptionStore(store),
        Texts.load(),
        channels={"telegram"},
        languages=("en", "de"),
        clock=lambda: NOW,
        settings=BroadcastSettings(require_approval=False),
        batch=batch,
    )


async def recipients(store: Store, broadcast_id: int) -> list[str]:
    return [r.chat_id for r in await store.outbox() if r.broadcast_id == broadcast_id]


async def test_a_start_killed_after_some_batches_and_started_again_writes_everyone_once(
    store: Store,
) -> None:
    chats = [str(c) for c in range(1, 1001)]
    await add_subscribers(store, "telegram", chats[:500], "de")
    await add_subscribers(store, "telegram", chats[500:], "en")
    dying = WatchedStore(store, die_after=4)  # the channel's batch, then 3 of 100
    first = broadcaster(store, dying, batch=100)
    record, _ = await first.create(NOTICE, "mia")
    with pytest.raises(Killed):
        await first.start(record.id)
    half = await recipients(store, record.id)
    assert len(half) == 1 + 300 and "-1001" in half
    left = await first.get(record.id)
    assert left.status == "starting" and left.recipients == 301  # not reported done

    second = broadcaster(store, BroadcastStore(store), batch=100)  # the next process
    assert await second.resume() == [record.id]
    assert await second.start(record.id) == ("started", 700)
    rows = await recipients(store, record.id)
    assert sorted(rows) == sorted(["-1001", *chats])  # nobody missed, nobody twice
    done = await second.get(record.id)
    assert done.status == "sending" and done.recipients == 1001
    assert await second.resume() == []
    assert await second.start(record.id) == ("already", 0)


async def test_a_start_started_twice_in_a_row_writes_nothing_twice(store: Store) -> None:
    """A second process resuming a start the first is still writing (a crash it took
    for one): both write, the unique key keeps one row per recipient."""
    await add_subscribers(store, "telegram", range(1, 401))
    one = broadcaster(store, BroadcastStore(store), batch=50)
    other = broadcaster(store, BroadcastStore(store), batch=70)
    record, _ = await one.create(NOTICE, "mia")
    results = await asyncio.gather(one.start(record.id), other.start(record.id))
    assert [outcome for outcome, _ in results] == ["started", "started"]
    assert sum(written for _, written in results) == 401
    rows = await recipients(store, record.id)
    assert len(rows) == len(set(rows)) == 401
    assert (await one.get(record.id)).recipients == 401


async def test_a_cancel_during_the_start_stops_it_between_batches(store: Store) -> None:
    await add_subscribers(store, "telegram", range(1, 1001))
    watched = WatchedStore(store)
    b = broadcaster(store, watched, batch=50)
    record, _ = await b.create(NOTICE, "mia")
    start = asyncio.create_task(b.start(record.id))
    await watched.wait_batches(3)
    withdrawn = await b.cancel(record.id)
    outcome, written = await start
    assert outcome == "cancelled" and written < 1001
    rows = await store.outbox()
    assert len(rows) == written == withdrawn  # nothing added after the cancel
    assert {r.status for r in rows} == {"cancelled"}
    assert (await b.get(record.id)).status == "cancelled"


async def test_a_reply_written_during_a_large_start_does_not_wait_for_it(store: Store) -> None:
    await add_subscribers(store, "telegram", range(1, 2001))
    watched = WatchedStore(store)
    b = broadcaster(store, watched, batch=100)  # 1 + 20 batches
    record, _ = await b.create(NOTICE, "mia")
    start = asyncio.create_task(b.start(record.id))
    await watched.wait_batches(3)
    reply = Reply(chat_id="42", text="Your deposit arrived.")
    (reply_id,) = await store.enqueue([NewOutbound("telegram", "42", action_to_dict(reply))], NOW)
    batches_before_reply = watched.batches
    assert (await b.get(record.id)).status == "starting"  # the start is still going
    assert await start == ("started", 2001)
    assert watched.batches == 21 and batches_before_reply < 21
    rows = await store.outbox()
    ids = [r.id for r in rows if r.broadcast_id == record.id]
    # the reply sits among the notice's rows: written between two of its batches
    assert min(ids) < reply_id < max(ids)
    assert sum(1 for i in ids if i and i > reply_id) >= 100
