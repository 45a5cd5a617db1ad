"""A fake Discord (REST and gateway) that the real discord.py ``Client`` talks to.

REST (``tests.fakes.discord_rest``) answers under ``/api/v10`` with Discord's headers,
per-route buckets and 429s, and can be told to fail a share of sends with 500s; the
gateway (``tests.fakes.discord_gateway``) at ``/`` speaks plain JSON text frames and
replays on RESUME what a dropped connection missed. Interactions must be answered
within Discord's three seconds, as on the real platform. This module is what a test
drives: what users do, and what the bot did.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import random
import time
from collections import defaultdict, deque
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from tests.fakes.discord_files import DiscordFiles
from tests.fakes.discord_gateway import DiscordGateway
from tests.fakes.discord_rest import DiscordRest
from tests.fakes.discord_world import (
    APPLICATION_ID,
    BOT,
    DISCORD_EPOCH_MS,
    GUILD,
    INTERACTION_WINDOW,
    MESSAGE_BUCKET,
    MESSAGE_CONTENT_INTENT,
    NO_THREADS,
    NONCE_WINDOW,
    PRIVILEGED,
    STAFF,
    STALL_SECONDS,
    SUPPORT,
    Call,
    PendingInteraction,
)
from tests.fakes.faults import LostAnswers
from tests.fakes.serving import serve, wait_until

__all__ = [
    "APPLICATION_ID",
    "BOT",
    "GUILD",
    "INTERACTION_WINDOW",
    "MESSAGE_BUCKET",
    "NO_THREADS",
    "PRIVILEGED",
    "STAFF",
    "STALL_SECONDS",
    "SUPPORT",
    "Call",
    "FakeDiscord",
]


GUILD_READY_WAIT = 0.5  # seconds, for [discord] guild_ready_timeout; discord.py's is 2.0


class FakeDiscord(DiscordGateway, DiscordRest, DiscordFiles):
    """Run with ``async with FakeDiscord() as dc:``; ``dc.settings`` for a bot's config."""

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
        self.losing = LostAnswers()  # channel -> its next sends' lost answers
        self.nonce_window = NONCE_WINDOW  # seconds a nonce returns the message it posted
        self._nonces: dict[tuple[str, str], tuple[float, str]] = {}  # (channel, nonce)
        self._closing = asyncio.Event()  # set on exit: unanswered sends are let go
        self.interactions: dict[str, PendingInteraction] = {}
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
    def settings(self) -> dict[str, Any]:
        """The ``[discord]`` keys that point a bot here.

        The fake sends its one server whole with READY, so the bot need not wait
        discord.py's 2 s after it for more (``guild_ready_timeout``): at every bot
        start those 2 s were idle, 44 s of the suite."""
        return {
            "api_base": self.api_base,
            "gateway_url": self.gateway,
            "guild_ready_timeout": GUILD_READY_WAIT,
        }

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
        self._closing.set()
        if self._ws is not None:
            with contextlib.suppress(Exception):
                await self._ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    # --- what the bot did -----------------------------------------------------------

    def texts(self, channel_id: str) -> list[str]:
        """What the bot posted in one channel, oldest first."""
        return [m["content"] for m in self.sent(channel_id)]

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
        self.interactions[interaction_id] = PendingInteraction(payload, time.monotonic())
        self.dispatch("INTERACTION_CREATE", payload)
        return interaction_id
