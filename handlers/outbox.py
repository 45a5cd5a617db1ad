"""The sender: the one way out of the system.

It claims due outbox rows, performs each through its channel once the rate limiter
lets it (``handlers.ratelimiter.RateLimiter``, injected), and records the outcome:
delivered with the platform's message id, retried later with backoff (or exactly when
the platform said, on a 429, which the limiter is told too), or failed for good.

The rows a sender claims are leased to it (``storage.outbox_leases``), and it renews
their leases while it runs, so senders of several processes on one database never
take each other's rows. A sender that dies leaves its rows "sending"; once their lease
runs out, a sender that starts, or one that is running, puts them back in the queue,
so nothing is lost. Rows are built and enqueued by ``handlers.outbox_rows.Outbox``.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import random
from collections.abc import Callable
from datetime import datetime, timedelta

from channels.base import Action, Channel, DeliveryError, Reply, action_from_dict
from handlers.ratelimit import RateLimits
from handlers.ratelimiter import RateLimiter
from storage.outbox_leases import DEFAULT_LEASE_SECONDS, Lease, new_owner
from storage.store import OutboundWork, Outcome, Store

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]

# a send still unanswered STALLED_AFTER seconds after the limiter let it go is waiting
# on the network (a platform that hangs, a lost answer), not working: it gives back its
# slot, so such sends hold no other chat back; at most STALLED_SLOTS times the
# concurrency of them at once (8 x 32: Telegram's 256 connections)
STALLED_AFTER = 1.0
STALLED_SLOTS = 8
KEY_LENGTH = 25  # Discord's nonce, the one idempotency key a channel takes, is at most 25


def send_key(work: OutboundWork) -> str:
    """The key each try of one row carries (``Action.idempotency_key``), so a platform
    that takes one returns the message of an earlier try instead of posting again
    (Discord's nonce; Telegram and X take none).

    The row's id, so it is the same on every try and in every process, and one row
    never passes for another; then a digest of what the row sends, so a row id used
    again within minutes after the database was replaced (a restore, a fresh database)
    does not swallow a different message. A split reply is a row per part: a key each.
    """
    said = json.dumps([work.channel, work.chat_id, work.action], sort_keys=True)
    head = f"{work.id}."
    return head + hashlib.sha256(said.encode()).hexdigest()[: KEY_LENGTH - len(head)]


def backoff(attempt: int, *, base: float = 1.0, cap: float = 300.0) -> float:
    """Seconds before retry number ``attempt``: exponential with full jitter.

    Full jitter spreads retries of many rows that failed together (a platform outage),
    so they do not come back as one burst.

    Written by hand on purpose. A retry here is not a loop around a call: it is the
    row's ``next_attempt_at``, computed from the attempts stored with the row, so it
    survives a stop or a crash and any process's sender may make it. Retry libraries
    (tenacity, backoff; neither is a dependency) sleep in the calling task between
    tries, which would hold a send slot and lose the schedule on a stop. The backoffs
    the project does carry belong to libraries a handler may not import (redis-py's,
    discord.py's) and differ: redis-py's full jitter starts at 0 s, not at ``base``.
    """
    return random.uniform(base, min(cap, base * 2 ** max(attempt - 1, 0)))


class Sender:
    """Delivers outbox rows for the channels it is given.

    One loop owns the store: each step records what finished since the last step,
    claims new work and learns when the next retry falls due, in one transaction.
    Deliveries run as tasks that only talk to their channel and report back.

    ``limiter`` decides when each send may go (default: this process's
    :class:`RateLimits` from the channels' declared limits, on ``clock``); the sender
    starts and stops it with itself.

    Each sender has an id of its own (``lease.owner``). Every claimed row is its own
    for ``lease_seconds`` on ``clock``; it renews all it holds every third of that (one
    statement), and on start and at each renewal puts back in the queue the rows whose
    lease ran out. A row in flight when its process died is therefore sent again
    between ``lease_seconds`` and four thirds of it after the last renewal.

    A send still unanswered ``stalled_after`` seconds after the limiter let it go is
    waiting on the network (a platform that hangs until the read timeout), not on this
    process: it gives back its slot of ``concurrency``, so sends that hang hold no
    other chat back (up to ``STALLED_SLOTS`` times ``concurrency`` of them at once).

    A send that may have been done though its answer was lost (``maybe_delivered``: a
    read timeout, a connection reset after sending) is tried again no sooner than
    ``unanswered_retry_delay`` seconds: the retry shows the message twice when the
    first went through, and an immediate one would also press on a platform that is
    slow to answer. A send that certainly failed (refused, a 5xx) retries on the
    backoff alone, from a second.
    """

    def __init__(
        self,
        store: Store,
        channels: dict[str, Channel],
        clock: Clock,
        *,
        concurrency: int = 32,
        max_attempts: int = 8,
        idle_poll: float = 1.0,
        watch: Callable[[Outcome], None] = lambda _outcome: None,
        limiter: RateLimiter | None = None,
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
        unanswered_retry_delay: float = 5.0,
        stalled_after: float = STALLED_AFTER,
    ) -> None:
        self.store = store
        self.channels = channels
        self.clock = clock
        self.concurrency = concurrency
        self.max_attempts = max_attempts
        self.idle_poll = idle_poll
        self.limiter: RateLimiter = limiter or RateLimits(
            {n: c.capabilities.rate_limits for n, c in channels.items()}, clock
        )
        self.lease = Lease(new_owner(), lease_seconds)
        self.unanswered_retry_delay = unanswered_retry_delay
        self.stalled_after = stalled_after
        self._leases_due: datetime | None = None  # None: at the next step
        self._wake = asyncio.Event()
        # idle() and caught_up(): each wake or question is a new generation; a step that
        # began in the latest one, with nothing in flight, reports what it found: nothing
        # due (caught up), and nothing pending at all, due or not (idle)
        self._generation = 0
        self._caught_up_generation = -1
        self._idle_generation = -1
        self._looked = asyncio.Condition()
        self._task: asyncio.Task[None] | None = None
        self._inflight: set[asyncio.Task[None]] = set()
        self._stalled: set[asyncio.Task[None]] = set()  # in flight, slot given back
        self._outcomes: list[Outcome] = []
        # told of each send's outcome as it happens (the bot's metrics); must not block
        self.watch = watch

    def __repr__(self) -> str:
        return f"Sender(channels={sorted(self.channels)}, owner={self.lease.owner!r})"

    def wake(self) -> None:
        """New work was enqueued: look now instead of at the next poll."""
        self._generation += 1
        self._wake.set()

    async def idle(self) -> None:
        """Return once nothing is owed: the sender looked at the outbox after this call
        and found no row of its channels pending, due now or waiting for a retry, and
        nothing in flight, every outcome recorded.

        Rows enqueued (and committed) before the call are therefore delivered or given
        up for good. What waits for "nothing more will be sent" (tests, benchmarks) waits
        for this, combined with knowing that the inbound event was handled; a reply held
        under a 429 or waiting for its retry keeps it waiting, as long as that takes (the
        caller bounds the wait). Rows of another sender's channels do not count; rows
        another sender is sending count once they are pending again. Needs :meth:`start`.
        """
        await self._await_look(lambda: self._idle_generation)

    async def caught_up(self) -> None:
        """Return once the sender looked at the outbox after this call and found
        nothing due that it can send and nothing in flight, every outcome recorded.

        Unlike :meth:`idle`, rows waiting for a retry that is not due yet may remain:
        "everything that can go now went", for a test that moves its clock past the
        retry next. Needs :meth:`start`; the caller bounds the wait.
        """
        await self._await_look(lambda: self._caught_up_generation)

    async def _await_look(self, seen: Callable[[], int]) -> None:
        self._generation += 1
        wanted = self._generation
        self._wake.set()
        async with self._looked:
            await self._looked.wait_for(lambda: seen() >= wanted)

    async def start(self) -> None:
        await self.limiter.start()
        await self._keep_leases(self.clock())
        self._task = asyncio.create_task(self._run(), name="outbox-sender")

    async def stop(self) -> None:
        """Stop claiming, let sends in flight finish, record their outcomes, and put
        back what was claimed but not sent (so no other sender waits for its lease)."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        if self._inflight:
            await asyncio.gather(*self._inflight, return_exceptions=True)
        await self._settle_only()
        # rows claimed by a step that the stop cancelled before it started their sends
        try:
            released = await self.store.release_leases(self.lease, self.clock())
        except Exception as exc:  # the database is gone: the leases run out instead
            log.warning("outbox: claimed items not put back (%s); their leases will run out", exc)
        else:
            if released:
                log.info("outbox: %d claimed item(s) put back unsent", released)
        await self.limiter.stop()

    async def drain(self, within: float = 10.0) -> None:
        """Deliver everything due now, giving up after ``within`` seconds (tests, benchmarks)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while loop.time() < deadline:
            claimed, _ = await self.step()
            if self._inflight:
                await asyncio.gather(*self._inflight, return_exceptions=True)
            elif not claimed and not self._outcomes:
                return

    async def step(self) -> tuple[int, float | None]:
        """Record finished sends, claim what fits in the free slots, start sending it.

        When a renewal of the leases is due, it comes first (``store.keep_leases``).
        Returns how many items were claimed and, when none, seconds until one is due.
        """
        now = self.clock()
        if self._leases_due is None or now >= self._leases_due:
            await self._keep_leases(now)
        outcomes, self._outcomes = self._outcomes, []
        stalled = min(len(self._stalled), self.concurrency * STALLED_SLOTS)
        free = max(self.concurrency - len(self._inflight) + stalled, 0)
        try:
            work, due = await self.store.settle_and_claim(
                outcomes, now, free, list(self.channels), lease=self.lease
            )
        except BaseException:
            self._outcomes[:0] = outcomes  # not recorded: keep them for the next step
            raise
        for item in work:
            task = asyncio.create_task(self._deliver(item))
            self._inflight.add(task)
            task.add_done_callback(self._done)
        return len(work), (due.total_seconds() if due is not None else None)

    async def _keep_leases(self, now: datetime) -> None:
        """Renew what this sender holds; take back what dead senders held."""
        requeued = await self.store.keep_leases(self.lease, now)
        self._leases_due = now + self.lease.renew_every
        if requeued:
            log.info(
                "outbox: resumed %d item(s) whose sender stopped before sending them", requeued
            )

    async def _settle_only(self) -> None:
        if self._outcomes:
            outcomes, self._outcomes = self._outcomes, []
            await self.store.settle(outcomes, self.clock())

    def _done(self, task: asyncio.Task[None]) -> None:
        self._inflight.discard(task)
        self._stalled.discard(task)
        self._wake.set()  # record the outcome; it may unblock the next item of its chat

    def _stall(self, task: asyncio.Task[None]) -> None:
        if not task.done():
            self._stalled.add(task)
            self._wake.set()  # a slot is free

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            generation = self._generation
            try:
                claimed, due = await self.step()
            except Exception:
                log.exception("outbox: a step failed; trying again")
                claimed, due = -1, self.idle_poll
            if claimed > 0:
                continue
            if not claimed and not self._inflight and not self._outcomes:
                await self._report_look(generation, owed=due is not None)
            wait = self.idle_poll if due is None else min(self.idle_poll, max(due, 0.01))
            if self._leases_due is not None:  # a renewal is never late by a poll
                renew_in = (self._leases_due - self.clock()).total_seconds()
                wait = min(wait, max(renew_in, 0.01))
            # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a cancellation
            # that races with the wake-up, and stop() would then wait forever
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(wait):
                    await self._wake.wait()

    async def _report_look(self, generation: int, *, owed: bool) -> None:
        """A step of ``generation`` found nothing due; ``owed``: rows still wait."""
        if generation != self._generation:
            return  # woken meanwhile: the next step looks again
        idle = not owed and self._idle_generation < generation
        if self._caught_up_generation >= generation and not idle:
            return  # reported already
        async with self._looked:
            self._caught_up_generation = generation
            if idle:
                self._idle_generation = generation
            self._looked.notify_all()

    async def _deliver(self, work: OutboundWork) -> None:
        channel = self.channels[work.channel]
        try:
            action = action_from_dict({**work.action, "idempotency_key": send_key(work)})
        except ValueError as exc:
            self._record(Outcome(work, "failed", error=f"unreadable action: {exc}"))
            return
        token = await self.limiter.acquire(work.channel, work.chat_id)
        task = asyncio.current_task()
        assert task is not None  # each delivery is a task of step()'s
        stall = asyncio.get_running_loop().call_later(self.stalled_after, self._stall, task)
        try:
            await self._perform(channel, work, action)
        finally:
            stall.cancel()
        # answered or given up: the platform cannot have counted the send any later
        await self.limiter.answered(work.channel, work.chat_id, token)

    async def _perform(self, channel: Channel, work: OutboundWork, action: Action) -> None:
        try:
            platform_id = await channel.perform(action)
        except DeliveryError as exc:
            if exc.retry_after is not None and not exc.permanent:
                # before the row's retry time is written, so the pause ends no later
                await self.limiter.pause(
                    work.channel, work.chat_id, exc.retry_after, platform_wide=exc.platform_wide
                )
            self._failed(work, exc.reason, exc.retry_after, exc.permanent, exc.maybe_delivered)
            return
        except Exception as exc:  # an adapter bug or an unmapped library error
            log.warning("outbox: %s item %d failed: %r", work.channel, work.id, exc)
            self._failed(work, repr(exc), None, False)
            return
        text = action.text if isinstance(action, Reply) else None
        self._record(Outcome(work, "delivered", platform_id, text))

    def _record(self, outcome: Outcome) -> None:
        self._outcomes.append(outcome)
        self.watch(outcome)

    def _failed(
        self,
        work: OutboundWork,
        reason: str,
        retry_after: float | None,
        permanent: bool,
        maybe_delivered: bool = False,
    ) -> None:
        reason = reason[:1000]
        # a 429 names its wait: the row waits that long, and the try is not one of its
        # attempts (a chat held under 429 for minutes must not lose its reply for good)
        rate_limited = retry_after is not None and not permanent
        if permanent or (work.attempts >= self.max_attempts and not rate_limited):
            log.warning("outbox: %s item %d failed for good: %s", work.channel, work.id, reason)
            self._record(Outcome(work, "failed", error=reason))
            return
        delay = retry_after if retry_after is not None else backoff(work.attempts)
        if maybe_delivered:
            delay = max(delay, self.unanswered_retry_delay)
        next_at = self.clock() + timedelta(seconds=delay)
        self._record(
            Outcome(
                work, "pending", next_attempt_at=next_at, error=reason, rate_limited=rate_limited
            )
        )
