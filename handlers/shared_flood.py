"""Flood counters that every process of a bot counts together (a ``FloodCounter``).

Behind a load balancer, one user's messages reach several processes; each counting
alone would let a flood through at N times the limit, and tell the user to slow down N
times. :class:`SharedFloodGate` keeps each conversation's bucket in a shared store
(Redis, ``storage.redis_buckets``), changed in one atomic step per message, with the
arithmetic of ``handlers.flood.FloodGate``, by the pipeline's clock. When the store
fails, this process's own ``FloodGate`` counts (a message is never lost to it), said
once in the log, and the store is tried again after a backoff (``handlers.fallback``).
"""

from __future__ import annotations

import json
from typing import Any, Protocol

from handlers.fallback import StoreFallback
from handlers.flood import PERIOD, RATE, FloodGate


class FloodStore(Protocol):
    """The atomic step of a shared flood counter
    (``storage.redis_buckets.RedisBuckets.flood``); may raise when the store is
    unreachable, and must not retry by itself."""

    async def flood(self, key: str, now: float, rate: int, period: float) -> tuple[bool, bool]:
        """(admitted, first refusal) for one more message of ``key`` at ``now``."""
        ...


class SharedFloodGate:
    """``rate`` messages per ``period`` seconds per conversation, counted in
    ``store`` for every process, in bursts up to ``rate``."""

    def __init__(
        self,
        store: FloodStore,
        rate: int = RATE,
        period: float = PERIOD,
        *,
        fallback: StoreFallback | None = None,
    ) -> None:
        self.rate = rate
        self.period = period
        self._store = store
        self._local = FloodGate(rate, period)
        self.fallback = fallback or StoreFallback("flood counters")

    def __repr__(self) -> str:
        return f"SharedFloodGate({self.rate}/{self.period}s, {self._store!r})"

    async def admit(self, key: Any, now: float) -> tuple[bool, bool]:
        """(admitted, first refusal) at ``now`` (seconds), from the store, or from this
        process's counts while it is down."""
        name = "flood:" + json.dumps(key, default=str, ensure_ascii=False)
        counted = await self.fallback.run(
            lambda: self._store.flood(name, now, self.rate, self.period)
        )
        if counted is None:
            return await self._local.admit(key, now)
        return counted
