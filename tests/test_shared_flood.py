"""Flood counters shared through Redis: a user who floods through two processes is
counted once and told once; without Redis, each process still counts on its own."""

from __future__ import annotations

import asyncio
import logging
import socket

import pytest

from bots.app import build_router
from bots.config import parse_config
from channels.base import Reply
from handlers.context import Brand
from handlers.fallback import StoreFallback
from handlers.outbox import Sender
from handlers.pipeline import Pipeline
from handlers.shared_flood import SharedFloodGate
from handlers.texts import Texts
from storage.redis_buckets import RedisBuckets
from storage.store import Store
from tests.builders import message
from tests.conftest import RedisSpace
from tests.fakes.recording import RecordingChannel


def port_nobody_listens_on() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_two_gates_count_one_conversation_once(redis_space: RedisSpace) -> None:
    clients = [RedisBuckets.from_url(redis_space.url, redis_space.prefix) for _ in range(2)]
    one, two = (SharedFloodGate(client, rate=3, period=10.0) for client in clients)
    user = ("rec", "chat-1", "user-1")
    try:
        seen = [
            await gate.admit(user, 1000.0 + i * 0.001)
            for i, gate in enumerate([one, two, one, two, one, two])
        ]
        # three admitted in all (not three per process), then told once, then quiet
        assert seen == [(True, False)] * 3 + [(False, True), (False, False), (False, False)]
        assert await two.admit(("rec", "chat-2", "user-2"), 1000.01) == (True, False)
        # a period later the bucket has leaked: the user is answered again, in either
        assert await one.admit(user, 1010.01) == (True, False)
        assert not one.fallback.down and not two.fallback.down
    finally:
        for client in clients:
            await client.close()


def pipeline(store: Store, clock, channel: RecordingChannel, flood: SharedFloodGate) -> Pipeline:
    return Pipeline(
        store=store,
        router=build_router(parse_config({})),
        texts=Texts.load(),
        brand=Brand(languages=("en",)),
        clock=clock,
        capabilities={channel.name: channel.capabilities},
        flood=flood,
    )


async def test_a_user_flooding_through_two_processes_is_slowed_down_once(
    redis_space: RedisSpace, store: Store, clock
) -> None:
    channel = RecordingChannel("rec")
    clients = [RedisBuckets.from_url(redis_space.url, redis_space.prefix) for _ in range(2)]
    processes = [pipeline(store, clock, channel, SharedFloodGate(c)) for c in clients]
    flood = [
        message(f"hello there, this is message number {i}", channel="rec", chat_id="spammer")
        for i in range(60)
    ]
    try:
        # a load balancer hands the user's messages to both processes in turn
        await asyncio.gather(*(processes[i % 2].dispatch(m) for i, m in enumerate(flood)))
    finally:
        for client in clients:
            await client.close()
    await Sender(store, {"rec": channel}, clock).drain()
    to_spammer = [a for a in channel.sent if isinstance(a, Reply) and a.chat_id == "spammer"]
    notices = [a for a in to_spammer if "faster than I can read" in a.text]
    assert len(notices) == 1  # told once in all, not once per process
    rate = processes[0].flood.rate
    assert rate + 1 <= len(to_spammer) <= rate + 3  # the limit counted once, not twice
    assert len([m for m in await store.messages("in") if m.chat_id == "spammer"]) == 60


async def test_without_redis_each_process_counts_alone_and_says_so_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="handlers.fallback")
    gone = RedisBuckets.from_url(f"redis://127.0.0.1:{port_nobody_listens_on()}/0", "x")
    gate = SharedFloodGate(gone, rate=2, period=10.0, fallback=StoreFallback("flood counters"))
    user = ("rec", "chat", "user")
    try:
        seen = [await gate.admit(user, 1000.0 + i) for i in range(4)]
    finally:
        await gone.close()
    assert seen == [(True, False), (True, False), (False, True), (False, False)]
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "flood counters" in warnings[0].getMessage()
