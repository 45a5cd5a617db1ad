"""When a shared store (Redis) is gone: count in this process, say so once, try again.

Limits and flood counters shared between processes are worth having, not worth a lost
reply: when the store fails, the caller uses what its own process keeps and
:class:`StoreFallback` says so in ONE warning, then lets one call at a time try the
store again after a backoff (doubling up to a cap, so a dead store costs at most one
slow call per backoff), and says once, at info, when the store answers again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

FIRST_RETRY = 0.5  # seconds before the first try after a failure
MAX_RETRY = 15.0


class StoreFallback:
    """Whether to ask the shared store now, for ``what`` (``"rate limits"``), and the
    two log lines: one when it is lost, one when it is back."""

    def __init__(
        self, what: str, *, first_retry: float = FIRST_RETRY, max_retry: float = MAX_RETRY
    ) -> None:
        self.what = what
        self.first_retry = first_retry
        self.max_retry = max_retry
        self._down = False
        self._probing = False  # a call is trying the store while it is down
        self._backoff = first_retry
        self._retry_at = 0.0  # time.monotonic() of the next try while down

    def __repr__(self) -> str:
        return f"StoreFallback({self.what!r}, {'down' if self._down else 'up'})"

    @property
    def down(self) -> bool:
        """The last call failed and none has succeeded since."""
        return self._down

    async def run(
        self,
        call: Callable[[], Awaitable[T]],
        *,
        on_return: Callable[[], Awaitable[None]] | None = None,
    ) -> T | None:
        """``call()``'s result, or ``None`` when the store is down (not asked, or it
        failed): the caller then uses its own process's counts. ``on_return`` runs
        first on the call that finds the store back (to hand it what it missed).
        Never raises but for cancellation."""
        if not self._may_ask():
            return None
        try:
            if self._down and on_return is not None:
                await on_return()
            result = await call()
        except Exception as exc:  # any failure of the store: connection, timeout, error reply
            self._lost(exc)
            return None
        self._reached()
        return result

    def _may_ask(self) -> bool:
        if not self._down:
            return True
        now = time.monotonic()
        if now < self._retry_at:
            return False
        # this call tries; the others keep counting locally until it knows
        self._probing = True
        self._retry_at = now + self._backoff
        return True

    def _lost(self, exc: Exception) -> None:
        if not self._down:
            self._down = True
            self._backoff = self.first_retry
            log.warning(
                "%s: the shared store failed (%s: %s); counting in this process "
                "until it answers again",
                self.what,
                type(exc).__name__,
                exc,
            )
        elif self._probing:
            self._backoff = min(self._backoff * 2, self.max_retry)
        # else: a call begun before the loss, failing after it: already said
        self._probing = False
        self._retry_at = time.monotonic() + self._backoff

    def _reached(self) -> None:
        self._probing = False
        if self._down:
            self._down = False
            log.info("%s: the shared store answers again; counting there", self.what)
