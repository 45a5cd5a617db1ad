"""A fake of the Pigeon chat service (the channel that lives in ``tests/pigeon``).

Like Telegram, it forgets an update once a later poll's offset confirms it, and it
refuses calls without the bot's token.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from typing import Any

from aiohttp import web

from tests.fakes.serving import serve, wait_until

TOKEN = "pigeon-test-token"


class FakePigeon:
    """The service: people post with :meth:`say`; what the bot sent is in ``sent``."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self._updates: list[dict[str, Any]] = []
        self._ids = itertools.count(1)
        self._arrived = asyncio.Event()
        self.base_url = ""

    async def __aenter__(self) -> FakePigeon:
        app = web.Application()
        app.router.add_get("/updates", self._poll)
        app.router.add_post("/messages", self._send)
        self._runner, port = await serve(app)
        self.base_url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._runner.cleanup()

    def say(self, chat: str, user: str, text: str, **extra: Any) -> None:
        """A person writes ``text`` in ``chat``."""
        update = {"id": next(self._ids), "chat": chat, "user": user, "text": text}
        self._updates.append({**update, "date": time.time(), "name": f"user {user}", **extra})
        self._arrived.set()

    async def wait_sent(self, count: int, chat: str, within: float = 30) -> list[dict[str, Any]]:
        """The first ``count`` messages the bot sent to ``chat``, once they are there."""
        mine = lambda: [m for m in self.sent if m["chat"] == chat]  # noqa: E731
        await wait_until(lambda: len(mine()) >= count, within, lambda: f"sent to {chat}: {mine()}")
        return mine()[:count]

    async def wait_text(self, text: str, chat: str, within: float = 30) -> None:
        """Return once the bot has sent exactly ``text`` to ``chat``."""
        texts = lambda: [m["text"] for m in self.sent if m["chat"] == chat]  # noqa: E731
        await wait_until(lambda: text in texts(), within, lambda: f"sent to {chat}: {texts()}")

    def _authorized(self, request: web.Request) -> None:
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            raise web.HTTPUnauthorized()

    async def _poll(self, request: web.Request) -> web.Response:
        self._authorized(request)
        offset = int(request.query.get("offset", "0"))
        self._updates = [u for u in self._updates if u["id"] >= offset]  # confirmed: gone
        if not self._updates:
            self._arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), timeout=1)
        return web.json_response({"updates": self._updates})

    async def _send(self, request: web.Request) -> web.Response:
        self._authorized(request)
        body = await request.json()
        message = {"id": f"p-{next(self._ids)}", **body}
        self.sent.append(message)
        return web.json_response({"id": message["id"]})
