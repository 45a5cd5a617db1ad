"""The fake Discord's gateway: plain JSON text frames over a websocket. HELLO,
IDENTIFY → READY and GUILD_CREATE, heartbeat ACKs, and RESUME with the events missed
while the connection was down replayed in order."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable
from typing import Any

from aiohttp import WSMsgType, web

from tests.fakes.discord_world import (
    APPLICATION_ID,
    BOT,
    GUILD,
    NO_THREADS,
    PRIVILEGED,
    STAFF,
    SUPPORT,
)


class DiscordGateway:
    """Mixed into ``FakeDiscord``, which sets the attributes declared here."""

    token: str
    gateway: str
    privileged_intents_enabled: bool
    identified_intents: int | None
    identifies: int
    resumes: int
    threads: dict[str, dict[str, Any]]
    _events: list[dict[str, Any]]
    _session: str
    _ws: web.WebSocketResponse | None
    _delivered: int
    _ready: asyncio.Event
    _flushing: set[asyncio.Future[None]]
    _member: Callable[[str, str, str | None], dict[str, Any]]

    def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Queue a dispatch; it reaches the client now, or on RESUME if it is away."""
        frame = {"op": 0, "s": len(self._events) + 1, "t": event, "d": data}
        self._events.append(frame)
        if self._ws is not None and not self._ws.closed:
            task = asyncio.ensure_future(self._flush(self._ws))
            self._flushing.add(task)
            task.add_done_callback(self._flushing.discard)

    async def _flush(self, ws: web.WebSocketResponse) -> None:
        while self._delivered < len(self._events) and ws is self._ws and not ws.closed:
            frame = self._events[self._delivered]
            self._delivered += 1
            with contextlib.suppress(ConnectionError, RuntimeError):
                await ws.send_str(json.dumps(frame))

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 41250}}))
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                break
            frame = json.loads(msg.data)
            op = frame.get("op")
            if op == 1:
                await ws.send_str(json.dumps({"op": 11}))
            elif op == 2:
                await self._identify(ws, frame["d"])
            elif op == 6:
                await self._resume(ws, frame["d"])
        if self._ws is ws:
            self._ws = None
        return ws

    async def _identify(self, ws: web.WebSocketResponse, data: dict[str, Any]) -> None:
        if data.get("token") != self.token:
            await ws.close(code=4004, message=b"Authentication failed.")
            return
        if not self.privileged_intents_enabled and int(data.get("intents", 0)) & PRIVILEGED:
            await ws.close(code=4014, message=b"Disallowed intent(s).")
            return
        self.identifies += 1
        self.identified_intents = int(data.get("intents", 0))
        self._events.clear()
        self._ws, self._delivered = ws, 0
        self.dispatch(
            "READY",
            {
                "v": 10,
                "user": BOT,
                "guilds": [{"id": GUILD, "unavailable": True}],
                "session_id": self._session,
                "resume_gateway_url": self.gateway,
                "application": {"id": APPLICATION_ID, "flags": 0},
            },
        )
        self.dispatch("GUILD_CREATE", self._guild())
        await self._flush(ws)
        self._ready.set()

    async def _resume(self, ws: web.WebSocketResponse, data: dict[str, Any]) -> None:
        if data.get("session_id") != self._session or data.get("token") != self.token:
            await ws.send_str(json.dumps({"op": 9, "d": False}))
            return
        self.resumes += 1
        self._ws, self._delivered = ws, int(data.get("seq") or 0)
        await self._flush(ws)  # what the client missed, in order
        self.dispatch("RESUMED", {})

    def _guild(self) -> dict[str, Any]:
        def text_channel(channel_id: str, name: str, position: int) -> dict[str, Any]:
            return {"id": channel_id, "type": 0, "name": name, "position": position}

        return {
            "id": GUILD,
            "name": "Example Exchange",
            "owner_id": "1",
            "member_count": 1,
            "large": False,
            "roles": [{"id": GUILD, "name": "@everyone", "permissions": "0", "position": 0}],
            "channels": [
                text_channel(SUPPORT, "support", 0),
                text_channel(NO_THREADS, "announcements-chat", 1),
                text_channel(STAFF, "staff", 2),
            ],
            "threads": list(self.threads.values()),
            "members": [{**self._member(BOT["id"], BOT["username"], None), "user": BOT}],
        }
