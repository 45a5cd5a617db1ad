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


async def test_a_send_that_reaches_the_platform_late_is_counted_from_its_answer() -> None:
    # 100/s; one send in seven reaches the platform 30 ms after it was let go. The
    # platform counts arrivals: no window of its length may hold more than the limit
    pace = PacedWindow(rate=20, period=0.2)
    loop = asyncio.get_running_loop()
    arrivals: list[float] = []

    async def send(n: int) -> None:
        await pace.acquire(n)
        await asyncio.sleep(0.03 if n % 7 == 3 else 0)  # on its way to the platform
        arrivals.append(loop.time())
        pace.answered(n)

    await asyncio.gather(*(send(n) for n in range(70)))
    arrivals.sort()
    assert len(arrivals) == 70
    for i, start in enumerate(arrivals):
        assert sum(1 for t in arrivals[i:] if t < start + 0.2) <= 20
