"""Flood control for inbound messages: one user cannot drown the bot.

Every message is still recorded (nothing is lost) and still read by the guard (a
spammer's scam links are still removed), but past the limit the answering stages skip
it, and the user is told once to slow down. Other users are not affected: each
conversation has its own leaky bucket. The bucket leaks by the pipeline's clock, not
the wall's, so "as of" runs and tests see exactly what the limit allows.

The inbox asks a :class:`FloodCounter`: :class:`FloodGate` counts in this process;
``handlers.shared_flood.SharedFloodGate`` counts in a store every process shares, so a
user who floods through two processes is counted once. That is why ``admit`` awaits.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Protocol

MAX_TRACKED = 50_000
RATE = 20  # messages per PERIOD seconds per conversation
PERIOD = 10.0


class FloodCounter(Protocol):
    """Counts each conversation's messages against ``rate`` per ``period`` seconds.

    :meth:`admit` must not raise but for cancellation (a message is never lost to a
    counter), and must say "first refusal" at most once per period per conversation.
    """

    rate: int
    period: float

    async def admit(self, key: Any, now: float) -> tuple[bool, bool]:
        """(admitted, first refusal) for one more message of ``key`` at ``now`` (s)."""
        ...


@dataclass(slots=True)
class _Bucket:
    level: float  # messages in the bucket, leaking at rate / period per second
    at: float  # when level was last brought up to date


class FloodGate:
    """``rate`` messages per ``period`` seconds per conversation, in bursts up to ``rate``."""

    def __init__(self, rate: int = RATE, period: float = PERIOD) -> None:
        self.rate = rate
        self.period = period
        self._buckets: OrderedDict[Any, _Bucket] = OrderedDict()
        self._warned: dict[Any, float] = {}  # when each was last told to slow down

    def __repr__(self) -> str:
        return f"FloodGate({self.rate}/{self.period}s)"

    async def admit(self, key: Any, now: float) -> tuple[bool, bool]:
        """(admitted, first refusal) at ``now`` (seconds): whether to answer, and
        whether to say why not."""
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(0.0, now)
            if len(self._buckets) > MAX_TRACKED:
                old, _ = self._buckets.popitem(last=False)
                self._warned.pop(old, None)
        else:
            self._buckets.move_to_end(key)
        leaked = max(now - bucket.at, 0.0) * self.rate / self.period
        bucket.level, bucket.at = max(bucket.level - leaked, 0.0), now
        if bucket.level + 1 <= self.rate:
            bucket.level += 1
            return True, False
        # one notice per period, however the flood ebbs and flows within it
        first = now - self._warned.get(key, now - self.period) >= self.period
        if first:
            self._warned[key] = now
        return False, first
