"""The HTTP session under tweepy: redirected to ``api_base``, reading X's rate limits.

tweepy's ``AsyncClient`` hard-codes ``https://api.twitter.com`` and only ever calls
``self.session.request(method, url, ...)``, so this object stands in for its aiohttp
session. It sends each request to the configured base (a proxy, or the fake in tests;
OAuth 1.0a signatures were already computed over the real URL) and keeps the
``x-rate-limit-*`` headers of the last answer per endpoint, which tweepy discards.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp
from yarl import URL

from channels.lost_answers import tracing

_ID_SEGMENT = re.compile(r"(?<=[a-z_])/\d+(?=/|$)")


@dataclass(frozen=True, slots=True)
class RateWindow:
    """What X said is left of an endpoint's window, and when (Unix time) it resets."""

    remaining: int
    reset: float


def route_of(method: str, path: str) -> str:
    """``POST /2/dm_conversations/with/222/messages`` → ``.../with/:id/messages``: X
    counts limits per endpoint, not per id."""
    return f"{method.upper()} {_ID_SEGMENT.sub('/:id', path)}"


class XSession:
    """The duck-typed session given to ``AsyncClient``; ``close()`` when done."""

    def __init__(self, api_base: str, *, timeout: float = 30.0) -> None:
        self._base = api_base.rstrip("/")
        self._http = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=timeout),
            trace_configs=[tracing()],  # tells a send whose answer was lost (XDelivery)
        )
        self.windows: dict[str, RateWindow] = {}

    def __repr__(self) -> str:
        return f"XSession({self._base})"

    def request(self, method: str, url: Any, **kwargs: Any) -> AbstractAsyncContextManager[Any]:
        given = URL(str(url), encoded=isinstance(url, URL))
        target = self._base + given.raw_path
        if given.raw_query_string:
            target += "?" + given.raw_query_string
        route = route_of(method, given.path)
        request = self._http.request(method, URL(target, encoded=True), **kwargs)
        return self._observed(route, request)

    @asynccontextmanager
    async def _observed(
        self, route: str, request: AbstractAsyncContextManager[aiohttp.ClientResponse]
    ) -> AsyncIterator[aiohttp.ClientResponse]:
        async with request as response:
            remaining = response.headers.get("x-rate-limit-remaining")
            reset = response.headers.get("x-rate-limit-reset")
            if remaining is not None and reset is not None:
                # a proxy's garbled header: keep what was known
                with contextlib.suppress(ValueError):
                    self.windows[route] = RateWindow(int(remaining), float(reset))
            yield response

    def wait_before(self, route: str, now: float) -> float:
        """Seconds until ``route`` may be called without a 429 (0: now)."""
        window = self.windows.get(route)
        if window is None or window.remaining > 0 or window.reset <= now:
            return 0.0
        return window.reset - now

    def spacing(self, route: str, now: float, requests: int, low: float, high: float) -> float:
        """How long to wait before a poll of ``requests`` calls, so that polling at this
        pace spends the window's remaining calls no sooner than it resets."""
        window = self.windows.get(route)
        if window is None or window.reset <= now:
            return low
        if window.remaining <= 0:
            return max(window.reset - now, low)
        share = (window.reset - now) / window.remaining * max(requests, 1)
        return min(max(share, low), high)

    async def close(self) -> None:
        await self._http.close()
