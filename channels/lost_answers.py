"""Whether a request of one action went out and its answer never came.

A send that fails after its request reached the platform may have been done all the
same (a read timeout, a connection reset after the request was written): its retry
may show the message twice, so the outbox waits longer before it
(``DeliveryError.maybe_delivered``). A send that failed before anything was written
(connection refused, no free connection, waiting on the client's own rate limit) was
certainly not done and retries on the short backoff. The two look alike from outside:
a timeout of the whole action cannot tell where it struck, and a library's error
seldom says.

The Telegram channel knows from its own request class (``channels.telegram.request``).
discord.py and tweepy send through an aiohttp session, so the same knowledge comes
from aiohttp's request tracing: the session is built with :func:`tracing`, and each
action is performed inside :func:`watching`, whose :class:`Exchange` counts that
action's requests written and not yet answered. Requests that other tasks make on the
same session (the gateway, polling) are not counted: the exchange lives in the
action's task context. A request counts as answered once the answer's status line and
headers arrived; a failure while its body is read is not told apart.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from types import SimpleNamespace

import aiohttp

_CURRENT: ContextVar[Exchange | None] = ContextVar("socialdesk_exchange", default=None)


@dataclass
class Exchange:
    """The requests of one action: how many were written and are still unanswered."""

    unanswered: int = 0

    @property
    def answer_lost(self) -> bool:
        """A request went out and no answer came: the action may have been done."""
        return self.unanswered > 0


@contextlib.contextmanager
def watching() -> Iterator[Exchange]:
    """Count the requests the current task makes until the block ends."""
    exchange = Exchange()
    token = _CURRENT.set(exchange)
    try:
        yield exchange
    finally:
        _CURRENT.reset(token)


def tracing() -> aiohttp.TraceConfig:
    """The trace configuration for the session whose requests :func:`watching` counts."""
    config = aiohttp.TraceConfig()
    config.on_request_headers_sent.append(_written)
    config.on_request_end.append(_answered)
    return config


async def _written(
    _session: aiohttp.ClientSession,
    context: SimpleNamespace,
    _params: aiohttp.TraceRequestHeadersSentParams,
) -> None:
    # the connection is open and the request is being written: from here on the
    # platform may act on it
    exchange = _CURRENT.get()
    if exchange is not None:
        exchange.unanswered += 1
        context.exchange = exchange  # this request's own context: its answer finds it


async def _answered(
    _session: aiohttp.ClientSession,
    context: SimpleNamespace,
    _params: aiohttp.TraceRequestEndParams,
) -> None:
    exchange: Exchange | None = getattr(context, "exchange", None)
    if exchange is not None:
        exchange.unanswered -= 1
        context.exchange = None
