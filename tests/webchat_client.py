"""A web-chat client for tests: what the page does, over a real HTTP and websocket link.

The page gets its session as a signed, HttpOnly cookie from ``GET /chat`` and opens
the socket from its own origin; these helpers do the same with aiohttp. (aiohttp's
cookie jar ignores cookies from an IP address such as 127.0.0.1, so the cookie is
carried by hand.)
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp

from channels.webchat_session import COOKIE


async def new_session(http: aiohttp.ClientSession, base: str) -> str:
    """Load the page as a browser would; the session cookie's value it was given."""
    async with http.get(f"{base}/chat") as response:
        assert response.status == 200, await response.text()
        return response.cookies[COOKIE].value


@asynccontextmanager
async def chat_socket(
    http: aiohttp.ClientSession,
    base: str,
    cookie: str | None = None,
    *,
    origin: str | None = None,
) -> AsyncIterator[aiohttp.ClientWebSocketResponse]:
    """A socket of the chat whose cookie is ``cookie`` (a new chat when ``None``)."""
    if cookie is None:
        cookie = await new_session(http, base)
    headers = {"Cookie": f"{COOKIE}={cookie}", "Origin": origin or base}
    async with http.ws_connect(f"{base}/chat/ws", headers=headers) as ws:
        yield ws


async def next_frame(ws: aiohttp.ClientWebSocketResponse, kind: str) -> dict[str, Any]:
    """The next frame of type ``kind``, skipping others."""
    while True:
        message = await asyncio.wait_for(ws.receive(), timeout=10)
        assert message.type == aiohttp.WSMsgType.TEXT, f"the socket closed: {message}"
        frame = json.loads(message.data)
        if frame["type"] == kind:
            return frame
