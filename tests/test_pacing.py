"""The platform-wide pace: never more sends in a window than the platform allows."""

from __future__ import annotations

import asyncio

from handlers.pacing import PacedWindow


async def test_sends_are_spaced_and_no_window_holds_more_than_the_limit() -> None:
    pace = PacedWindow(rate=20, period=0.2)  # 100/s, so the test stays short
    loop = asyncio.get_running_loop()
    times: list[float] = []

    async def send() -> None:
        await pace.acquire()
        times.append(loop.time())

    await asyncio.gather(*(send() for _ in range(60)))
    times.sort()
    # no burst: the first period's worth did not leave at once
    assert times[19] - times[0] >= 0.9 * 19 * pace.interval
    # any window of the platform's length holds at most the limit
    for i, start in enumerate(times):
        assert sum(1 for t in times[i:] if t < start + 0.2) <= 20
