"""The fake Discord's REST API under ``/api/v10``: answers with ``Content-Type:
application/json`` exactly (which discord.py compares as a string), rate-limit headers
on every answer, per-route buckets that answer 429 with a ``Via`` header and a
``retry_after`` body the way Discord does, and a share of sends failed with 500s when
asked. A channel's next sends can lose their answer after Discord posted them
(``lose_answers``): the connection is closed at once, or held unanswered until the
fake closes, so the bot cannot know the message went out. A send with a ``nonce`` and
``enforce_nonce`` that repeats one the bot sent to that channel within ``nonce_window``
seconds gets the message posted then, and nothing new is posted (404 when that message
was deleted meanwhile), as Discord does; a nonce over 25 characters is a 400. Interactions must be
answered within Discord's three seconds or the callback gets "Unknown interaction",
as on the real platform."""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections import defaultdict, deque
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from tests.fakes.discord_files import multipart_body
from tests.fakes.discord_world import (
    APPLICATION_ID,
    BOT,
    GUILD,
    INTERACTION_WINDOW,
    MESSAGE_BUCKET,
    NO_THREADS,
    NONCE_LENGTH,
    STALL_SECONDS,
    Call,
    PendingInteraction,
)
from tests.fakes.faults import LostAnswers, abandoned_while_held


class DiscordRest:
    """Mixed into ``FakeDiscord``, which sets the attributes declared here."""

    token: str
    gateway: str
    fail_rate: float
    rate_limit_next: int
    stall_next: int
    calls: list[Call]
    commands: dict[str, list[dict[str, Any]]]
    deleted: list[tuple[str, str]]
    pins: defaultdict[str, set[str]]
    timeouts: dict[str, str | None]
    threads: dict[str, dict[str, Any]]
    thread_members: defaultdict[str, set[str]]
    blocked: set[str]
    losing: LostAnswers
    nonce_window: float
    _nonces: dict[tuple[str, str], tuple[float, str]]
    _closing: asyncio.Event
    interactions: dict[str, PendingInteraction]
    _random: random.Random
    _windows: defaultdict[str, deque[float]]
    _messages: dict[str, dict[str, Any]]
    _dm_channels: dict[str, str]
    dm_channel: Callable[[str], str]
    user: Callable[..., dict[str, Any]]
    dispatch: Callable[[str, dict[str, Any]], None]
    _snowflake: Callable[[], str]
    _member: Callable[[str, str, str | None], dict[str, Any]]
    _message: Callable[[str, dict[str, Any], str], dict[str, Any]]

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
            if await abandoned_while_held(request, STALL_SECONDS):
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
            channel = call.body.get("channel_id") or ""
            if call.body["_created"] and (lost := self.losing.take(channel)):
                call.body["_lost"] = lost
                return await self.losing.lose(request, lost, self._closing)
        return _json(status, result, headers)

    def lose_answers(self, channel_id: str, times: int = 1, *, unanswered: bool = False) -> None:
        """The next ``times`` messages sent to ``channel_id`` are posted (the channel
        has them) and their answer is lost: the connection is closed at once, or with
        ``unanswered`` held open without an answer until the fake closes."""
        self.losing.add(channel_id, times, unanswered=unanswered)

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
        remaining = MESSAGE_BUCKET[0] - len(self._windows[channel_id])
        headers = _bucket_headers(channel_id, remaining)
        nonce = str(body["nonce"]) if body.get("nonce") is not None else None
        if nonce is not None and len(nonce) > NONCE_LENGTH:
            errors = {"nonce": {"_errors": [{"code": "BASE_TYPE_BAD_LENGTH"}]}}
            return 400, {"message": "Invalid Form Body", "code": 50035, "errors": errors}, {}
        if nonce is not None and body.get("enforce_nonce"):
            earlier = self._nonces.get((channel_id, nonce))
            if earlier is not None and time.monotonic() - earlier[0] < self.nonce_window:
                if (channel_id, earlier[1]) in self.deleted:
                    return 404, {"message": "Unknown Message", "code": 10008}, {}
                return 200, {**self._messages[earlier[1]], "_created": False}, headers
        message = self._bot_message(channel_id, body)
        if nonce is not None:
            message["nonce"] = self._messages[message["id"]]["nonce"] = nonce
            if body.get("enforce_nonce"):
                self._nonces[(channel_id, nonce)] = (time.monotonic(), message["id"])
        return 200, message, headers

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
