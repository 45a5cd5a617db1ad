"""Broadcast records on SQLite and PostgreSQL: one winner for racing approvals and
starts, recipient rows created once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from handlers.broadcasts.notice import parse_notice
from handlers.broadcasts.service import Broadcaster, BroadcastError
from handlers.broadcasts.settings import BroadcastSettings
from handlers.texts import Texts
from storage.broadcast_records import BroadcastRecord
from storage.broadcasts import BroadcastStore
from storage.store import Store
from storage.subscriptions import SubscriptionStore
from tests.broadcasts.support import add_subscribers

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def broadcaster(store: Store, **settings: Any) -> Broadcaster:
    return Broadcaster(
        BroadcastStore(store),
        SubscriptionStore(store),
        Texts.load(),
        channels={"telegram"},
        languages=("en", "de"),
        clock=lambda: NOW,
        settings=BroadcastSettings(**{"require_approval": False, **settings}),
    )


NOTICE = parse_notice(
    {"title": "Listing", "text": {"en": "NOVA lists today."}, "targets": {"subscribers": {}}}
)


async def test_two_managers_approving_at_once_one_wins(store: Store) -> None:
    b = broadcaster(store, require_approval=True)
    record, _ = await b.create(NOTICE, "mia")
    results = await asyncio.gather(
        *(b.approve(record.id, name) for name in ("leo", "ana")), return_exceptions=True
    )
    approved = [r for r in results if isinstance(r, BroadcastRecord)]
    refused = [r for r in results if isinstance(r, BroadcastError)]
    assert len(approved) == 1 and len(refused) == 1
    assert refused[0].kind == "conflict" and approved[0].approved_by in str(refused[0])


async def test_the_creator_cannot_approve_and_nothing_is_sent_unapproved(store: Store) -> None:
    b = broadcaster(store, require_approval=True)
    await add_subscribers(store, "telegram", [1, 2])
    record, _ = await b.create(NOTICE, "mia")
    try:
        await b.approve(record.id, "mia")
    except BroadcastError as exc:
        assert exc.kind == "forbidden"
    else:
        raise AssertionError("the creator approved their own notice")
    try:
        await b.send(record.id)
    except BroadcastError as exc:
        assert "approval" in str(exc)
    else:
        raise AssertionError("an unapproved notice was sent")
    assert not await store.outbox()


async def test_starting_twice_at_once_creates_each_recipient_once(store: Store) -> None:
    b = broadcaster(store)
    await add_subscribers(store, "telegram", range(1, 501), "de")
    record, _ = await b.create(NOTICE, "mia")
    results = await asyncio.gather(b.start(record.id), b.start(record.id))
    assert sorted(outcome for outcome, _ in results) == ["already", "started"]
    rows = await store.outbox()
    assert len(rows) == 500 and len({r.chat_id for r in rows}) == 500
    assert {r.priority for r in rows} == {10} and {r.broadcast_language for r in rows} == {"de"}
    assert (await b.get(record.id)).recipients == 500


async def test_cancel_before_the_sender_runs_withdraws_everything(store: Store) -> None:
    b = broadcaster(store)
    await add_subscribers(store, "telegram", range(1, 11))
    record, _ = await b.create(NOTICE, "mia")
    await b.send(record.id)
    assert await b.cancel(record.id) == 10
    _, report = await b.report(record.id)
    assert report.outcomes["cancelled"] == 10 and report.outcomes["delivered"] == 0
    assert not await store.outbox("pending")
