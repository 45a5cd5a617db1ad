"""What the fake platforms share of the faults they inject on demand.

A lost answer is the fault a client cannot resolve by itself: the call was done (the
chat has the message, the post is up) and its answer never arrives. The connection is
closed at once ("reset", the client sees a dropped connection), or held open without an
answer until the fake closes ("unanswered", the client's read timeout runs out).

A held call is one the fake sits on before doing it: a client whose timeout runs out
meanwhile gives up, and then the call must not be done (nothing was created).

Each fake keeps its own triggers (a rate, a count of next calls, a queue per route) and
its platform's error bodies; these are the mechanics under them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Hashable

from aiohttp import web


class LostAnswers:
    """Per target (a chat, a channel, a route): the kinds of its next lost answers.

    ``reset`` and ``unanswered`` name the two kinds as the fake reports them (in its
    calls' ``_lost``, and in the Telegram fake's fault counts).
    """

    def __init__(self, *, reset: str = "reset", unanswered: str = "unanswered") -> None:
        self.reset, self.unanswered = reset, unanswered
        self._next: dict[Hashable, list[str]] = {}

    def __repr__(self) -> str:
        return f"LostAnswers({ {t: len(k) for t, k in self._next.items() if k} })"

    def add(self, target: Hashable, times: int = 1, *, unanswered: bool = False) -> None:
        """The next ``times`` calls done for ``target`` lose their answer."""
        kind = self.unanswered if unanswered else self.reset
        self._next.setdefault(target, []).extend([kind] * times)

    def take(self, target: Hashable) -> str | None:
        """The kind of lost answer this call done for ``target`` gets, if it gets one."""
        queued = self._next.get(target)
        return queued.pop(0) if queued else None

    async def lose(self, request: web.Request, kind: str, closing: asyncio.Event) -> web.Response:
        """After the call was done: close its connection, at once or when the fake
        closes (``closing``) for the unanswered kind."""
        if kind == self.unanswered:
            await closing.wait()
        if request.transport is not None:
            request.transport.close()
        return web.Response(status=500)  # never reaches the client: the connection is gone


async def abandoned_while_held(request: web.Request, seconds: float) -> bool:
    """Sit on a call ``seconds`` before doing it; whether the client gave up meanwhile
    (its connection is closing), in which case the call must not be done."""
    await asyncio.sleep(seconds)
    return request.transport is None or request.transport.is_closing()
