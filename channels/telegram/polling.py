"""Long polling that confirms a Telegram update only after it is committed.

Telegram forgets every update below the ``offset`` of a ``getUpdates`` call: asking
for the ids past an update *confirms* it. python-telegram-bot's ``Updater`` moves its
offset as soon as a batch is fetched, so its next call can confirm updates that the
inbox has not committed yet, and a crash then loses them for good. This poller hands
each update of a batch to the adapter, waits until every one of them is handled (the
inbox returns only after its transactions committed: the record, then the answer),
and only then asks for the next batch, with the offset past them. An update whose
handling failed holds the offset: it is fetched again after a backoff, and the updates
after it that were handled are not handed over twice.

An update that keeps failing while the ones after it are handled is broken itself, not
the database: held for ever, it would keep every later update of the bot waiting once
a batch (100 updates) fills up behind it. After ``GIVE_UP_AFTER`` failures under those
conditions it is set aside with one ERROR line naming its update id, and the offset
moves past it. While every update fails (the database is down), none is set aside.

The first call names no offset, so Telegram re-sends what the last run had not
confirmed; the inbox deduplicates on channel, chat and platform message id, so an
update committed before a crash but not confirmed is not answered twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import random
from collections.abc import Awaitable, Callable, Sequence

from telegram import Bot, Update
from telegram.error import (
    BadRequest,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

log = logging.getLogger(__name__)

# hands one update to the inbox; returns once it is handled (committed), raises if not
Deliver = Callable[[Update], Awaitable[None]]

STOP_GRACE = 5.0  # seconds a stopping poller lets the batch in hand finish
CONFIRM_TIMEOUT = 5.0  # seconds for the last call at stop, which confirms what was handled
GIVE_UP_AFTER = 8  # failures of one update, while later ones are handled, before it is skipped
FIRST_WAIT = 0.5  # seconds before the first retry; doubling up to 30


class Unhandled(Exception):
    """An update of the batch was not handled; the offset stays at it."""


class Backoff:
    """Exponential waits with jitter: ``first`` seconds, doubling up to ``cap``, each
    drawn between half and all of that, so that bots retrying after one outage do not
    retry in step."""

    def __init__(
        self, first: float = 0.5, cap: float = 30.0, rng: random.Random | None = None
    ) -> None:
        self.first = first
        self.cap = cap
        self._rng = rng or random.Random()
        self._failures = 0

    def __repr__(self) -> str:
        return f"Backoff(first={self.first}, cap={self.cap}, failures={self._failures})"

    def next(self) -> float:
        """The wait before the next attempt; each call doubles the one after."""
        nominal = min(self.cap, self.first * 2 ** min(self._failures, 32))
        self._failures += 1
        return nominal / 2 + self._rng.uniform(0, nominal / 2)

    def reset(self) -> None:
        self._failures = 0


class TelegramPoller:
    """Fetches updates with ``getUpdates`` and confirms each one only once handled.

    ``start`` deletes any webhook (Telegram refuses ``getUpdates`` while one is set)
    and may raise what that call raises; after it, no failure stops the poller:
    network errors, timeouts, 409 (another consumer of this token), 429, 5xx and
    updates the inbox could not commit are retried with backoff, and each kind is
    logged once until polling works again. ``stop`` ends a long poll at once.
    """

    def __init__(
        self,
        bot: Bot,
        deliver: Deliver,
        *,
        timeout: int,
        allowed_updates: Sequence[str],
        concurrency: int = 64,
        backoff: Backoff | None = None,
        grace: float = STOP_GRACE,
    ) -> None:
        self._bot = bot
        self._deliver = deliver
        self._timeout = timeout
        self._allowed = list(allowed_updates)
        self._slots = asyncio.Semaphore(concurrency)
        self._backoff = backoff or Backoff(first=FIRST_WAIT)
        self._grace = grace
        self._offset: int | None = None  # None: the earliest update not confirmed
        self._answered: int | None = None  # the offset of the last call Telegram answered
        self._handled: set[int] = set()  # handled, but held back by one that failed
        self._attempts: dict[int, int] = {}  # failures of each update still held
        self._failing: set[str] = set()  # kinds of failure logged since it last worked
        self._failures = 0
        self._polling = False
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def __repr__(self) -> str:
        return f"TelegramPoller(offset={self._offset}, failing={sorted(self._failing)})"

    async def start(self) -> None:
        await self._bot.delete_webhook()
        self._stopping.clear()
        self._task = asyncio.create_task(self._run(), name="telegram-polling")

    async def stop(self) -> None:
        """End the long poll; let a batch being handled finish (up to the grace), then
        confirm what was handled, so that a clean restart is not sent it again."""
        task, self._task = self._task, None
        if task is None:
            return
        self._stopping.set()
        if self._polling:
            task.cancel()  # a long poll holds nothing that would be lost
        done, _ = await asyncio.wait({task}, timeout=self._grace)
        if not done:
            log.warning(
                "telegram: updates still being handled %.0f s after stop; "
                "they are fetched again at the next start",
                self._grace,
            )
            task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await self._confirm()

    # --- the loop ----------------------------------------------------------------------

    async def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                offset = self._offset
                self._polling = True
                try:
                    updates = await self._bot.get_updates(
                        offset=offset, timeout=self._timeout, allowed_updates=self._allowed
                    )
                finally:
                    self._polling = False
                self._answered = offset
                await self._hand_over(updates)
            except Exception as exc:
                await self._pause(self._failed(exc))
            else:
                self._worked()

    async def _hand_over(self, updates: Sequence[Update]) -> None:
        """Handle ``updates`` side by side; move the offset past those handled, up to
        the first that was not, and raise :class:`Unhandled` if one was not."""
        fresh = [u for u in updates if u.update_id not in self._handled]
        results = await asyncio.gather(*(self._one(u) for u in fresh), return_exceptions=True)
        failed: list[tuple[int, BaseException]] = []
        for update, result in zip(fresh, results, strict=True):
            if isinstance(result, BaseException):
                failed.append((update.update_id, result))
            else:
                self._handled.add(update.update_id)
        if not updates:
            return
        failed = [f for f in failed if not self._set_aside(*f)]
        first = min(failed, key=lambda f: f[0]) if failed else None
        self._offset = first[0] if first else max(u.update_id for u in updates) + 1
        self._handled = {i for i in self._handled if i >= self._offset}
        self._attempts = {i: n for i, n in self._attempts.items() if i >= self._offset}
        if first is not None:
            raise Unhandled(f"update {first[0]}: {first[1]!r}") from first[1]

    def _set_aside(self, update_id: int, exc: BaseException) -> bool:
        """Count a failure of ``update_id``; True if it is to be skipped: it failed
        ``GIVE_UP_AFTER`` times and a later update was handled, so the inbox works."""
        failures = self._attempts[update_id] = self._attempts.get(update_id, 0) + 1
        if failures < GIVE_UP_AFTER or not any(i > update_id for i in self._handled):
            return False
        # the exception's type only: its text may quote the message
        log.error(
            "telegram: update %d failed %d times while later updates were handled; skipped (%s)",
            update_id,
            failures,
            type(exc).__name__,
        )
        self._handled.add(update_id)
        return True

    async def _one(self, update: Update) -> None:
        async with self._slots:
            await self._deliver(update)

    async def _pause(self, seconds: float) -> None:
        """Wait ``seconds``, or less if the poller is stopped meanwhile."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._stopping.wait()

    def _failed(self, exc: Exception) -> float:
        """Log the first failure of each kind; the seconds to wait before trying again."""
        self._failures += 1
        kind, wait, level = self._judge(exc)
        if kind not in self._failing:
            self._failing.add(kind)
            log.log(level, "telegram: polling: %s (%s); retrying in %.1f s", kind, exc, wait)
        return wait

    def _judge(self, exc: Exception) -> tuple[str, float, int]:
        """The kind of failure, how long to wait, and how loudly to say it."""
        if isinstance(exc, RetryAfter):
            wait = exc.retry_after
            seconds = wait.total_seconds() if isinstance(wait, dt.timedelta) else float(wait)
            return "rate limited by Telegram", max(seconds, 0.0), logging.WARNING
        if isinstance(exc, Conflict):
            kind = "another consumer of this token (a second bot process, or a webhook)"
            return kind, self._backoff.next(), logging.ERROR
        if isinstance(exc, InvalidToken):  # only a person can fix it: ask rarely
            return "the token was refused", self._backoff.cap, logging.ERROR
        if isinstance(exc, TimedOut):
            return "timed out", self._backoff.next(), logging.WARNING
        if isinstance(exc, BadRequest | Forbidden):
            return "the request was refused", self._backoff.next(), logging.ERROR
        if isinstance(exc, NetworkError):  # 5xx too: python-telegram-bot's NetworkError
            return "network or server error", self._backoff.next(), logging.WARNING
        if isinstance(exc, Unhandled):
            kind = "an update was not committed; it is fetched again"
            return kind, self._backoff.next(), logging.WARNING
        if isinstance(exc, TelegramError):
            return "Telegram error", self._backoff.next(), logging.WARNING
        return "unreadable answer", self._backoff.next(), logging.ERROR

    def _worked(self) -> None:
        """A poll and its batch went through: the failures are over."""
        if self._failures:
            log.info("telegram: polling works again after %d failed attempt(s)", self._failures)
        self._failures = 0
        self._failing.clear()
        self._backoff.reset()

    async def _confirm(self) -> None:
        """One last call with the offset past what was handled (none if Telegram
        already had it): without it, the next start would be sent those again."""
        if self._offset is None or self._offset == self._answered:
            return
        try:
            async with asyncio.timeout(CONFIRM_TIMEOUT):
                await self._bot.get_updates(
                    offset=self._offset, timeout=0, limit=1, allowed_updates=self._allowed
                )
        except (TelegramError, TimeoutError) as exc:
            log.info(
                "telegram: the last updates were not confirmed at stop (%s); the next "
                "start is sent them again and does not answer them twice",
                exc,
            )
