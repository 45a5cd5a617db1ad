"""The local web chat: talk to the bot in a browser, no platform token needed.

The bot's own aiohttp server serves a page at ``/chat`` and a websocket at
``/chat/ws``. Messages from the page go through the same router and outbox as every
other channel. The page gives each message an id and resends it until the server
acknowledges it, and the inbox deduplicates, so a dropped connection loses nothing.

The web chat is a platform of its own, so it keeps what a platform keeps: every reply
is stored in the chat's history before it is pushed to the open tabs, and a tab that
connects is sent that history first. An answer sent while the browser was away is a
delivered answer, waiting for the user, exactly as on Telegram. With several processes
the browser's socket is held by one of them, and a reply sent by another reaches it
through ``channels.webchat_fanout``. Sessions are issued by the server (see
``channels.webchat_session``); the frames' shapes are in ``channels.webchat_frames``.
"""

from __future__ import annotations

import asyncio
import html
import json
import logging
import secrets
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from aiohttp import WSCloseCode, WSMsgType, web

from channels.base import (
    MAX_FILE_BYTES,
    Action,
    Attachment,
    ChannelStartError,
    DeliveryError,
    Dispatch,
    FetchError,
    FileSource,
    Image,
    InvitePrivate,
    Reply,
)
from channels.registry import BuildContext
from channels.webchat_fanout import Fanout, RedisFanout
from channels.webchat_files import (
    UPLOAD_PREFIX,
    file_response,
    read_upload,
    upload_message,
)
from channels.webchat_frames import ChatLine, line_frame, reply_frame, to_message
from channels.webchat_session import (
    COOKIE,
    COOKIE_MAX_AGE,
    SPEC,
    AddressLimits,
    SessionSigner,
    WebChatSettings,
    origin_allowed,
)

log = logging.getLogger(__name__)

PAGE = Path(__file__).with_name("webchat.html")

# Accept-Language header -> (language, the page's sentences by key), supplied by the
# composition root from the localized texts, so no sentence lives in this module.
PageTexts = Callable[[str | None], tuple[str, dict[str, str]]]
MAX_TEXT = 8000  # characters the page lets a message have: what the bot reads
MAX_FRAME = 64 * 1024  # bytes of one frame: a MAX_TEXT message fits, whatever its script
HISTORY = 200  # lines a tab is sent when it connects
TOO_BIG = f"message too big: frames are limited to {MAX_FRAME} bytes".encode()
# a socket closed because its session cannot be used, or because of a limit: the page
# reads the code and says why (a browser cannot read a refused handshake's status)
NO_SESSION = 4401
TOO_MANY = 4429


class History(Protocol):
    """Where the web chat keeps its chats (``storage.webchat.WebChatStore``).

    ``keep_reply`` must have stored the reply durably when it returns its number
    (unique and increasing); ``history`` returns a chat's last lines oldest first, the
    user's messages as the inbox stored them (redacted, bounded).
    """

    async def keep_reply(
        self, chat_id: str, text: str, buttons: list[Any], now: datetime, image: int | None = None
    ) -> int: ...

    async def history(self, chat_id: str, limit: int) -> Sequence[ChatLine]: ...

    async def signing_key(self) -> str: ...


class _ChatSocket(web.WebSocketResponse):
    """aiohttp closes a socket whose frame is too big with 1009 and no reason; this
    one says why, so a client (and whoever reads its logs) knows what to change."""

    async def close(
        self, *, code: int = WSCloseCode.OK, message: bytes = b"", drain: bool = True
    ) -> bool:
        if code == WSCloseCode.MESSAGE_TOO_BIG and not message:
            message = TOO_BIG
        return await super().close(code=code, message=message, drain=drain)


class _Tab:
    """One open socket. Its lock keeps live replies behind the history it is sent
    first, so the page sees its chat in order."""

    def __init__(self, ws: web.WebSocketResponse) -> None:
        self.ws = ws
        self.lock = asyncio.Lock()

    async def send(self, frame: dict[str, Any]) -> None:
        async with self.lock:
            await self.ws.send_json(frame)


class WebChatAdapter:
    """A :class:`channels.base.Channel` whose platform is the bot's own web page."""

    name = "web"
    capabilities = SPEC.capabilities

    def __init__(
        self,
        page_texts: PageTexts,
        settings: WebChatSettings | None = None,
        secret: str | None = None,
        fanout: Fanout | None = None,
    ) -> None:
        self._page_texts = page_texts
        self.settings = settings or WebChatSettings()
        self._secret = secret or None
        self._template = PAGE.read_text(encoding="utf-8")
        self._dispatch: Dispatch | None = None
        self._history: History | None = None
        self._signer: SessionSigner | None = None
        self._limits = AddressLimits(self.settings)
        self._tabs: dict[str, set[_Tab]] = defaultdict(set)
        self._files: FileSource | None = None
        self._uploads: dict[str, bytes] = {}  # held while their message is handled
        self.fanout = fanout  # several processes: reaches the tabs the others hold

    def __repr__(self) -> str:
        return f"WebChatAdapter(sessions={len(self._tabs)})"

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/chat", self._page),
            web.get("/chat/ws", self._websocket),
            web.post("/chat/upload", self._upload),
            web.get("/chat/files/{id:\\d{1,18}}", self._file),
        ]

    def use_files(self, files: FileSource) -> None:
        """Where kept files are read from: the images sent to the chat."""
        self._files = files

    async def fetch_attachment(self, attachment: Attachment, limit: int) -> bytes:
        """An upload being handled (see ``handlers.attachments.Fetcher``)."""
        data = self._uploads.get((attachment.ref or "").removeprefix(UPLOAD_PREFIX))
        if data is None:
            raise FetchError("the upload is gone (the bot restarted meanwhile)")
        if len(data) > limit:
            raise FetchError(f"more than {limit} bytes", too_large=True)
        return data

    async def use_history(self, history: History) -> None:
        """Where chats are kept, and the signing key when the environment has none;
        given before the server takes requests."""
        self._history = history
        secret = self._secret or await history.signing_key()
        self._signer = SessionSigner(secret)

    async def start(self, dispatch: Dispatch) -> None:
        if self._history is None or self._signer is None:
            raise ChannelStartError("webchat: the chat history storage was not given")
        self._dispatch = dispatch
        if self.fanout is not None:
            await self.fanout.start(self._deliver_here, self._resync)

    async def stop(self) -> None:
        if self.fanout is not None:
            await self.fanout.stop()
        tabs = [tab for group in self._tabs.values() for tab in group]
        await asyncio.gather(*(tab.ws.close() for tab in tabs), return_exceptions=True)
        self._tabs.clear()
        self._dispatch = None

    async def perform(self, action: Action) -> str | None:
        if isinstance(action, InvitePrivate):
            # the web chat is private already: the invitation is just its text
            action = Reply(chat_id=action.chat_id, text=action.text)
        if not isinstance(action, Reply | Image):
            raise DeliveryError(f"the web chat cannot {action.type}", permanent=True)
        if self._history is None:
            raise DeliveryError("the web chat is not started", retry_after=3.0)
        text, buttons, image = "", [], getattr(action, "attachment_id", None)
        if isinstance(action, Reply):
            text = action.text
            buttons = [[b.model_dump(exclude_none=True) for b in row] for row in action.buttons]
        now = datetime.now(UTC)
        number = await self._history.keep_reply(action.chat_id, text, buttons, now, image)
        platform_id = f"out-{number}"
        frame = reply_frame(platform_id, False, text, buttons, image)
        frame["type"] = "reply"
        # kept, so delivered: a tab that is gone gets it in its history when it is back;
        # nothing below raises, so the row is never retried nor the line kept twice
        written = await self._deliver_here(action.chat_id, frame)
        if self.fanout is not None:  # a tab of this chat may be held by another process
            written += await self.fanout.publish(action.chat_id, frame)
        log.debug("web chat: %s kept, written to %d open tab(s)", platform_id, written)
        return platform_id

    async def _deliver_here(self, chat_id: str, frame: dict[str, Any]) -> int:
        """Write ``frame`` to this process's open tabs of the chat; how many took it."""
        tabs = [tab for tab in self._tabs.get(chat_id, ()) if not tab.ws.closed]
        sent = await asyncio.gather(*(tab.send(frame) for tab in tabs), return_exceptions=True)
        return sum(1 for outcome in sent if not isinstance(outcome, BaseException))

    async def _resync(self, chat_id: str | None) -> None:
        """Send this process's open tabs of a chat (``None``: of every chat) the chat's
        history again, after frames may have been missed; the page shows each line once."""
        if self._history is None:
            return
        for chat in [chat_id] if chat_id is not None else list(self._tabs):
            tabs = list(self._tabs.get(chat, ()))
            if tabs:
                lines = await self._history.history(chat, HISTORY)
                frame = {"type": "history", "lines": [line_frame(x) for x in lines]}
                await asyncio.gather(*(tab.send(frame) for tab in tabs), return_exceptions=True)

    async def _page(self, request: web.Request) -> web.StreamResponse:
        language, texts = self._page_texts(request.headers.get("Accept-Language"))
        if self._signer is None:
            raise web.HTTPServiceUnavailable(text="starting", headers={"Retry-After": "1"})
        session = self._signer.verify(request.cookies.get(COOKIE))
        if session is None:
            if not await self._limits.new_session(request.remote or ""):
                return web.Response(
                    status=429, text=texts["too_many_chats"], headers={"Retry-After": "3600"}
                )
            session, cookie = self._signer.issue()
        else:
            cookie = self._signer.cookie(session)  # renewed: a chat in use does not expire
        page = self._template
        for key in ("title", "connecting", "placeholder", "send"):
            page = page.replace(f"__{key.upper()}__", html.escape(texts[key]))
        page = page.replace("__LANG__", html.escape(language))
        page = page.replace("__TEXTS_JSON__", json.dumps(texts).replace("</", "<\\/"))
        limits = {"text": MAX_TEXT, "frame": MAX_FRAME}
        page = page.replace("__LIMITS_JSON__", json.dumps(limits))
        response = web.Response(
            text=page, content_type="text/html", headers={"Cache-Control": "no-store"}
        )
        response.set_cookie(
            COOKIE,
            cookie,
            max_age=COOKIE_MAX_AGE,
            path="/chat",
            httponly=True,
            samesite="Strict",
            secure=request.secure,
        )
        return response

    async def _websocket(self, request: web.Request) -> web.StreamResponse:
        origin = request.headers.get("Origin")
        if not origin_allowed(origin, request.host, self.settings.allowed_origins):
            raise web.HTTPForbidden(text="the chat's socket is only for the chat's own page")
        if self._signer is None or self._history is None:
            raise web.HTTPServiceUnavailable(text="starting", headers={"Retry-After": "1"})
        session = self._signer.verify(request.cookies.get(COOKIE))
        address = request.remote or ""
        ws = _ChatSocket(heartbeat=30, max_msg_size=MAX_FRAME)
        await ws.prepare(request)
        if session is None:
            await ws.close(code=NO_SESSION, message=b"no valid session: load /chat to get one")
            return ws
        if not self._limits.open_socket(address):
            await ws.close(code=TOO_MANY, message=b"too many open chats from this address")
            return ws
        tab = _Tab(ws)
        self._tabs[session].add(tab)
        try:
            async with tab.lock:  # registered first, so no reply falls between the two
                lines = await self._history.history(session, HISTORY)
                await ws.send_json({"type": "history", "lines": [line_frame(x) for x in lines]})
            async for frame in ws:
                if frame.type == WSMsgType.TEXT:
                    await self._receive(tab, session, address, frame.data)
        finally:
            self._limits.close_socket(address)
            group = self._tabs.get(session)
            if group is not None:
                group.discard(tab)
                if not group:
                    del self._tabs[session]
        return ws

    async def _upload(self, request: web.Request) -> web.StreamResponse:
        """A file from the page, handled as a message of its own; its answer (a note
        when it is refused) comes over the socket like any other."""
        origin = request.headers.get("Origin")
        if not origin_allowed(origin, request.host, self.settings.allowed_origins):
            raise web.HTTPForbidden(text="uploads are only for the chat's own page")
        session = self._signer.verify(request.cookies.get(COOKIE)) if self._signer else None
        if session is None:
            raise web.HTTPUnauthorized(text="no valid session: load /chat to get one")
        wait = await self._limits.message(request.remote or "")
        if wait is not None:
            return web.json_response({"error": "slow_down", "retry_after": wait}, status=429)
        if self._dispatch is None:
            raise web.HTTPServiceUnavailable(text="starting", headers={"Retry-After": "1"})
        try:
            upload = await read_upload(request, MAX_FILE_BYTES)
        except ValueError as exc:
            raise web.HTTPBadRequest(text=f"unreadable upload: {exc}") from None
        token = secrets.token_urlsafe(16)
        self._uploads[token] = upload.data
        try:
            await self._dispatch(upload_message(session, upload, token, datetime.now(UTC)))
        finally:
            del self._uploads[token]
        return web.json_response({"type": "ack", "id": upload.client_id})

    async def _file(self, request: web.Request) -> web.StreamResponse:
        """A kept file of this chat (an image sent to it), for this chat's cookie only."""
        session = self._signer.verify(request.cookies.get(COOKIE)) if self._signer else None
        if session is None:
            raise web.HTTPUnauthorized(text="no valid session: load /chat to get one")
        stored = await self._files.load(int(request.match_info["id"])) if self._files else None
        if stored is None or stored.channel != self.name or stored.chat_id != session:
            raise web.HTTPNotFound(text="no such file in this chat")
        return file_response(stored.data, stored.mime, stored.name)

    async def _receive(self, tab: _Tab, session: str, address: str, data: str) -> None:
        try:
            message = to_message(session, json.loads(data), datetime.now(UTC))
        except (ValueError, TypeError, KeyError, RecursionError) as exc:
            await tab.send({"type": "error", "error": f"unreadable frame: {exc}"})
            return
        client_id = message.platform_message_id.removeprefix("in-")
        wait = await self._limits.message(address)
        if wait is not None:
            # not stored, not acknowledged: the page sends it again after the wait
            await tab.send(
                {"type": "error", "code": "slow_down", "id": client_id, "retry_after": wait}
            )
            return
        if self._dispatch is None:
            await tab.send({"type": "error", "error": "the bot is starting; try again"})
            return
        await self._dispatch(message)
        await tab.send({"type": "ack", "id": client_id})


def build(settings: WebChatSettings, context: BuildContext) -> WebChatAdapter:
    """The registry's factory: the page in the bot's languages, signed sessions, and
    the fan-out over Redis when several processes share it (``[redis] url``)."""
    fanout = None
    if context.redis_url:
        fanout = RedisFanout(context.redis_url, context.redis_prefix)
    return WebChatAdapter(
        page_texts=context.page_texts,
        settings=settings,
        secret=context.environ.get(settings.secret_env),
        fanout=fanout,
    )
