"""Several senders on one database: each row being sent is leased to its sender.

A sender that starts next to a live one leaves the live one's rows alone (nothing is
sent twice); the rows of a sender that died go out once, after their lease ran out
and not before; a late outcome from a sender that lost its lease does not overwrite
the row another sender took. On SQLite, and on PostgreSQL when it is configured (the
``store`` and ``db_url`` fixtures run each test on both).
"""

from __future__ import annotations

import asyncio

from channels.base import Action, Reply
from handlers.outbox import Sender
from handlers.outbox_rows import Outbox
from handlers.pipeline import envelope
from storage.store import Lease, NewOutbound, Store
from tests.builders import eventually, message
from tests.fakes.recording import RecordingChannel


class HeldChannel(RecordingChannel):
    """Every send waits until ``release`` is set, so its row stays claimed meanwhile."""

    def __init__(self, name: str = "rec") -> None:
        super().__init__(name)
        self.release = asyncio.Event()
        self.entered: list[str] = []

    async def perform(self, action: Action) -> str | None:
        self.entered.append(getattr(action, "chat_id", ""))
        await self.release.wait()
        return await super().perform(action)


def texts(channel: RecordingChannel) -> list[str]:
    return [a.text for a in channel.sent if isinstance(a, Reply)]


async def test_a_second_sender_leaves_alone_what_the_first_is_sending(
    store: Store, db_url: str, clock
) -> None:
    chats = [f"chat{i}" for i in range(6)]
    await Outbox(store, clock, {}).enqueue([Reply(chat_id=c, text=c) for c in chats], "rec")
    held = HeldChannel()
    first = Sender(store, {"rec": held}, clock, concurrency=3)
    other = Store.open(db_url)  # the second process has its own engine
    plain = RecordingChannel("rec")
    second = Sender(other, {"rec": plain}, clock)
    await first.start()
    try:

        async def entered() -> int:
            return len(held.entered)

        assert await eventually(entered, lambda n: n == 3) == 3
        # time passes; the first sender, alive, renews what it holds
        clock.advance(first.lease.seconds * 2 / 3)
        renewed_until = first.lease.until(clock())
        first.wake()

        async def leases() -> set[object]:
            return {(r.claimed_by, r.lease_until) for r in await store.outbox("sending")}

        want = {(first.lease.owner, renewed_until)}
        assert await eventually(leases, lambda got: got == want) == want
        clock.advance(first.lease.seconds * 2 / 3)  # past the first claim's lease

        await second.start()
        await second.idle()
        # it sent the rows nobody held, and none of the first's
        assert sorted(texts(plain)) == sorted(set(chats) - set(held.entered))
        still = await store.outbox("sending")  # the first's, leased (and maybe renewed)
        assert len(still) == 3 and {r.claimed_by for r in still} == {first.lease.owner}
        assert all(r.lease_until is not None and r.lease_until > clock() for r in still)
        held.release.set()
        await first.idle()
    finally:
        held.release.set()
        await second.stop()
        await first.stop()
        await other.close()
    assert sorted(texts(held) + texts(plain)) == sorted(chats)  # each once
    delivered = await store.outbox("delivered")
    assert sorted(r.chat_id for r in delivered) == sorted(chats)
    assert {r.attempts for r in delivered} == {1}


async def test_rows_of_a_sender_that_died_go_out_once_after_its_lease_ran_out(
    store: Store, db_url: str, clock
) -> None:
    await Outbox(store, clock, {}).enqueue([Reply(chat_id=c, text=c) for c in "ab"], "rec")
    died = Lease("gone-host:4242:dead")
    dead = Store.open(db_url)
    assert len(await dead.claim_due(clock(), 10, lease=died)) == 2
    await dead.close()  # killed mid-send: nothing settled, nothing renewed

    channel = RecordingChannel("rec")
    sender = Sender(store, {"rec": channel}, clock, lease_seconds=died.seconds)
    await sender.start()
    try:
        await sender.idle()
        assert channel.sent == []
        clock.advance(died.seconds - 1)
        await sender.idle()  # it renews and looks: the dead sender's lease still holds
        assert channel.sent == []
        assert {r.claimed_by for r in await store.outbox("sending")} == {died.owner}
        clock.advance(sender.lease.renew_every.total_seconds() + 1)  # the next look
        await sender.idle()
        assert sorted(texts(channel)) == ["a", "b"]
        clock.advance(died.seconds * 2)
        await sender.idle()
        assert sorted(texts(channel)) == ["a", "b"]  # and only once
    finally:
        await sender.stop()
    delivered = await store.outbox("delivered")
    assert {(r.chat_id, r.attempts, r.claimed_by) for r in delivered} == {
        ("a", 2, sender.lease.owner),
        ("b", 2, sender.lease.owner),
    }


async def test_a_stopping_sender_puts_back_what_it_claimed_and_never_sent(
    store: Store, db_url: str, clock
) -> None:
    await Outbox(store, clock, {}).enqueue([Reply(chat_id=c, text=c) for c in "ab"], "rec")
    stopping = Sender(store, {"rec": RecordingChannel("rec")}, clock)
    # its step claimed the rows, then the stop cancelled it before any send began
    assert len(await store.claim_due(clock(), 10, lease=stopping.lease)) == 2
    await stopping.stop()
    rows = await store.outbox("pending")
    assert {(r.chat_id, r.attempts, r.claimed_by) for r in rows} == {("a", 0, None), ("b", 0, None)}
    # the next process sends them at once, without waiting for a lease to run out
    channel = RecordingChannel("rec")
    other = Store.open(db_url)
    sender = Sender(other, {"rec": channel}, clock)
    await sender.start()
    try:
        await sender.idle()
        assert sorted(texts(channel)) == ["a", "b"]
    finally:
        await sender.stop()
        await other.close()


async def test_a_late_outcome_does_not_overwrite_a_row_another_sender_took(
    store: Store, clock
) -> None:
    inbound = await store.record_inbound(envelope(message("q")), "q", clock())
    await store.complete_inbound(
        inbound,
        intent="greeting",
        language="en",
        outbound=[NewOutbound("rec", "chat-1", {"t": 1}, inbound.conversation_id)],
        now=clock(),
    )
    stalled, taker = Lease("host-a:1:stalled"), Lease("host-b:2:taker")
    (late,) = await store.claim_due(clock(), 10, lease=stalled)
    clock.advance(stalled.seconds + 1)  # the first sender stalled past its lease
    assert await store.keep_leases(taker, clock()) == 1
    (taken,) = await store.claim_due(clock(), 10, lease=taker)

    await store.mark_delivered(late, "late-1", "the late answer", clock())
    (row,) = await store.outbox("sending")
    assert (row.claimed_by, row.platform_message_id) == (taker.owner, None)
    assert [m.direction for m in await store.transcript(inbound.conversation_id)] == ["in"]

    await store.mark_delivered(taken, "taken-1", "the answer", clock())
    (row,) = await store.outbox("delivered")
    assert (row.claimed_by, row.platform_message_id) == (taker.owner, "taken-1")
    transcript = await store.transcript(inbound.conversation_id)
    assert [(m.direction, m.text) for m in transcript] == [("in", "q"), ("out", "the answer")]


async def test_a_late_delivery_of_a_row_put_back_but_not_taken_again_is_kept(
    store: Store, clock
) -> None:
    await store.enqueue([NewOutbound("rec", "a", {"n": 1})], clock())
    stalled, other = Lease("host-a:1:stalled"), Lease("host-b:2:other")
    (late,) = await store.claim_due(clock(), 10, lease=stalled)
    clock.advance(stalled.seconds + 1)
    assert await store.keep_leases(other, clock()) == 1  # back in the queue
    await store.mark_delivered(late, "late-1", None, clock())  # then its outcome lands
    (row,) = await store.outbox("delivered")
    assert row.platform_message_id == "late-1"
    assert await store.claim_due(clock(), 10, lease=other) == []  # not sent again
