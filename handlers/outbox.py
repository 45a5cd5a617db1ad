"""The sender: the one way out of the system.

It claims due outbox rows, performs each through its channel under the rate limits,
and records the outcome: delivered with the platform's message id, retried later with
backoff (or exactly when the platform said, on a 429), or failed for good. A crash
leaves rows pending or "sending"; on start those are requeued, so nothing is lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable
from datetime import datetime, timedelta

from channels.base import Channel, DeliveryError, Reply, action_from_dict
from handlers.ratelimit import RateLimits
from storage.store import OutboundWork, Store

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def backoff(attempt: int, *, base: float = 1.0, cap: float = 300.0) -> float:
    """Seconds before retry number ``attempt``: exponential with full jitter.

    Full jitter spreads retries of many rows that failed together (a platform outage),
    so they do not come back as one burst.
    """
    return random.uniform(base, min(cap, base * 2 ** max(attempt - 1, 0)))


class Sender:
    """Delivers outbox rows for the channels it is given."""

    def __init__(
        self,
        store: Store,
        channels: dict[str, Channel],
        clock: Clock,
        *,
        concurrency: int = 32,
        max_attempts: int = 8,
        idle_poll: float = 1.0,
    ) -> None:
        self.store = store
        self.channels = channels
        self.clock = clock
        self.concurrency = concurrency
        self.max_attempts = max_attempts
        self.idle_poll = idle_poll
        self.limits = RateLimits({n: c.capabilities.rate_limits for n, c in channels.items()})
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._inflight: set[asyncio.Task[None]] = set()
        self._slots = asyncio.Semaphore(concurrency)

    def __repr__(self) -> str:
        return f"Sender(channels={sorted(self.channels)})"

    def wake(self) -> None:
        """New work was enqueued: look now instead of at the next poll."""
        self._wake.set()

    async def start(self) -> None:
        requeued = await self.store.requeue_inflight(self.clock())
        if requeued:
            log.info("outbox: resumed %d item(s) left in flight by the last run", requeued)
        self._task = asyncio.create_task(self._run(), name="outbox-sender")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        if self._inflight:
            await asyncio.gather(*self._inflight, return_exceptions=True)

    async def drain(self, within: float = 10.0) -> None:
        """Deliver everything due now, giving up after ``within`` seconds (tests, benchmarks)."""
        deadline = asyncio.get_running_loop().time() + within
        while asyncio.get_running_loop().time() < deadline:
            claimed = await self.run_once()
            if self._inflight:
                await asyncio.gather(*self._inflight, return_exceptions=True)
            elif not claimed:
                return

    async def run_once(self) -> int:
        """Claim what fits in the free slots and start delivering it."""
        free = self.concurrency - len(self._inflight)
        if free <= 0:
            return 0
        work = await self.store.claim_due(self.clock(), free, list(self.channels))
        for item in work:
            task = asyncio.create_task(self._deliver(item))
            self._inflight.add(task)
            task.add_done_callback(self._done)
        return len(work)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._inflight.discard(task)
        self._wake.set()  # a finished item may unblock the next one for its chat

    async def _run(self) -> None:
        while True:
            try:
                claimed = await self.run_once()
            except Exception:
                log.exception("outbox: claiming work failed; trying again")
                claimed = 0
            if claimed:
                continue
            wait = self.idle_poll
            try:
                due = await self.store.next_due_in(self.clock())
            except Exception:
                due = None
            if due is not None:
                wait = min(wait, max(due.total_seconds(), 0.01))
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=wait)

    async def _deliver(self, work: OutboundWork) -> None:
        channel = self.channels[work.channel]
        try:
            action = action_from_dict(work.action)
        except ValueError as exc:
            await self.store.mark_failed(work.id, f"unreadable action: {exc}")
            return
        async with self._slots:
            await self.limits.acquire(work.channel, work.chat_id)
            try:
                platform_id = await channel.perform(action)
            except DeliveryError as exc:
                await self._failed(work, exc.reason, exc.retry_after, exc.permanent)
                return
            except Exception as exc:  # an adapter bug or an unmapped library error
                log.warning("outbox: %s item %d failed: %r", work.channel, work.id, exc)
                await self._failed(work, repr(exc), None, False)
                return
        text = action.text if isinstance(action, Reply) else None
        await self.store.mark_delivered(work, platform_id, text, self.clock())

    async def _failed(
        self, work: OutboundWork, reason: str, retry_after: float | None, permanent: bool
    ) -> None:
        if permanent or work.attempts >= self.max_attempts:
            log.warning("outbox: %s item %d failed for good: %s", work.channel, work.id, reason)
            await self.store.mark_failed(work.id, reason)
            return
        delay = retry_after if retry_after is not None else backoff(work.attempts)
        await self.store.mark_retry(work.id, self.clock() + timedelta(seconds=delay), reason)
