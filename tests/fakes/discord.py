"""A fake Discord (REST and gateway) that the real discord.py ``Client`` talks to.

REST answers under ``/api/v10`` with ``Content-Type: application/json`` exactly (which
discord.py compares as a string), rate-limit headers on every answer, per-route buckets
that answer 429 with a ``Via`` header and a ``retry_after`` body the way Discord does,
and can be told to fail a share of sends with 500s. The gateway at ``/`` speaks plain
JSON text frames: HELLO, IDENTIFY → READY and GUILD_CREATE, heartbeat ACKs, and RESUME
with the events missed while the connection was down replayed in order. Interactions
must be answered within Discord's three seconds or the callback gets "Unknown
interaction", as on the real platform.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import random
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import WSMsgType, web

from tests.fakes.discord_files import DiscordFiles, multipart_body
from tests.fakes.serving import serve, wait_until

BOT = {"id": "1000", "username": "Support", "discriminator": "0", "avatar": None, "bot": True}
APPLICATION_ID = "1000"
GUILD = "2000"
SUPPORT = "3000"  # a public text channel
NO_THREADS = "3001"  # a channel where the bot may not open threads
STAFF = "3999"
INTERACTION_WINDOW = 3.0  # seconds Discord waits for an interaction's first answer
# per-route buckets: (sends, seconds), as Discord's headers report them
MESSAGE_BUCKET = (5, 2.0)
MESSAGE_CONTENT_INTENT = 1 << 15
PRIVILEGED = MESSAGE_CONTENT_INTENT | (1 << 1) | (1 << 8)  # content, members, presences
DISCORD_EPOCH_MS = 1_420_070_400_000
STALL_SECONDS = 3.0


@dataclass
class Call:
    method: str
    route: str
    body: Any
    status: int = 0
    at: float = field(default_factory=time.monotonic)


@dataclass
class _Interaction:
    payload: dict[str, Any]
    issued: float
    answered: int | None = None  # the callback type, once answered


class FakeDiscord(DiscordFiles):
    """Run with ``async with FakeDiscord() as dc:``; ``dc.api_base`` and ``dc.gateway``."""

    def __init__(self, *, token: str = "discord-test-token", seed: int = 11) -> None:
        self.token = token
        self.fail_rate = 0.0  # share of message sends answered with HTTP 500
        self.rate_limit_next = 0  # answer this many of the next sends with 429
        self.stall_next = 0  # hold this many of the next sends for STALL_SECONDS
        self.privileged_intents_enabled = True  # as switched on in the developer portal
        self.calls: list[Call] = []
        self.identified_intents: int | None = None
        self.identifies = 0
        self.resumes = 0
        self.commands: dict[str, list[dict[str, Any]]] = {}  # guild -> registered commands
        self.deleted: list[tuple[str, str]] = []  # (channel, message)
        self.pins: dict[str, set[str]] = defaultdict(set)  # channel -> pinned messages
        self.timeouts: dict[str, str | None] = {}  # user -> communication_disabled_until
        self.threads: dict[str, dict[str, Any]] = {}  # thread id -> channel object
        self.thread_members: dict[str, set[str]] = defaultdict(set)
        self.blocked: set[str] = set()  # users whose DMs are closed to the bot
        self.interactions: dict[str, _Interaction] = {}
        self._random = random.Random(seed)
        self._ids = itertools.count(1)
        self._events: list[dict[str, Any]] = []  # every dispatch, by sequence number
        self._session = "fake-session-1"
        self._ws: web.WebSocketResponse | None = None
        self._delivered = 0  # highest sequence number sent on the live connection
        self._windows: dict[str, deque[float]] = defaultdict(deque)
        self._messages: dict[str, dict[str, Any]] = {}
        self._dm_channels: dict[str, str] = {}  # user -> DM channel id
        self._ready = asyncio.Event()
        self._flushing: set[asyncio.Future[None]] = set()
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway(self) -> str:
        return f"ws://127.0.0.1:{self.port}/"

    async def __aenter__(self) -> FakeDiscord:
        app = web.Application()
        app.router.add_get("/", self._gateway)
        app.router.add_route("*", "/api/v10/{route:.*}", self._rest)
        app.router.add_get("/attachments/{path:.+}", self._cdn)
        self._runner, self.port = await serve(app)
        return self

    async def __aexit__(self, *_exc: object) -> None:
        if self._ws is not None:
            with contextlib.suppress(Exception):
                await self._ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    # --- what the bot did -----------------------------------------------------------

    def sent(self, channel_id: str | None = None) -> list[dict[str, Any]]:
        """Messages the bot created (channel sends, interaction answers), oldest first."""
        return [
            c.body
            for c in self.calls
            if c.status == 200
            and c.body.get("_created")
            and (channel_id is None or c.body["channel_id"] == channel_id)
        ]

    async def wait_sent(
        self, count: int, channel_id: str | None = None, within: float = 10
    ) -> list[dict[str, Any]]:
        def describe() -> str:
            got = self.sent(channel_id)
            texts = [m.get("content", "")[:60] for m in got[-5:]]
            return f"expected {count} message(s) in {channel_id}, got {len(got)}: {texts}"

        await wait_until(lambda: len(self.sent(channel_id)) >= count, within, describe)
        return self.sent(channel_id)

    async def wait_ready(self, within: float = 10) -> None:
        await asyncio.wait_for(self._ready.wait(), within)

    def dm_channel(self, user_id: str) -> str:
        if user_id not in self._dm_channels:
            self._dm_channels[user_id] = self._snowflake()
        return self._dm_channels[user_id]

    # --- what users do --------------------------------------------------------------

    def _snowflake(self) -> str:
        """A real snowflake: discord.py reads a message's time out of its id."""
        millis = int(time.time() * 1000) - DISCORD_EPOCH_MS
        return str((millis << 22) | (next(self._ids) % 4096))

    def user(self, user_id: str, name: str = "alice") -> dict[str, Any]:
        return {"id": user_id, "username": name, "discriminator": "0", "avatar": None}

    def dm(self, user_id: str, text: str, **extra: Any) -> dict[str, Any]:
        """A direct message to the bot (no ``guild_id``: discord.py makes a DMChannel)."""
        return self._message_create(self.dm_channel(user_id), None, self.user(user_id), text, extra)

    def post(
        self, channel_id: str, user_id: str, text: str, *, name: str = "alice", **extra: Any
    ) -> dict[str, Any]:
        """A message in a server channel or thread; write ``<@1000>`` to mention the bot."""
        author = self.user(user_id, name)
        mentions = [BOT] if f"<@{BOT['id']}>" in text else []
        extra.setdefault("mentions", mentions)
        return self._message_create(channel_id, GUILD, author, text, extra)

    def slash(
        self, channel_id: str, user_id: str, name: str, options: dict[str, str] | None = None
    ) -> str:
        """A slash command used in a server channel; returns the interaction id."""
        command = next(c for c in self.commands.get(GUILD, []) if c["name"] == name)
        data = {
            "id": command["id"],
            "name": name,
            "type": 1,
            "guild_id": GUILD,  # a server's own command says which server
            "options": [
                {"name": key, "type": 3, "value": value} for key, value in (options or {}).items()
            ],
        }
        return self._interaction(2, channel_id, user_id, data)

    def press(self, channel_id: str, user_id: str, custom_id: str, message_id: str) -> str:
        """A button pressed on one of the bot's messages; returns the interaction id."""
        data = {"custom_id": custom_id, "component_type": 2}
        message = self._messages.get(message_id, {"id": message_id, "channel_id": channel_id})
        return self._interaction(3, channel_id, user_id, data, message=message)

    def join(self, user_id: str, name: str, nick: str | None = None) -> None:
        self.dispatch(
            "GUILD_MEMBER_ADD",
            {"guild_id": GUILD, **self._member(user_id, name, nick)},
        )

    def rename(self, user_id: str, name: str, nick: str | None) -> None:
        self.dispatch(
            "GUILD_MEMBER_UPDATE",
            {"guild_id": GUILD, **self._member(user_id, name, nick)},
        )

    async def drop_gateway(self) -> None:
        """Cut the connection as a network failure would; the client must RESUME."""
        ws, self._ws = self._ws, None
        if ws is not None:
            await ws.close(code=4000, message=b"unknown error")

    # --- gateway --------------------------------------------------------------------

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

    def _member(self, user_id: str, name: str, nick: str | None) -> dict[str, Any]:
        return {
            "user": self.user(user_id, name),
            "nick": nick,
            "roles": [],
            "joined_at": datetime.now(UTC).isoformat(),
            "deaf": False,
            "mute": False,
            "flags": 0,
        }

    def _message(self, channel_id: str, author: dict[str, Any], text: str) -> dict[str, Any]:
        """A message object as Discord sends it, with what discord.py requires."""
        return {
            "id": self._snowflake(),
            "channel_id": channel_id,
            "type": 0,
            "content": text,
            "timestamp": datetime.now(UTC).isoformat(),
            "author": author,
            "mentions": [],
            "attachments": [],
            "embeds": [],
            "pinned": False,
            "tts": False,
            "mention_everyone": False,
        }

    def _message_create(
        self,
        channel_id: str,
        guild_id: str | None,
        author: dict[str, Any],
        text: str,
        extra: dict[str, Any],
    ) -> dict[str, Any]:
        message = {**self._message(channel_id, author, text), **extra}
        if guild_id is not None:
            message["guild_id"] = guild_id
            message["member"] = {"roles": [], "joined_at": datetime.now(UTC).isoformat()}
        self._messages[message["id"]] = message
        visible = dict(message)
        if not self._content_visible(message):
            visible.update(content="", embeds=[], attachments=[])
        self.dispatch("MESSAGE_CREATE", visible)
        return message

    def _content_visible(self, message: dict[str, Any]) -> bool:
        """Without the Message Content intent, Discord blanks server messages."""
        if (self.identified_intents or 0) & MESSAGE_CONTENT_INTENT:
            return True
        mentioned = any(m["id"] == BOT["id"] for m in message.get("mentions", []))
        return "guild_id" not in message or mentioned

    def _interaction(
        self,
        kind: int,
        channel_id: str,
        user_id: str,
        data: dict[str, Any],
        message: dict[str, Any] | None = None,
    ) -> str:
        interaction_id = self._snowflake()
        payload: dict[str, Any] = {
            "id": interaction_id,
            "application_id": APPLICATION_ID,
            "type": kind,
            "token": f"itoken-{interaction_id}",
            "version": 1,
            "channel_id": channel_id,
            "data": data,
            "locale": "en-US",
            "guild_locale": "en-US",
            "app_permissions": "0",
            "entitlements": [],
            "attachment_size_limit": 10 * 1024 * 1024,
            "context": 0,
            "authorizing_integration_owners": {"0": GUILD},
        }
        if channel_id in self._dm_channels.values():
            user = self.user(user_id)
            payload.update(channel={"id": channel_id, "type": 1, "recipients": [user]}, user=user)
        else:
            channel = self.threads.get(channel_id) or {
                "id": channel_id,
                "type": 0,
                "name": "support",
                "position": 0,
                "guild_id": GUILD,
            }
            member = {**self._member(user_id, f"user{user_id}", None), "permissions": "0"}
            payload.update(channel=channel, guild_id=GUILD, member=member)
        if message is not None:
            payload["message"] = {**self._message(channel_id, BOT, ""), **message}
        self.interactions[interaction_id] = _Interaction(payload, time.monotonic())
        self.dispatch("INTERACTION_CREATE", payload)
        return interaction_id

    # --- REST -----------------------------------------------------------------------

    async def _rest(self, request: web.Request) -> web.Response:
        route = request.match_info["route"]
        body: Any = None
        if request.can_read_body:
            raw = await request.read()
            if request.content_type == "multipart/form-data":
                body = multipart_body(raw, request.headers.get("Content-Type", ""))
            else:
                body = json.loads(raw) if raw else None
        call = Call(request.method, route, body if isinstance(body, dict) else {"_body": body})
        self.calls.append(call)
        if self.stall_next and request.method == "POST" and route.endswith("/messages"):
            self.stall_next -= 1
            await asyncio.sleep(STALL_SECONDS)
            if request.transport is None or request.transport.is_closing():
                call.status = 499  # the client gave up before it arrived: nothing created
                return web.Response(status=499)
        # interaction callbacks and follow-ups authenticate by their token in the path
        needs_auth = not route.startswith(("interactions/", "webhooks/"))
        if needs_auth and request.headers.get("Authorization", "") != f"Bot {self.token}":
            call.status = 401
            return _json(401, {"message": "401: Unauthorized", "code": 0})
        status, result, headers = await self._route(request.method, route, call.body)
        call.status = status
        if status == 200 and isinstance(result, dict):
            call.body.update(_created=bool(result.get("_created")))
            result = {k: v for k, v in result.items() if k != "_created"}
            call.body.setdefault("channel_id", result.get("channel_id"))
            call.body.setdefault("id", result.get("id"))
            if "interaction_id" in result:
                call.body["interaction_id"] = result["interaction_id"]
        return _json(status, result, headers)

    async def _route(
        self, method: str, route: str, body: dict[str, Any]
    ) -> tuple[int, Any, dict[str, str]]:
        parts = route.strip("/").split("/")
        if method == "GET" and route == "users/@me":
            return 200, BOT, {}
        if method == "GET" and route == "oauth2/applications/@me":
            return 200, _application(), {}
        if method == "GET" and route == "gateway/bot":
            return 200, _gateway_bot(self.gateway), {}
        if method == "POST" and route == "users/@me/channels":
            recipient = str(body["recipient_id"])
            channel = {
                "id": self.dm_channel(recipient),
                "type": 1,
                "recipients": [self.user(recipient)],
            }
            return 200, channel, {}
        if parts[0] == "applications" and method == "PUT":
            return self._register(parts, body)
        shape = (method, parts[0], len(parts), parts[2] if len(parts) > 2 else "")
        if shape == ("POST", "channels", 3, "messages"):
            return self._send(parts[1], body)
        if parts[0] == "channels" and len(parts) == 5 and parts[3] == "pins":
            pinned = self.pins[parts[1]]
            if method == "PUT":
                pinned.add(parts[4])
            else:
                pinned.discard(parts[4])
            return 204, None, {}
        if shape == ("DELETE", "channels", 4, "messages"):
            self.deleted.append((parts[1], parts[3]))
            return 204, None, {}
        if parts[0] == "channels" and len(parts) == 3 and parts[2] == "threads":
            return self._create_thread(parts[1], body)
        if parts[0] == "channels" and len(parts) == 4 and parts[2] == "thread-members":
            self.thread_members[parts[1]].add(parts[3])
            return 204, None, {}
        if parts[0] == "guilds" and len(parts) == 4 and parts[2] == "members":
            self.timeouts[parts[3]] = body.get("communication_disabled_until")
            return 200, self._member(parts[3], f"user{parts[3]}", None), {}
        if parts[0] == "interactions" and parts[-1] == "callback":
            return self._callback(parts[1], body)
        if parts[0] == "webhooks":
            return self._followup(method, parts, body)
        return 404, {"message": "404: Not Found", "code": 0}, {}

    def _register(self, parts: list[str], body: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        guild = parts[3] if len(parts) > 4 and parts[2] == "guilds" else ""
        commands = [
            {
                **command,
                "id": self._snowflake(),
                "application_id": APPLICATION_ID,
                "version": "1",
                "type": command.get("type", 1),
                "default_member_permissions": None,
                "dm_permission": True,
                "nsfw": False,
            }
            for command in body["_body"]
        ]
        self.commands[guild or "global"] = commands
        return 200, commands, {}

    def _send(self, channel_id: str, body: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        limited = self._bucket(channel_id)
        if limited is not None:
            return limited
        if self._random.random() < self.fail_rate:
            return 500, {"message": "500: Internal Server Error", "code": 0}, {}
        user = next((u for u, c in self._dm_channels.items() if c == channel_id), None)
        if user is not None and user in self.blocked:
            return (
                403,
                {"message": "Cannot send messages to this user", "code": 50007},
                {},
            )
        content = body.get("content") or ""
        if len(content) > 2000:
            return (
                400,
                {
                    "message": "Invalid Form Body",
                    "code": 50035,
                    "errors": {"content": {"_errors": [{"code": "BASE_TYPE_MAX_LENGTH"}]}},
                },
                {},
            )
        message = self._bot_message(channel_id, body)
        remaining = MESSAGE_BUCKET[0] - len(self._windows[channel_id])
        return 200, message, _bucket_headers(channel_id, remaining)

    def _bot_message(self, channel_id: str, body: dict[str, Any]) -> dict[str, Any]:
        message = self._message(channel_id, BOT, body.get("content") or "")
        message["components"] = body.get("components") or []
        if body.get("message_reference"):
            message["message_reference"] = body["message_reference"]
        self._messages[message["id"]] = message
        return {**message, "_created": True}

    def _bucket(self, channel_id: str) -> tuple[int, Any, dict[str, str]] | None:
        if self.rate_limit_next > 0:
            self.rate_limit_next -= 1
            return _too_many(0.3, channel_id)
        sends, period = MESSAGE_BUCKET
        window = self._windows[channel_id]
        now = time.monotonic()
        while window and window[0] <= now - period:
            window.popleft()
        if len(window) >= sends:
            return _too_many(round(window[0] + period - now, 3), channel_id)
        window.append(now)
        return None

    def _create_thread(
        self, channel_id: str, body: dict[str, Any]
    ) -> tuple[int, Any, dict[str, str]]:
        if channel_id == NO_THREADS:
            return 403, {"message": "Missing Permissions", "code": 50013}, {}
        thread = {
            "id": self._snowflake(),
            "type": body.get("type", 12),
            "guild_id": GUILD,
            "parent_id": channel_id,
            "name": body["name"],
            "owner_id": BOT["id"],
            "member_count": 1,
            "message_count": 0,
            "rate_limit_per_user": 0,
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": body.get("auto_archive_duration", 1440),
                "archive_timestamp": datetime.now(UTC).isoformat(),
                "locked": False,
                "invitable": body.get("invitable", True),
            },
        }
        self.threads[thread["id"]] = thread
        self.dispatch("THREAD_CREATE", {**thread, "newly_created": True})
        return 200, thread, {}

    def _callback(self, interaction_id: str, body: dict[str, Any]) -> tuple[int, Any, dict]:
        pending = self.interactions.get(interaction_id)
        late = pending is None or time.monotonic() - pending.issued > INTERACTION_WINDOW
        if pending is None or late or pending.answered is not None:
            return 404, {"message": "Unknown interaction", "code": 10062}, {}
        pending.answered = int(body["type"])
        # discord.py asks ``?with_response=1``: the callback's own record comes back
        answer = {
            "interaction": {
                "id": interaction_id,
                "type": pending.payload["type"],
                "response_message_loading": pending.answered == 5,
                "response_message_ephemeral": False,
            },
            "resource": {"type": pending.answered},
        }
        return 200, answer, {}

    def _followup(
        self, method: str, parts: list[str], body: dict[str, Any]
    ) -> tuple[int, Any, dict[str, str]]:
        token = parts[2]
        pending = next((i for i in self.interactions.values() if i.payload["token"] == token), None)
        if pending is None or pending.answered is None:
            return 404, {"message": "Unknown Webhook", "code": 10015}, {}
        channel_id = pending.payload["channel_id"]
        if method in ("PATCH", "POST"):
            message = self._bot_message(channel_id, body)
            message["interaction_id"] = pending.payload["id"]
            return 200, message, {}
        return 404, {"message": "404: Not Found", "code": 0}, {}


def _application() -> dict[str, Any]:
    return {
        "id": APPLICATION_ID,
        "name": "Support",
        "description": "",
        "icon": None,
        "bot_public": False,
        "bot_require_code_grant": False,
        "verify_key": "0" * 64,
        "owner": {"id": "1", "username": "owner", "discriminator": "0", "avatar": None},
        "flags": 0,
    }


def _gateway_bot(url: str) -> dict[str, Any]:
    return {
        "url": url,
        "shards": 1,
        "session_start_limit": {
            "total": 1000,
            "remaining": 999,
            "reset_after": 0,
            "max_concurrency": 1,
        },
    }


def _bucket_headers(channel_id: str, remaining: int) -> dict[str, str]:
    sends, period = MESSAGE_BUCKET
    return {
        "X-RateLimit-Bucket": f"messages-{channel_id}",
        "X-RateLimit-Limit": str(sends),
        "X-RateLimit-Remaining": str(max(remaining, 0)),
        "X-RateLimit-Reset-After": str(period),
        "X-RateLimit-Reset": f"{time.time() + period:.3f}",
    }


def _too_many(retry_after: float, channel_id: str) -> tuple[int, Any, dict[str, str]]:
    body = {"message": "You are being rate limited.", "retry_after": retry_after, "global": False}
    headers = {**_bucket_headers(channel_id, 0), "Via": "1.1 google", "Retry-After": "1"}
    headers["X-RateLimit-Reset-After"] = str(retry_after)
    headers["X-RateLimit-Scope"] = "user"
    return 429, body, headers


def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> web.Response:
    if status == 204:
        return web.Response(status=204, headers=headers)
    return web.Response(
        status=status,
        body=json.dumps(body).encode(),
        content_type="application/json",
        headers=headers,
    )
