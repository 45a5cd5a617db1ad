"""Flood control for inbound messages: one user cannot drown the bot.

Every message is still recorded (nothing is lost) and still read by the guard (a
spammer's scam links are still removed), but past the limit the answering stages skip
it, and the user is told once to slow down. Other users are not affected: each
conversation has its own leaky bucket (aiolimiter).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Any

from aiolimiter import AsyncLimiter

MAX_TRACKED = 50_000


class FloodGate:
    """``rate`` messages per ``period`` seconds per conversation, in bursts up to ``rate``."""

    def __init__(self, rate: int = 20, period: float = 10.0) -> None:
        self.rate = rate
        self.period = period
        self._buckets: OrderedDict[Any, AsyncLimiter] = OrderedDict()
        self._warned: dict[Any, float] = {}  # when each was last told to slow down

    def __repr__(self) -> str:
        return f"FloodGate({self.rate}/{self.period}s)"

    async def admit(self, key: Any) -> tuple[bool, bool]:
        """(admitted, first refusal): whether to answer, and whether to say why not."""
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = AsyncLimiter(self.rate, self.period)
            if len(self._buckets) > MAX_TRACKED:
                old, _ = self._buckets.popitem(last=False)
                self._warned.pop(old, None)
        else:
            self._buckets.move_to_end(key)
        if bucket.has_capacity():
            await bucket.acquire()  # immediate: there is capacity
            return True, False
        # one notice per period, however the flood ebbs and flows within it
        now = time.monotonic()
        first = now - self._warned.get(key, -self.period) >= self.period
        if first:
            self._warned[key] = now
        return False, first
