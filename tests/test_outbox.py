"""The one way out: the outbox builds and splits rows, the sender sends them when the
rate limiter lets it, tells it about 429s, and says when it has nothing left to send."""

from __future__ import annotations

import asyncio

from channels.base import Action, Button, DeliveryError, Reply
from handlers.outbox import Sender
from handlers.outbox_rows import Outbox, StaffChat, split_reply
from handlers.ratelimit import RateLimits
from handlers.ratelimiter import RateLimiter
from handlers.requests import AlertStaff
from storage.store import Store
from tests.builders import eventually
from tests.fakes.recording import RecordingChannel


class ToldLimiter:
    """A limiter that lets everything through and writes down what it was asked, in
    the same log as the sends, so the order of the two shows."""

    def __init__(self, log: list[tuple[object, ...]]) -> None:
        self.log = log

    async def start(self) -> None:
        self.log.append(("start",))

    async def stop(self) -> None:
        self.log.append(("stop",))

    async def acquire(self, channel: str, chat_id: str) -> str:
        self.log.append(("acquire", channel, chat_id))
        return f"token-{len(self.log)}"

    async def answered(self, channel: str, chat_id: str, token: str) -> None:
        self.log.append(("answered", channel, chat_id))

    async def pause(
        self, channel: str, chat_id: str, seconds: float, *, platform_wide: bool = False
    ) -> None:
        self.log.append(("pause", channel, chat_id, seconds, platform_wide))


class LoggedChannel(RecordingChannel):
    def __init__(self, log: list[tuple[object, ...]]) -> None:
        super().__init__("rec")
        self.log = log

    async def perform(self, action: Action) -> str | None:
        self.log.append(("perform", getattr(action, "chat_id", "")))
        return await super().perform(action)


def texts(channel: RecordingChannel) -> list[str]:
    return [a.text for a in channel.sent if isinstance(a, Reply)]


def for_chat(log: list[tuple[object, ...]], chat: str) -> list[str]:
    return [str(entry[0]) for entry in log if chat in entry[1:]]


async def test_the_sender_asks_the_limiter_before_each_send_and_tells_it_of_a_429(
    store: Store, clock
) -> None:
    log: list[tuple[object, ...]] = []
    channel = LoggedChannel(log)
    limiter: RateLimiter = ToldLimiter(log)
    sender = Sender(store, {"rec": channel}, clock, limiter=limiter)
    outbox = Outbox(store, clock, {"rec": channel.capabilities})
    channel.failures.append(DeliveryError("429: slow down", retry_after=7))
    await outbox.enqueue([Reply(chat_id="a", text="first")], "rec")
    await outbox.enqueue([Reply(chat_id="b", text="second")], "rec")
    await sender.drain()
    # each send was preceded by its permission and followed by its answer (the limiter
    # counts it from then); the refused one paused its chat only
    assert for_chat(log, "a") == ["acquire", "perform", "pause", "answered"]
    assert ("pause", "rec", "a", 7, False) in log
    assert for_chat(log, "b") == ["acquire", "perform", "answered"]
    assert texts(channel) == ["second"]
    clock.advance(7)
    await sender.drain()
    assert for_chat(log, "a") == [
        *("acquire", "perform", "pause", "answered"),
        *("acquire", "perform", "answered"),
    ]
    assert texts(channel) == ["second", "first"]


async def test_a_chat_held_under_429_longer_than_the_attempts_still_gets_its_reply(
    store: Store, clock
) -> None:
    channel = RecordingChannel("rec")
    sender = Sender(store, {"rec": channel}, clock, max_attempts=3)
    outbox = Outbox(store, clock, {"rec": channel.capabilities})
    channel.failures.extend(DeliveryError("429", retry_after=30) for _ in range(6))
    channel.failures.append(DeliveryError("503: try later"))  # a real failure counts
    await outbox.enqueue([Reply(chat_id="a", text="held")], "rec")
    for _ in range(8):
        await sender.drain()
        clock.advance(300)
    assert texts(channel) == ["held"]  # six 429s and one error, then delivered
    (row,) = await store.outbox("delivered")
    assert row.attempts == 2  # the 503's try and the delivery; the 429s were waits


async def test_a_send_whose_answer_was_lost_waits_its_delay_and_a_failed_one_does_not(
    store: Store, clock
) -> None:
    channel = RecordingChannel("rec")
    sender = Sender(store, {"rec": channel}, clock, unanswered_retry_delay=6)
    outbox = Outbox(store, clock, {"rec": channel.capabilities})
    channel.failures.append(DeliveryError("timed out", maybe_delivered=True))
    channel.failures.append(DeliveryError("503: try later"))  # certainly not sent
    await outbox.enqueue([Reply(chat_id="a", text="unanswered")], "rec")
    await outbox.enqueue([Reply(chat_id="b", text="refused")], "rec")
    await sender.drain()
    assert texts(channel) == []
    clock.advance(1)  # the first backoff: the certain failure goes again, the other waits
    await sender.drain()
    assert texts(channel) == ["refused"]
    clock.advance(4.9)
    await sender.drain()
    assert texts(channel) == ["refused"]
    clock.advance(0.2)  # six seconds after the lost answer: its one retry
    await sender.drain()
    assert texts(channel) == ["refused", "unanswered"]
    (row,) = [r for r in await store.outbox("delivered") if r.chat_id == "a"]
    assert row.attempts == 2  # the lost answer counts as an attempt


class HangingChannel(RecordingChannel):
    """Sends to the chats in ``hung`` are never answered while the test runs."""

    def __init__(self, hung: set[str]) -> None:
        super().__init__("rec")
        self.hung = hung
        self.forever = asyncio.Event()
        self.hanging = 0

    async def perform(self, action: Action) -> str | None:
        if getattr(action, "chat_id", "") in self.hung:
            self.hanging += 1
            await self.forever.wait()
            raise DeliveryError("timed out", maybe_delivered=True)
        return await super().perform(action)


async def test_sends_that_hang_in_every_slot_hold_no_other_chat_back(store: Store, clock) -> None:
    hung = {f"stuck{i}" for i in range(6)}
    channel = HangingChannel(hung)
    # two slots and six chats whose sends hang: each gives its slot back once stalled
    sender = Sender(store, {"rec": channel}, clock, concurrency=2, stalled_after=0.05)
    outbox = Outbox(store, clock, {"rec": channel.capabilities}, wake=sender.wake)
    await sender.start()
    try:
        for chat in sorted(hung):
            await outbox.enqueue([Reply(chat_id=chat, text="stuck")], "rec")
        await outbox.enqueue([Reply(chat_id="free", text="answered")], "rec")

        async def sent() -> list[str]:
            return texts(channel)

        assert await eventually(sent, lambda t: t == ["answered"]) == ["answered"]
        assert channel.hanging == len(hung)  # still hanging, all of them
    finally:
        channel.forever.set()
        await sender.stop()


async def test_a_platform_wide_429_is_reported_as_one(store: Store, clock) -> None:
    log: list[tuple[object, ...]] = []
    channel = LoggedChannel(log)
    sender = Sender(store, {"rec": channel}, clock, limiter=ToldLimiter(log))
    channel.failures.append(DeliveryError("429: global", retry_after=2, platform_wide=True))
    await Outbox(store, clock, {}).enqueue([Reply(chat_id="a", text="x")], "rec")
    await sender.start()
    await sender.caught_up()  # the retry is due in 2 s by a clock that stands still
    await sender.stop()
    assert log[0] == ("start",) and log[-1] == ("stop",)
    assert ("pause", "rec", "a", 2, True) in log


async def test_a_429_for_one_chat_holds_only_that_chat(clock) -> None:
    limits = RateLimits({"rec": (), "other": ()}, clock)
    await limits.pause("rec", "a", 30)
    held = asyncio.create_task(limits.acquire("rec", "a"))
    await limits.acquire("rec", "b")  # another chat: at once
    await asyncio.sleep(0)
    assert not held.done()
    await limits.pause("rec", "a", 5)  # a shorter pause does not shorten it
    clock.advance(29)
    await limits.acquire("rec", "b")
    assert not held.done()
    clock.advance(1)
    await held  # the pause is over by the bot's clock


async def test_a_platform_wide_429_holds_the_channel_and_no_other(clock) -> None:
    limits = RateLimits({"rec": (), "other": ()}, clock)
    await limits.pause("rec", "a", 10, platform_wide=True)
    held = asyncio.create_task(limits.acquire("rec", "b"))
    await limits.acquire("other", "b")  # another channel: at once
    await asyncio.sleep(0)
    assert not held.done()
    clock.advance(10)
    await held


async def test_idle_waits_for_sends_in_flight(store: Store, clock) -> None:
    release = asyncio.Event()
    entered = asyncio.Event()

    class SlowChannel(RecordingChannel):
        async def perform(self, action: Action) -> str | None:
            entered.set()
            await release.wait()
            return await super().perform(action)

    channel = SlowChannel("rec")
    sender = Sender(store, {"rec": channel}, clock)
    outbox = Outbox(store, clock, {"rec": channel.capabilities}, wake=sender.wake)
    await sender.start()
    try:
        await outbox.enqueue([Reply(chat_id="a", text="slow")], "rec")
        await entered.wait()
        idle = asyncio.create_task(sender.idle())
        for _ in range(20):
            await asyncio.sleep(0)
        assert not idle.done()  # a send is in flight
        release.set()
        await idle
        assert texts(channel) == ["slow"]
        (delivered,) = await store.outbox("delivered")  # and its outcome recorded
        assert delivered.platform_message_id == "1000"
    finally:
        release.set()
        await sender.stop()


async def test_idle_sees_rows_enqueued_before_it_was_asked(store: Store, clock) -> None:
    channel = RecordingChannel("rec")
    sender = Sender(store, {"rec": channel}, clock, idle_poll=60)
    await sender.start()
    try:
        await sender.idle()  # nothing yet
        # rows stored without waking the sender (another process's CLI, say)
        await Outbox(store, clock, {}).enqueue([Reply(chat_id=c, text=c) for c in "xyz"], "rec")
        await sender.idle()
        assert sorted(texts(channel)) == ["x", "y", "z"]
    finally:
        await sender.stop()


async def test_caught_up_does_not_wait_for_a_retry_that_is_not_due(store: Store, clock) -> None:
    channel = RecordingChannel("rec")
    channel.failures.append(DeliveryError("429", retry_after=30))
    sender = Sender(store, {"rec": channel}, clock)
    outbox = Outbox(store, clock, {"rec": channel.capabilities}, wake=sender.wake)
    await sender.start()
    try:
        await outbox.enqueue(
            [Reply(chat_id="a", text="later"), Reply(chat_id="b", text="now")], "rec"
        )
        await sender.caught_up()
        assert texts(channel) == ["now"]
        (pending,) = await store.outbox("pending")
        assert pending.chat_id == "a"
    finally:
        await sender.stop()


async def test_idle_waits_for_a_reply_still_owed_on_its_retry(store: Store, clock) -> None:
    channel = RecordingChannel("rec")
    channel.failures.append(DeliveryError("503: try later"))
    sender = Sender(store, {"rec": channel}, clock, idle_poll=0.05)
    outbox = Outbox(store, clock, {"rec": channel.capabilities}, wake=sender.wake)
    await sender.start()
    try:
        await outbox.enqueue([Reply(chat_id="a", text="owed")], "rec")
        await sender.caught_up()  # tried once, failed: its retry is a backoff away
        owed = asyncio.create_task(sender.idle())
        await sender.caught_up()  # the sender looked again since idle() was asked
        assert texts(channel) == []
        assert not owed.done()  # the reply is still owed: not idle
        clock.advance(300)  # past any backoff of a first retry
        async with asyncio.timeout(10):
            await owed
        assert texts(channel) == ["owed"]  # idle came only once it was delivered
        (row,) = await store.outbox("delivered")
        assert row.attempts == 2
    finally:
        await sender.stop()


async def test_idle_is_not_held_by_rows_of_a_channel_the_sender_does_not_serve(
    store: Store, clock
) -> None:
    channel = RecordingChannel("rec")
    sender = Sender(store, {"rec": channel}, clock, idle_poll=60)
    await Outbox(store, clock, {}).enqueue([Reply(chat_id="x", text="elsewhere")], "other")
    await sender.start()
    try:
        async with asyncio.timeout(10):
            await sender.idle()
        assert channel.sent == []
        (pending,) = await store.outbox("pending")  # another sender's work, left alone
        assert pending.channel == "other"
    finally:
        await sender.stop()


async def test_a_stop_keeps_a_reply_waiting_on_its_retry_and_the_next_start_sends_it(
    store: Store, db_url: str, clock
) -> None:
    channel = RecordingChannel("rec")
    channel.failures.append(DeliveryError("timed out", maybe_delivered=True))
    first = Sender(store, {"rec": channel}, clock, unanswered_retry_delay=30)
    await Outbox(store, clock, {}).enqueue([Reply(chat_id="a", text="kept")], "rec")
    await first.start()
    await first.caught_up()  # tried, answer lost: its retry is 30 s away
    await first.stop()  # a graceful stop while the reply is owed
    (row,) = await store.outbox("pending")
    assert (row.attempts, row.lease_until) == (1, None)
    assert row.next_attempt_at is not None
    # the next process (its own engine, a new sender id) sends it once it is due
    other = Store.open(db_url)
    resent = RecordingChannel("rec")
    second = Sender(other, {"rec": resent}, clock, idle_poll=0.05)
    await second.start()
    try:
        await second.caught_up()
        assert resent.sent == []  # not before its retry time
        clock.advance(30)
        async with asyncio.timeout(10):
            await second.idle()
        assert texts(channel) == [] and texts(resent) == ["kept"]
    finally:
        await second.stop()
        await other.close()
    (delivered,) = await store.outbox("delivered")
    assert delivered.attempts == 2 and delivered.claimed_by == second.lease.owner


async def test_rows_are_split_at_the_channels_limit_and_staff_alerts_fan_out(
    store: Store, clock
) -> None:
    woken: list[bool] = []
    narrow = RecordingChannel("narrow", max_length=40)
    plain = RecordingChannel("plain")
    outbox = Outbox(
        store,
        clock,
        {"narrow": narrow.capabilities, "plain": plain.capabilities},
        staff_chats=(StaffChat("narrow", "desk"), StaffChat("plain", "room")),
        desks={"narrow"},
        wake=lambda: woken.append(True),
    )
    claim = Button(label="Claim", data="staff:claim:1")
    reply = Reply(chat_id="u", text="word " * 30, reply_to="9", buttons=((claim,),))
    rows = outbox.rows([reply], "narrow", conversation_id=5, priority=2, sender="agent:ana")
    assert len(rows) > 1 and all(len(r.action["text"]) <= 40 for r in rows)
    assert [r.action["reply_to"] for r in rows] == ["9"] + [None] * (len(rows) - 1)
    assert [bool(r.action["buttons"]) for r in rows] == [False] * (len(rows) - 1) + [True]
    assert {(r.channel, r.chat_id, r.conversation_id, r.priority, r.sender) for r in rows} == {
        ("narrow", "u", 5, 2, "agent:ana")
    }
    assert len(outbox.rows([reply], "plain")) == 1  # the same reply fits elsewhere whole

    alert = AlertStaff(text="New ticket #1", evidence=(("uid", "42"),), buttons=((claim,),))
    staff = {r.chat_id: r.action for r in outbox.rows([alert], "ignored")}
    assert set(staff) == {"desk", "room"}
    assert staff["desk"]["text"] == "New ticket #1\nuid: 42" and staff["desk"]["buttons"]
    assert staff["room"]["buttons"] == []  # not a desk: nothing to press there

    assert await outbox.enqueue([Reply(chat_id="u", text="hi")], "plain") == 1
    assert woken == [True]
    (row,) = await store.outbox("pending")
    assert (row.channel, row.chat_id, row.action["text"]) == ("plain", "u", "hi")


def test_a_split_notice_is_pinned_once_with_its_buttons_last() -> None:
    link = Button(label="Details", url="https://example.com/notice")
    notice = Reply(chat_id="c", text="news " * 30, pin=True, buttons=((link,),))
    parts = split_reply(notice, RecordingChannel(max_length=50).capabilities)
    assert len(parts) > 1
    assert [p.pin for p in parts] == [True] + [False] * (len(parts) - 1)
    assert [bool(p.buttons) for p in parts] == [False] * (len(parts) - 1) + [True]
    assert split_reply(notice, None) == [notice]
