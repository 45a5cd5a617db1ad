"""Rate limits shared through Redis: two senders (as two processes would have, each
with its own client) together stay within a platform's limits, a 429 seen by one holds
the other, and a Redis that stops answering costs no send: local limits take over,
said once, and Redis is used again when it is back."""

from __future__ import annotations

import asyncio
import itertools
import logging
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest

from channels.base import RateRule
from handlers.fallback import StoreFallback
from handlers.shared_limits import SharedRateLimits
from storage.buckets import Taken, Window
from storage.redis_buckets import RedisBuckets
from tests.conftest import FakeClock, RedisSpace
from tests.fakes.tcp_link import TcpLink


def wall_clock() -> datetime:
    return datetime.now(UTC)


class CountedStore:
    """The real store, writing down when it counted each send and for which chat: the
    times every process's sends were let through, by the clock the limiter gave."""

    def __init__(self, inner: RedisBuckets, name: str, counted: list[tuple[int, str, str]]):
        self.inner, self.name, self.counted = inner, name, counted

    async def take(
        self, now_ms: int, token: str, pauses: tuple[str, str], windows: Sequence[Window]
    ) -> Taken:
        taken = await self.inner.take(now_ms, token, pauses, windows)
        if taken.wait == 0:
            self.counted.append((now_ms, self.name, pauses[1].rpartition(":")[2]))
        return taken

    async def answered(self, now_ms: int, token: str, windows: Sequence[Window]) -> None:
        await self.inner.answered(now_ms, token, windows)

    async def pause(self, key: str, until_ms: int, now_ms: int) -> bool:
        return await self.inner.pause(key, until_ms, now_ms)


def most_in_a_window(times: list[int], span_ms: int) -> int:
    """The most sends any window of ``span_ms`` holds, as a platform counts them."""
    times = sorted(times)
    counts = (sum(1 for t in times[i:] if t < start + span_ms) for i, start in enumerate(times))
    return max(counts, default=0)


async def assert_held(limiter: SharedRateLimits, channel: str, chat: str) -> None:
    """A send to ``chat`` waits while sends to other chats, asked for after it, go."""
    held = asyncio.create_task(limiter.acquire(channel, chat))
    for _ in range(3):
        await limiter.acquire(channel, f"elsewhere-{uuid.uuid4().hex[:6]}")
    assert not held.done()
    held.cancel()


async def test_two_processes_sending_together_stay_within_the_platform_limits(
    redis_space: RedisSpace,
) -> None:
    # a platform-wide 10 per 0.5 s, and 2 per 0.5 s per chat
    rules = {"rec": (RateRule("global", 10, 0.5), RateRule("chat", 2, 0.5))}
    counted: list[tuple[int, str, str]] = []
    clients = [RedisBuckets.from_url(redis_space.url, redis_space.prefix) for _ in range(2)]
    limiters = [
        SharedRateLimits(rules, CountedStore(client, f"process-{i}", counted), wall_clock)
        for i, client in enumerate(clients)
    ]
    # a broadcast of 40 sends split over both processes; every fourth one to one busy chat
    chats = ["busy" if n % 4 == 0 else f"chat-{n}" for n in range(40)]
    try:
        async with asyncio.timeout(60):
            await asyncio.gather(
                *(limiters[n % 2].acquire("rec", chat) for n, chat in enumerate(chats))
            )
    finally:
        for client in clients:
            await client.close()
    assert len(counted) == 40
    assert sorted(name for _, name, _ in counted) == ["process-0"] * 20 + ["process-1"] * 20
    # what the platform would count, both processes together: never over its limit
    assert most_in_a_window([t for t, _, _ in counted], 500) <= 10
    assert most_in_a_window([t for t, _, chat in counted if chat == "busy"], 500) <= 2
    assert not any(limiter.fallback.down for limiter in limiters)


async def test_a_429_seen_by_one_process_holds_the_others_sends_to_that_chat(
    redis_space: RedisSpace, clock
) -> None:
    rules: dict[str, tuple[RateRule, ...]] = {"rec": (), "other": ()}
    clients = [RedisBuckets.from_url(redis_space.url, redis_space.prefix) for _ in range(2)]
    first, second = (SharedRateLimits(rules, client, clock) for client in clients)
    try:
        async with asyncio.timeout(30):
            await first.pause("rec", "a", 30)
            held = asyncio.create_task(second.acquire("rec", "a"))
            await second.acquire("rec", "b")  # another chat: at once
            await second.acquire("other", "a")  # the same chat id on another channel too
            assert not held.done()
            await second.pause("rec", "a", 5)  # a shorter pause does not shorten it
            clock.advance(29)
            await second.acquire("rec", "b")
            assert not held.done()
            clock.advance(1)
            await held  # over, by the bot's clock, in every process

            # a platform-wide 429: every chat of that channel waits, in the other process too
            await second.pause("rec", "x", 10, platform_wide=True)
            await assert_held_platform_wide(first)
            clock.advance(10)
            await first.acquire("rec", "z")
    finally:
        for client in clients:
            await client.close()


async def assert_held_platform_wide(limiter: SharedRateLimits) -> None:
    held = [asyncio.create_task(limiter.acquire("rec", chat)) for chat in ("y", "z")]
    for _ in range(3):
        await limiter.acquire("other", "y")  # another channel: at once
    assert not any(task.done() for task in held)
    for task in held:
        task.cancel()


async def test_a_redis_that_stops_answering_costs_no_send_and_is_used_again_when_back(
    redis_space: RedisSpace, clock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="handlers.fallback")

    def lines(level: int) -> list[str]:
        return [
            r.getMessage()
            for r in caplog.records
            if r.name == "handlers.fallback" and r.levelno == level
        ]

    target = urlsplit(redis_space.url)
    rules = {"rec": (RateRule("chat", 1, 60),)}  # one send per chat per minute
    async with TcpLink(target.hostname or "127.0.0.1", target.port or 6379) as proxy:
        through = RedisBuckets.from_url(
            f"redis://127.0.0.1:{proxy.port}{target.path}", redis_space.prefix
        )
        direct = RedisBuckets.from_url(redis_space.url, redis_space.prefix)
        quick = StoreFallback("rate limits", first_retry=0.05, max_retry=0.2)
        process = SharedRateLimits(rules, through, clock, fallback=quick)
        other = SharedRateLimits(rules, direct, clock)
        try:
            async with asyncio.timeout(60):
                await process.acquire("rec", "a")
                await assert_held(other, "rec", "a")  # counted in Redis, for both

                await proxy.cut()  # Redis stops answering mid-run
                for chat in ("d", "e", "f"):
                    await process.acquire("rec", chat)  # sends go on
                await assert_held(process, "rec", "d")  # under this process's own limits
                await process.pause("rec", "p", 30)  # a 429 meanwhile: kept here
                assert len(lines(logging.WARNING)) == 1
                assert "rate limits" in lines(logging.WARNING)[0]

                await proxy.mend()
                tries = 0
                while not lines(logging.INFO):  # the retry finds it back
                    tries += 1
                    await process.acquire("rec", f"meanwhile-{tries}")
                    await asyncio.sleep(0.02)
                await process.acquire("rec", "g")
                await assert_held(other, "rec", "g")  # shared again
                await assert_held(other, "rec", "p")  # and the 429 it missed was handed over
        finally:
            await through.close()
            await direct.close()
    assert len(lines(logging.WARNING)) == 1
    assert len(lines(logging.INFO)) == 1


class LateWaker:
    """The real store, and the bot's clock moved on by each refusal's wait plus
    ``late_ms``: every waiter wakes that long after the time it was given, as one in a
    busy process does. The times the sends were counted are written down."""

    def __init__(self, inner: RedisBuckets, clock: FakeClock, late_ms: int, counted: list[int]):
        self.inner, self.clock, self.late_ms, self.counted = inner, clock, late_ms, counted

    async def take(
        self, now_ms: int, token: str, pauses: tuple[str, str], windows: Sequence[Window]
    ) -> Taken:
        taken = await self.inner.take(now_ms, token, pauses, windows)
        if taken.wait == 0:
            self.counted.append(now_ms)
        else:
            self.clock.advance((round(taken.wait * 1000) + self.late_ms) / 1000)
        return taken

    async def answered(self, now_ms: int, token: str, windows: Sequence[Window]) -> None:
        await self.inner.answered(now_ms, token, windows)

    async def pause(self, key: str, until_ms: int, now_ms: int) -> bool:
        return await self.inner.pause(key, until_ms, now_ms)


async def test_waiters_that_wake_late_still_send_at_the_platform_limit(
    redis_space: RedisSpace, clock: FakeClock
) -> None:
    # a broadcast from two processes at a platform-wide 30 per 0.25 s; every waiter
    # wakes 1 ms late. The window (30 per 0.253 s) holds the rate, and late wake-ups
    # must not stretch each gap of the even pace instead (that cost 1 in 30 at 30/s)
    late, span = 1, 253
    rules = {"rec": (RateRule("global", 30, 0.25),)}
    counted: list[int] = []
    clients = [RedisBuckets.from_url(redis_space.url, redis_space.prefix) for _ in range(2)]
    limiters = [
        SharedRateLimits(rules, LateWaker(client, clock, late, counted), clock)
        for client in clients
    ]
    try:
        async with asyncio.timeout(60):
            for n in range(61):
                await limiters[n % 2].acquire("rec", f"chat-{n}")
    finally:
        for client in clients:
            await client.close()
    assert len(counted) == 61
    assert most_in_a_window(counted, span) <= 30  # never over the limit, margin kept
    # 61 sends: two full windows, each late by one wake-up at most
    assert counted[-1] - counted[0] <= 2 * (span + late)
    gaps = [b - a for a, b in itertools.pairwise(counted)]
    assert min(gaps) >= 7  # still spread out: 90% of the even pace (8.3 ms) apart at least


async def test_sends_that_reach_the_platform_late_never_fill_its_window_twice(
    redis_space: RedisSpace,
) -> None:
    # two processes broadcast at a platform-wide 30 per 0.25 s; one send in seven
    # reaches the platform 60 ms after it was let go (a busy event loop, a slow write
    # beside it), the others at once. The platform counts arrivals; a send counted only
    # from when it went left a late one and the 30 after it in one of its windows
    rules = {"rec": (RateRule("global", 30, 0.25),)}
    arrivals: list[int] = []
    clients = [RedisBuckets.from_url(redis_space.url, redis_space.prefix) for _ in range(2)]
    limiters = [SharedRateLimits(rules, client, wall_clock) for client in clients]

    async def send(n: int) -> None:
        limiter = limiters[n % 2]
        token = await limiter.acquire("rec", f"chat-{n}")
        await asyncio.sleep(0.06 if n % 7 == 3 else 0)  # on its way to the platform
        arrivals.append(int(wall_clock().timestamp() * 1000))
        await limiter.answered("rec", f"chat-{n}", token)

    try:
        async with asyncio.timeout(60):
            await asyncio.gather(*(send(n) for n in range(91)))
    finally:
        for client in clients:
            await client.close()
    assert len(arrivals) == 91
    assert most_in_a_window(arrivals, 250) <= 30
