"""Per-bucket rate limits for outgoing traffic in one process (a ``RateLimiter``).

Each channel's ``Capabilities.rate_limits`` names its platform's limits; every chat gets
its own bucket, so a busy group never slows a private chat, and a 429 for one chat
pauses only that chat's buckets (the outbox also reschedules its row), never all
traffic. Only a platform-wide 429 pauses a whole channel. See
``handlers.ratelimiter.RateLimiter`` for the contract.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from aiolimiter import AsyncLimiter

from channels.base import RateRule
from handlers.pacing import PacedWindow

MAX_CHAT_BUCKETS = 50_000
MAX_PAUSES = 50_000
# how long a paused send sleeps before it reads the clock again: the clock is the
# bot's (injected), so it may move by other means than the event loop's time
PAUSE_STEP = 0.5

Clock = Callable[[], datetime]
_WHOLE_CHANNEL = ""  # the chat key of a channel's platform-wide pause


def _utc_now() -> datetime:
    return datetime.now(UTC)


class RateLimits:
    """Buckets keyed by channel, rule and chat: an even pace for platform-wide rules,
    leaky buckets (aiolimiter) per chat; pauses after a 429 by the given clock."""

    def __init__(self, rules: dict[str, tuple[RateRule, ...]], clock: Clock = _utc_now) -> None:
        self._rules = rules
        self._clock = clock
        self._buckets: OrderedDict[tuple[str, int, str], AsyncLimiter | PacedWindow] = OrderedDict()
        self._paused: OrderedDict[tuple[str, str], datetime] = OrderedDict()
        self._tokens = itertools.count(1)

    def __repr__(self) -> str:
        return f"RateLimits({sorted(self._rules)})"

    async def start(self) -> None:
        """Nothing to open: the buckets live in this process."""

    async def stop(self) -> None:
        """Nothing to release."""

    async def acquire(self, channel: str, chat_id: str) -> str:
        """Wait until one more send to ``chat_id`` on ``channel`` fits every rule; the
        send's token, for :meth:`answered`."""
        token = str(next(self._tokens))
        if self._paused:
            await self._wait_pauses(channel, chat_id)
        for index, rule in enumerate(self._rules.get(channel, ())):
            if not rule.applies_to(chat_id):
                continue
            key = (channel, index, "" if rule.scope == "global" else chat_id)
            bucket = self._bucket(key, rule)
            if isinstance(bucket, PacedWindow):
                await bucket.acquire(token)
            else:
                await bucket.acquire()
        return token

    async def answered(self, channel: str, chat_id: str, token: str) -> None:
        """The platform-wide windows count the send from now (see ``handlers.pacing``);
        a chat's leaky bucket keeps counting it from when it went, its burst being
        what lets the parts of one long reply go together."""
        for index, rule in enumerate(self._rules.get(channel, ())):
            if rule.scope == "global":
                bucket = self._buckets.get((channel, index, ""))
                if isinstance(bucket, PacedWindow):
                    bucket.answered(token)

    async def pause(
        self, channel: str, chat_id: str, seconds: float, *, platform_wide: bool = False
    ) -> None:
        """Hold back ``chat_id``'s sends (every chat's, ``platform_wide``) on ``channel``."""
        key = (channel, _WHOLE_CHANNEL if platform_wide else chat_id)
        until = self._clock() + timedelta(seconds=max(seconds, 0.0))
        if key in self._paused and self._paused[key] >= until:
            return
        self._paused[key] = until
        self._paused.move_to_end(key)
        if len(self._paused) > MAX_PAUSES:
            self._paused.popitem(last=False)  # the pause set longest ago

    async def _wait_pauses(self, channel: str, chat_id: str) -> None:
        for key in ((channel, _WHOLE_CHANNEL), (channel, chat_id)):
            while key in self._paused:
                left = (self._paused[key] - self._clock()).total_seconds()
                if left <= 0:
                    del self._paused[key]
                    break
                await asyncio.sleep(min(left, PAUSE_STEP))

    def _bucket(self, key: tuple[str, int, str], rule: RateRule) -> AsyncLimiter | PacedWindow:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _limiter(rule)
            if len(self._buckets) > MAX_CHAT_BUCKETS:
                self._buckets.popitem(last=False)  # the least recently created chat bucket
        return bucket


def _limiter(rule: RateRule) -> AsyncLimiter | PacedWindow:
    """A platform-wide bucket sends at an even pace (see ``handlers.pacing``); per-chat
    buckets keep their burst, so the parts of one long reply go together."""
    if rule.scope == "global":
        return PacedWindow(rule.rate, rule.period)
    return AsyncLimiter(rule.rate, rule.period)
