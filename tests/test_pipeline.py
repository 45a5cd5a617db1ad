"""From message to delivery: inbox, router, outbox and sender, with crashes between."""

from __future__ import annotations

import asyncio

import pytest

from bots.app import build_router
from bots.config import parse_config
from channels.base import ChatKind, DeliveryError, Reply
from handlers.context import Brand
from handlers.outbox import Sender
from handlers.pipeline import Pipeline, StaffChat, envelope
from handlers.texts import Texts
from storage.store import Lease, NewOutbound, Store
from tests.builders import message
from tests.fakes.recording import RecordingChannel

SEED = "abandon ability able about above absent absorb abstract absurd abuse access accident"


def make(store: Store, clock, channel: RecordingChannel, **kw) -> tuple[Pipeline, Sender]:
    sender = Sender(store, {channel.name: channel}, clock, max_attempts=kw.pop("max_attempts", 8))
    pipeline = Pipeline(
        store=store,
        router=build_router(parse_config({})),
        texts=Texts.load(),
        brand=Brand(languages=("en", "zh", "vi", "de")),
        clock=clock,
        capabilities={channel.name: channel.capabilities},
        wake=sender.wake,
        **kw,
    )
    return pipeline, sender


def texts(channel: RecordingChannel) -> list[str]:
    return [a.text for a in channel.sent if isinstance(a, Reply)]


async def test_a_message_is_answered_and_both_sides_are_in_the_transcript(store, clock) -> None:
    channel = RecordingChannel("rec")
    pipeline, sender = make(store, clock, channel)
    decision = await pipeline.dispatch(message("hello", channel="rec"))
    await sender.drain()
    assert decision is not None and decision.intent == "greeting"
    assert texts(channel) == [decision.reply]
    (delivered,) = await store.outbox("delivered")
    assert delivered.platform_message_id == "1000"
    inbound = [m for m in await store.messages() if m.direction == "in"]
    transcript = await store.transcript(inbound[0].conversation_id)
    assert [m.direction for m in transcript] == ["in", "out"]


async def test_a_redelivered_update_is_answered_once(store, clock) -> None:
    channel = RecordingChannel("rec")
    pipeline, sender = make(store, clock, channel)
    msg = message("hello", channel="rec", platform_message_id="dup-1")
    await pipeline.dispatch(msg)
    assert await pipeline.dispatch(msg) is None
    await sender.drain()
    assert len(channel.sent) == 1


async def test_a_crash_after_recording_loses_nothing_and_sends_once(store, clock) -> None:
    channel = RecordingChannel("rec")
    msg = message("hello", channel="rec")

    # the process records the message, then dies before routing it
    await store.record_inbound(envelope(msg), msg.text, clock())
    restarted, sender = make(store, clock, channel)
    assert await restarted.resume() == 1
    assert await restarted.resume() == 0
    await sender.drain()
    assert len(texts(channel)) == 1
    # the platform redelivers the same update after the restart: still one answer
    assert await restarted.dispatch(msg) is None


async def test_a_crash_mid_send_resumes_the_outbox(store, clock) -> None:
    channel = RecordingChannel("rec")
    await store.enqueue(
        [NewOutbound("rec", "c", Reply(chat_id="c", text="x").model_dump(mode="json"))], clock()
    )
    died = Lease("gone-host:1:a")
    await store.claim_due(clock(), 10, lease=died)  # claimed, then the process died
    clock.advance(died.seconds + 1)  # nobody renewed its lease
    _, sender = make(store, clock, channel)
    await sender.start()  # requeues what was in flight
    for _ in range(100):
        if channel.sent:
            break
        await asyncio.sleep(0.02)
    await sender.stop()
    assert texts(channel) == ["x"]


async def test_429_retry_after_is_honoured_and_the_reply_arrives_once(store, clock) -> None:
    channel = RecordingChannel("rec")
    channel.failures.append(DeliveryError("Too Many Requests", retry_after=7))
    pipeline, sender = make(store, clock, channel)
    await pipeline.dispatch(message("hello", channel="rec"))
    await sender.drain()
    assert channel.sent == []
    (pending,) = await store.outbox("pending")
    assert pending.last_error == "Too Many Requests"
    clock.advance(6)
    await sender.drain()
    assert channel.sent == []
    clock.advance(1)
    await sender.drain()
    assert len(channel.sent) == 1


async def test_a_blocked_user_is_recorded_as_failed_without_retries(store, clock) -> None:
    channel = RecordingChannel("rec")
    channel.failures.append(DeliveryError("bot was blocked by the user", permanent=True))
    pipeline, sender = make(store, clock, channel)
    await pipeline.dispatch(message("hello", channel="rec"))
    await sender.drain()
    (failed,) = await store.outbox("failed")
    assert failed.attempts == 1 and "blocked" in failed.last_error


async def test_outages_are_retried_with_backoff_until_the_limit(store, clock) -> None:
    channel = RecordingChannel("rec")
    channel.failures.extend(ConnectionError("reset") for _ in range(3))
    pipeline, sender = make(store, clock, channel, max_attempts=3)
    await pipeline.dispatch(message("hello", channel="rec"))
    for _ in range(3):
        await sender.drain()
        clock.advance(600)
    (failed,) = await store.outbox("failed")
    assert failed.attempts == 3 and "reset" in failed.last_error
    assert channel.sent == []


async def test_a_long_reply_is_split_into_ordered_parts(store, clock) -> None:
    channel = RecordingChannel("rec", max_length=40)
    pipeline, sender = make(store, clock, channel)
    await pipeline.dispatch(message("hello", channel="rec"))
    await sender.drain()
    parts = texts(channel)
    assert len(parts) > 3 and all(len(p) <= 40 for p in parts)
    assert parts[0].startswith("Hi Alice!")
    assert " ".join(p.strip() for p in parts[-2:]).endswith("send funds.")  # the end, last


async def test_secrets_are_redacted_before_storage_and_staff_is_alerted(store, clock) -> None:
    channel = RecordingChannel("rec")
    pipeline, sender = make(store, clock, channel, staff_chats=(StaffChat("rec", "staff"),))
    await pipeline.dispatch(
        message(f"urgent {SEED}", channel="rec", chat_id="-100", chat_kind=ChatKind.GROUP)
    )
    await sender.drain()
    stored = [m.text for m in await store.messages("in")]
    assert stored == ["urgent [redacted: seed phrase]"]
    assert "abandon" not in repr(await store.outbox())
    kinds = [a.type for a in channel.sent]
    assert "delete" in kinds
    staff = [a for a in channel.sent if isinstance(a, Reply) and a.chat_id == "staff"]
    assert staff and "seed_phrase" in staff[0].text


async def test_one_users_messages_are_answered_in_order(store, clock) -> None:
    channel = RecordingChannel("rec")
    pipeline, sender = make(store, clock, channel)
    await asyncio.gather(
        *(pipeline.dispatch(message(t, channel="rec")) for t in ("/help", "/lang", "hello"))
    )
    await sender.drain()
    answers = [m.intent for m in await store.messages("in")]
    assert answers == ["help", "language_choice", "greeting"]


@pytest.mark.parametrize("text", ["\x00\x07hello\x1b[31m", "hé\udcff"])
async def test_control_and_broken_characters_never_crash(store, clock, text) -> None:
    channel = RecordingChannel("rec")
    pipeline, _ = make(store, clock, channel)
    decision = await pipeline.dispatch(message(text, channel="rec"))
    assert decision is not None and decision.reply


async def test_a_flooding_user_is_slowed_down_and_others_still_answered(store, clock) -> None:
    channel = RecordingChannel("rec")
    pipeline, sender = make(store, clock, channel)
    flood = [
        message(
            f"hello there, this is message number {i}",
            channel="rec",
            chat_id="spammer",
            sender_id="spammer",
        )
        for i in range(200)
    ]
    await asyncio.gather(*(pipeline.dispatch(m) for m in flood))
    await pipeline.dispatch(message("hello", channel="rec", chat_id="calm", sender_id="calm"))
    await sender.drain()
    to_spammer = [a for a in channel.sent if isinstance(a, Reply) and a.chat_id == "spammer"]
    notices = [a for a in to_spammer if "faster than I can read" in a.text]
    assert len(notices) == 1  # told once, not 180 times
    # a burst of `rate` is answered (the bucket leaks a little while it fills), then one notice
    assert pipeline.flood.rate + 1 <= len(to_spammer) <= pipeline.flood.rate + 3
    assert [a for a in channel.sent if isinstance(a, Reply) and a.chat_id == "calm"]
    recorded = [m for m in await store.messages("in") if m.chat_id == "spammer"]
    assert len(recorded) == 200  # nothing lost


async def test_a_flooding_spammer_still_meets_the_guard(store, clock) -> None:
    channel = RecordingChannel("rec")
    pipeline, sender = make(store, clock, channel)
    for i in range(pipeline.flood.rate + 5):
        await pipeline.dispatch(
            message(
                f"spam {i}", channel="rec", chat_id="-7", chat_kind=ChatKind.GROUP, sender_id="s"
            )
        )
    await pipeline.dispatch(
        message(
            SEED,
            channel="rec",
            chat_id="-7",
            chat_kind=ChatKind.GROUP,
            sender_id="s",
            platform_message_id="last",
        )
    )
    await sender.drain()
    assert any(a.type == "delete" and a.message_id == "last" for a in channel.sent)
