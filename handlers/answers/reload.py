"""Hot reload: look at the knowledge files on a timer and swap in a new version.

Polling a handful of files with ``stat`` costs nothing and behaves the same on every
file system (network mounts and editors that replace files included), which file
system notifications do not.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from handlers.answers.knowledge import KnowledgeBase

log = logging.getLogger(__name__)


class KnowledgeReloader:
    """Runs :meth:`KnowledgeBase.refresh` every ``interval`` seconds while started."""

    def __init__(
        self, base: KnowledgeBase, interval: float, warm: Callable[[], object] | None = None
    ) -> None:
        self.base = base
        self.interval = interval
        # run in the worker thread after each reload: builds the new version's index,
        # so a question after an edit does not wait for the embedding
        self.warm = warm
        self._task: asyncio.Task[None] | None = None

    def __repr__(self) -> str:
        return f"KnowledgeReloader(every {self.interval}s, {self.base!r})"

    async def start(self) -> None:
        self.base.refresh()
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="knowledge-reload")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def __aenter__(self) -> KnowledgeReloader:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def _refresh(self) -> None:
        self.base.refresh(settle=True)
        if self.warm is not None:
            self.warm()

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await asyncio.to_thread(self._refresh)
            except Exception:  # a reload bug must not stop future reloads
                log.exception("knowledge reload failed")
