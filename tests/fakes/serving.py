"""What every fake platform shares: serving on a free port of 127.0.0.1, and waiting
for the bot to have done something."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from aiohttp import web


async def serve(app: web.Application, port: int = 0) -> tuple[web.AppRunner, int]:
    """Start ``app`` on 127.0.0.1 at ``port`` (0: one the system picks); the runner
    and the port."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    return runner, site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]


async def wait_until(
    condition: Callable[[], bool], within: float, describe: Callable[[], str]
) -> None:
    """Return once ``condition()`` holds; fail with ``describe()`` after ``within`` s."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if condition():
            return
        await asyncio.sleep(0.02)
    if not condition():
        raise AssertionError(describe())
