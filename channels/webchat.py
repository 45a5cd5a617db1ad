"""The local web chat: talk to the bot in a browser, no platform token needed.

The bot's own aiohttp server serves a page at ``/chat`` and a websocket at
``/chat/ws``. Messages from the page go through the same router and outbox as every
other channel. The page gives each message an id and resends it until the server
acknowledges it, and the inbox deduplicates, so a dropped connection loses nothing.
"""

from __future__ import annotations

import asyncio
import html
import json
import logging
import re
import uuid
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiohttp import WSMsgType, web

from channels.base import (
    Action,
    Capabilities,
    ChatKind,
    DeliveryError,
    Dispatch,
    InvitePrivate,
    Message,
    Reply,
)

log = logging.getLogger(__name__)

PAGE = Path(__file__).with_name("webchat.html")

# Accept-Language header -> (language, the page's sentences by key), supplied by the
# composition root from the localized texts, so no sentence lives in this module.
PageTexts = Callable[[str | None], tuple[str, dict[str, str]]]
_SESSION = re.compile(r"^[A-Za-z0-9-]{8,64}$")
_CLIENT_ID = re.compile(r"^[A-Za-z0-9-]{1,64}$")
MAX_FRAME = 2 * 1024 * 1024


class WebChatAdapter:
    """A :class:`channels.base.Channel` whose platform is the bot's own web page."""

    name = "web"
    capabilities = Capabilities(max_length=4000, buttons=True)

    def __init__(self, page_texts: PageTexts) -> None:
        self._page_texts = page_texts
        self._template = PAGE.read_text(encoding="utf-8")
        self._dispatch: Dispatch | None = None
        self._sockets: dict[str, set[web.WebSocketResponse]] = defaultdict(set)

    def __repr__(self) -> str:
        return f"WebChatAdapter(sessions={len(self._sockets)})"

    def routes(self) -> list[web.RouteDef]:
        return [web.get("/chat", self._page), web.get("/chat/ws", self._websocket)]

    async def start(self, dispatch: Dispatch) -> None:
        self._dispatch = dispatch

    async def stop(self) -> None:
        sockets = [ws for group in self._sockets.values() for ws in group]
        await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
        self._sockets.clear()
        self._dispatch = None

    async def perform(self, action: Action) -> str | None:
        if isinstance(action, InvitePrivate):
            # the web chat is private already: the invitation is just its text
            action = Reply(chat_id=action.chat_id, text=action.text)
        if not isinstance(action, Reply):
            raise DeliveryError(f"the web chat cannot {action.type}", permanent=True)
        sockets = [ws for ws in self._sockets.get(action.chat_id, ()) if not ws.closed]
        if not sockets:
            raise DeliveryError("no browser is connected to this chat", retry_after=3.0)
        platform_id = f"out-{uuid.uuid4().hex}"
        frame = {
            "type": "reply",
            "id": platform_id,
            "text": action.text,
            "buttons": [[b.model_dump(exclude_none=True) for b in row] for row in action.buttons],
        }
        results = await asyncio.gather(
            *(ws.send_json(frame) for ws in sockets), return_exceptions=True
        )
        if all(isinstance(r, BaseException) for r in results):
            raise DeliveryError("the browser connection dropped", retry_after=3.0)
        return platform_id

    async def _page(self, request: web.Request) -> web.StreamResponse:
        language, texts = self._page_texts(request.headers.get("Accept-Language"))
        page = self._template
        for key in ("title", "connecting", "placeholder", "send"):
            page = page.replace(f"__{key.upper()}__", html.escape(texts[key]))
        page = page.replace("__LANG__", html.escape(language))
        page = page.replace("__TEXTS_JSON__", json.dumps(texts).replace("</", "<\\/"))
        return web.Response(
            text=page, content_type="text/html", headers={"Cache-Control": "no-store"}
        )

    async def _websocket(self, request: web.Request) -> web.StreamResponse:
        session = request.query.get("session", "")
        if not _SESSION.match(session):
            raise web.HTTPBadRequest(text="session must be 8-64 letters, digits or dashes")
        ws = web.WebSocketResponse(heartbeat=30, max_msg_size=MAX_FRAME)
        await ws.prepare(request)
        self._sockets[session].add(ws)
        try:
            async for frame in ws:
                if frame.type != WSMsgType.TEXT:
                    continue
                await self._receive(ws, session, frame.data)
        finally:
            group = self._sockets.get(session)
            if group is not None:
                group.discard(ws)
                if not group:
                    del self._sockets[session]
        return ws

    async def _receive(self, ws: web.WebSocketResponse, session: str, data: str) -> None:
        try:
            message = to_message(session, json.loads(data), datetime.now(UTC))
        except (ValueError, TypeError, KeyError) as exc:
            await ws.send_json({"type": "error", "error": f"unreadable frame: {exc}"})
            return
        if self._dispatch is None:
            await ws.send_json({"type": "error", "error": "the bot is starting; try again"})
            return
        await self._dispatch(message)
        await ws.send_json({"type": "ack", "id": message.platform_message_id.removeprefix("in-")})


def to_message(session: str, frame: dict[str, Any], now: datetime) -> Message:
    """A page frame as a :class:`Message`; raises ``ValueError`` for a malformed one.

    Frames: ``{"type": "message", "id", "text", "lang"?}`` and
    ``{"type": "button", "id", "data", "lang"?}``.
    """
    if not isinstance(frame, dict):
        raise ValueError("a frame is a JSON object")
    kind = frame.get("type")
    client_id = str(frame.get("id", ""))
    if not _CLIENT_ID.match(client_id):
        raise ValueError("id must be 1-64 letters, digits or dashes")
    lang = frame.get("lang")
    common: dict[str, Any] = {
        "channel": "web",
        "chat_id": session,
        "chat_kind": ChatKind.PRIVATE,
        "sender_id": session,
        "platform_message_id": f"in-{client_id}",
        "received_at": now,
        "display_name": "",
        "language_hint": lang if isinstance(lang, str) else None,
    }
    if kind == "message":
        text = frame.get("text")
        if not isinstance(text, str):
            raise ValueError("text must be a string")
        return Message(text=text, **common)
    if kind == "button":
        data = frame.get("data")
        if not isinstance(data, str) or not data:
            raise ValueError("data must be a non-empty string")
        return Message(text="", callback=data[:256], **common)
    raise ValueError(f"unknown frame type {kind!r}")
