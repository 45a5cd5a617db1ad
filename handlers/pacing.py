"""An even pace under a platform-wide limit, counted the way the platform counts.

A leaky bucket that starts full lets a whole period's sends out at once, and while it
refills the platform counts up to twice its limit in the first period (a 300-message
broadcast met 38 answers of 429). Spacing sends evenly removes the burst. But the
platform counts a send when it *arrives*, which is some time after it was let go (its
request written, a busy event loop, a slow database write beside it): counted from the
moment each send was let go, a send that arrived late and the 30 after it fell into one
of the platform's sliding seconds (16 of 10,000 at 30/s on an idle machine, hundreds
in 30,000 on a busy one). A send arrives before its answer comes back, so
:class:`PacedWindow` counts each send from its answer once the answer is in
(:meth:`PacedWindow.answered`): the next send that would fill the window waits a full
period after the latest moment the platform can have counted the earlier one, however
late that was. The window is still 1% longer than the platform's, for clocks that
disagree by a few milliseconds (another process's, the platform's).
"""

from __future__ import annotations

import asyncio
from collections import deque

SAFETY = 1.01  # the window counted here is 1% longer than the platform's


class PacedWindow:
    """Awaitable permission for one send at a time, in FIFO order.

    Each send is known by the token it was let go with; its place in the window is the
    time it was let go until :meth:`answered` moves it to the time of its answer.
    """

    def __init__(self, rate: float, period: float) -> None:
        self.capacity = max(int(rate), 1)
        self.interval = period / rate
        self.window = period * SAFETY
        # (time, token) in time order: a send let go, or answered, at that time
        self._sent: deque[tuple[float, object]] = deque()
        self._last_go = float("-inf")  # the pace counts from when sends were let go
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:
        return f"PacedWindow({self.capacity} per {self.window:.2f}s)"

    async def acquire(self, token: object = None) -> None:
        """Wait until one more send keeps both the pace and the window; count it as
        ``token`` (for :meth:`answered`)."""
        async with self._lock:  # waiters go in the order they came
            loop = asyncio.get_running_loop()
            while True:
                now = loop.time()
                self._forget(now)
                wait = self._last_go + self.interval - now
                if len(self._sent) >= self.capacity:
                    wait = max(wait, self._sent[0][0] + self.window - now)
                if wait <= 0:
                    self._sent.append((now, token))
                    self._last_go = now
                    return
                await asyncio.sleep(wait)

    def answered(self, token: object) -> None:
        """The send ``token`` got its answer (or was given up): the platform counted it
        no later than now, so the window counts it from now. Every other entry is no
        later than now either, so appending keeps the window in time order."""
        now = asyncio.get_running_loop().time()
        for index, (_, held) in enumerate(self._sent):
            if held == token:
                del self._sent[index]
                break
        self._sent.append((now, token))
        self._forget(now)

    def _forget(self, now: float) -> None:
        while self._sent and self._sent[0][0] <= now - self.window:
            self._sent.popleft()
