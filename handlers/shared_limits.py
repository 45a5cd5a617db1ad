"""Rate limits that every process of a bot counts together (a ``RateLimiter``).

Several processes send for one bot, and a platform counts their sends together: N
senders each keeping a platform's 30/s in their own memory send at N x 30/s, into 429s.
:class:`SharedRateLimits` keeps the buckets in a shared store (Redis, through
``storage.redis_buckets``): each send is counted in one atomic step in every bucket
that applies to it, so the senders of every process together stay within each limit,
and a pause after a 429 holds that bucket for every process.

The buckets are the channels' declared ``RateRule``\\ s, as in
``handlers.ratelimit.RateLimits``: per chat, and one platform-wide per channel, paced
evenly with a window 1% longer than the platform's (``handlers.pacing``); each send is
counted from its answer once that came back, in every bucket it was counted in, as the
platform cannot have counted it later. Time is the bot's injected clock, shared by the
processes as wall time.

When the store fails, sends are limited by this process's own ``RateLimits`` (a reply
is never lost to a lost store), said once in the log, and the store is tried again
after a backoff (``handlers.fallback``). Meanwhile each process counts only its own
sends; a pause that could not reach the store is handed to it when it is back.
"""

from __future__ import annotations

import asyncio
import math
import uuid
from collections import OrderedDict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Protocol

from channels.base import RateRule
from handlers.fallback import StoreFallback
from handlers.pacing import SAFETY
from handlers.ratelimit import MAX_PAUSES, PAUSE_STEP, Clock, RateLimits
from storage.buckets import Taken, Window


def _utc_now() -> datetime:
    return datetime.now(UTC)


class BucketStore(Protocol):
    """The atomic steps of a shared store (``storage.redis_buckets.RedisBuckets``).

    Each step is atomic across every process that uses the store, and takes its time
    from the caller. A step may raise anything when the store is unreachable: the
    limiter falls back; it must not retry or wait by itself.
    """

    async def take(
        self, now_ms: int, token: str, pauses: tuple[str, str], windows: Sequence[Window]
    ) -> Taken:
        """Count the send ``token`` in every window if all have room and neither pause
        (the channel's, the chat's) runs; else count nothing and say how long to wait."""
        ...

    async def answered(self, now_ms: int, token: str, windows: Sequence[Window]) -> None:
        """Count the send ``token`` from ``now_ms`` in each of ``windows``."""
        ...

    async def pause(self, key: str, until_ms: int, now_ms: int) -> bool:
        """Hold back what waits on pause ``key`` until ``until_ms``, never shortening
        a longer pause; whether it was lengthened."""
        ...


class SharedRateLimits:
    """A ``RateLimiter`` over a :class:`BucketStore`, with this process's
    ``RateLimits`` for when the store fails.

    In this process, waiters on a channel's platform-wide bucket take turns in the
    order they came (a FIFO lock per channel, held only while the channel-wide bucket
    or pause is what holds the send back); a send held by its own chat's bucket waits
    outside that turn, so it never delays another chat. Across processes, the first
    to ask once there is room gets it.
    """

    def __init__(
        self,
        rules: dict[str, tuple[RateRule, ...]],
        store: BucketStore,
        clock: Clock = _utc_now,
        *,
        local: RateLimits | None = None,
        fallback: StoreFallback | None = None,
    ) -> None:
        self._rules = rules
        self._store = store
        self._clock = clock
        self._local = local or RateLimits(rules, clock)
        self.fallback = fallback or StoreFallback("rate limits")
        self._turns: dict[str, asyncio.Lock] = {}
        # pauses the store missed while it was down, handed to it when it is back
        self._unshared: OrderedDict[str, int] = OrderedDict()

    def __repr__(self) -> str:
        return f"SharedRateLimits({sorted(self._rules)}, {self._store!r})"

    async def start(self) -> None:
        """The store connects on first use; the local limits need nothing."""
        await self._local.start()

    async def stop(self) -> None:
        """The store's connection is its owner's (the composition root) to close."""
        await self._local.stop()

    async def acquire(self, channel: str, chat_id: str) -> str:
        """Wait until one more send to ``chat_id`` on ``channel`` fits every bucket in
        the store (or, while it is down, this process's), and count it."""
        pauses = (_pause_key(channel, None), _pause_key(channel, chat_id))
        windows = self._windows(channel, chat_id)
        token = uuid.uuid4().hex
        while True:
            async with self._turn(channel):
                wait = await self._take_in_turn(token, pauses, windows)
            if wait is None:
                return LOCAL + await self._local.acquire(channel, chat_id)
            if wait <= 0:
                return token
            await asyncio.sleep(min(wait, PAUSE_STEP))  # the chat's own wait: out of turn

    async def answered(self, channel: str, chat_id: str, token: str) -> None:
        """Count the send from now where it was counted: in the store, or in this
        process's limits when the store was down as it went."""
        if token.startswith(LOCAL):
            await self._local.answered(channel, chat_id, token.removeprefix(LOCAL))
            return
        windows = self._windows(channel, chat_id)
        await self.fallback.run(
            lambda: self._store.answered(self._now_ms(), token, windows),
            on_return=self._hand_over,
        )

    async def pause(
        self, channel: str, chat_id: str, seconds: float, *, platform_wide: bool = False
    ) -> None:
        """Hold back ``chat_id``'s sends (every chat's, ``platform_wide``) on
        ``channel`` in every process; in this one also when the store is down."""
        await self._local.pause(channel, chat_id, seconds, platform_wide=platform_wide)
        key = _pause_key(channel, None if platform_wide else chat_id)
        now = self._now_ms()
        until = now + max(math.ceil(seconds * 1000), 0)
        done = await self.fallback.run(
            lambda: self._store.pause(key, until, now), on_return=self._hand_over
        )
        if done is None:
            self._unshared[key] = max(until, self._unshared.get(key, 0))
            self._unshared.move_to_end(key)
            if len(self._unshared) > MAX_PAUSES:
                self._unshared.popitem(last=False)

    async def _take_in_turn(
        self, token: str, pauses: tuple[str, str], windows: list[Window]
    ) -> float | None:
        """0 once the send is counted; seconds to wait out of turn (the chat's own
        bucket or pause); ``None`` when the store failed."""
        while True:
            taken = await self.fallback.run(
                lambda: self._store.take(self._now_ms(), token, pauses, windows),
                on_return=self._hand_over,
            )
            if taken is None or taken.wait <= 0 or not taken.channel_wide:
                return None if taken is None else taken.wait
            await asyncio.sleep(min(taken.wait, PAUSE_STEP))

    async def _hand_over(self) -> None:
        """Give the store back the pauses it missed that still run."""
        now = self._now_ms()
        while self._unshared:
            key, until = next(iter(self._unshared.items()))
            if until > now:
                await self._store.pause(key, until, now)
            del self._unshared[key]

    def _turn(self, channel: str) -> asyncio.Lock:
        lock = self._turns.get(channel)
        if lock is None:
            lock = self._turns[channel] = asyncio.Lock()
        return lock

    def _windows(self, channel: str, chat_id: str) -> list[Window]:
        windows = []
        for index, rule in enumerate(self._rules.get(channel, ())):
            if rule.applies_to(chat_id):
                windows.append(_window(channel, index, rule, chat_id))
        return windows

    def _now_ms(self) -> int:
        return int(self._clock().timestamp() * 1000)


LOCAL = "local:"  # a token counted by this process's limits, the store being down

# A platform-wide pace lets a send go up to 10% before its even slot. A waiter wakes a
# little after the time it was given (its sleep, the round trip to Redis, a busy event
# loop: 1-2 ms at 30/s), and each late wake-up lengthened the next gap: at a spacing of
# the full period/rate the pace, not the window, set the rate (two processes: 27.96
# messages/s where the window allows 28.85). The window keeps the limit; the pace only
# spreads a burst out.
SPACING = 0.9


def _window(channel: str, index: int, rule: RateRule, chat_id: str) -> Window:
    """Rule number ``index`` of ``channel`` as a store window: ``capacity`` sends per
    span (a fractional rate keeps its average: 0.5/s is 1 per 2 s), 1% longer than the
    platform's; a platform-wide one also paced evenly, as ``handlers.pacing`` does,
    with the slack of ``SPACING``."""
    wide = rule.scope == "global"
    capacity = max(int(rule.rate), 1)
    key = f"limit:{channel}:{index}" + ("" if wide else f":chat:{chat_id}")
    return Window(
        key=key,
        capacity=capacity,
        span_ms=math.ceil(rule.period * capacity / rule.rate * SAFETY * 1000),
        spacing_ms=math.floor(rule.period / rule.rate * SPACING * 1000) if wide else 0,
        channel_wide=wide,
    )


def _pause_key(channel: str, chat_id: str | None) -> str:
    return f"pause:{channel}" if chat_id is None else f"pause:{channel}:chat:{chat_id}"
