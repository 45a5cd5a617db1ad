"""An even pace under a platform-wide limit, counted the way the platform counts.

A leaky bucket that starts full lets a whole period's sends out at once, and while it
refills the platform counts up to twice its limit in the first period (a 300-message
broadcast met 38 answers of 429). Spacing sends evenly removes the burst, but after a
stall (a slow answer, a busy event loop) two sends can still leave close together, and
the platform, which counts any sliding window, sees one too many (16 of 10,000 at
a limit of 30/s). :class:`PacedWindow` does both: sends at least ``period / rate``
apart, and never more than ``rate`` within a window slightly longer than ``period``,
so arrival jitter does not tip a full window over.
"""

from __future__ import annotations

import asyncio
from collections import deque

SAFETY = 1.04  # the window counted here is 4% longer than the platform's


class PacedWindow:
    """Awaitable permission for one send at a time, in FIFO order."""

    def __init__(self, rate: float, period: float) -> None:
        self.capacity = max(int(rate), 1)
        self.interval = period / rate
        self.window = period * SAFETY
        self._sent: deque[float] = deque()
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:
        return f"PacedWindow({self.capacity} per {self.window:.2f}s)"

    async def acquire(self) -> None:
        """Wait until one more send keeps both the pace and the window."""
        async with self._lock:  # waiters go in the order they came
            loop = asyncio.get_running_loop()
            while True:
                now = loop.time()
                while self._sent and self._sent[0] <= now - self.window:
                    self._sent.popleft()
                wait = self._sent[-1] + self.interval - now if self._sent else 0.0
                if len(self._sent) >= self.capacity:
                    wait = max(wait, self._sent[0] + self.window - now)
                if wait <= 0:
                    self._sent.append(now)
                    return
                await asyncio.sleep(wait)
