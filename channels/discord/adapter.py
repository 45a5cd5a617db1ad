"""The Discord channel: a discord.py ``Client`` on our event loop.

The client is logged in and connected as a task (never ``client.run``, which would take
the loop); discord.py keeps the gateway alive, resumes after a drop and waits out REST
rate limits itself. Slash commands are registered in each configured server and turned
into the same command text the other channels deliver (``/ticket details``), so one
command stage serves all. Every interaction is acknowledged at once (a deferred answer),
because Discord forgets one that is not answered within three seconds; the handlers'
reply then completes a slash command's deferred answer, or comes as a plain message
after a button press.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import discord
import yarl
from discord import app_commands

from channels.base import (
    Capabilities,
    ChannelStartError,
    ChatKind,
    Dispatch,
    Message,
    RateRule,
)
from channels.discord.commands import CommandTexts, CommandTranslator, add_commands
from channels.discord.convert import CHANNEL, chat_kind, member_event, to_message
from channels.discord.delivery import DiscordDelivery, PendingAnswer
from channels.discord.settings import DiscordSettings
from channels.lost_answers import tracing

log = logging.getLogger(__name__)

READY_TIMEOUT = 60.0
_INTENTS = discord.PrivilegedIntentsRequired
PENDING_FOR = timedelta(minutes=14)  # an interaction token lives 15 minutes


class DiscordAdapter(DiscordDelivery):
    """A :class:`channels.base.Channel` for one Discord bot."""

    name = CHANNEL

    def __init__(
        self,
        settings: DiscordSettings,
        token: str,
        *,
        commands: CommandTexts | None = None,
        clock: Any = None,
    ) -> None:
        self.settings = settings
        self.capabilities = Capabilities(
            max_length=2000,
            buttons=True,
            delete=True,
            restrict=True,
            edit=True,
            threads=True,
            pin=True,
            files=True,
            rate_limits=(
                RateRule("global", settings.max_per_second, 1.0),
                RateRule("chat", settings.max_per_channel, settings.channel_period_seconds),
            ),
        )
        self._token = token
        self._commands = commands or {}
        self._now = clock or (lambda: datetime.now(UTC))
        self._dispatch: Dispatch | None = None
        self._client: discord.Client | None = None
        self._runner: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._private_threads: set[int] = set()
        # (chat, user, question) -> the thread or DM opened for it, so a retried send
        # reuses it; the oldest are forgotten past MAX_INVITES
        self._invites: OrderedDict[tuple[str, str, str | None], int] = OrderedDict()
        self._pending: dict[str, PendingAnswer] = {}  # chat -> slash command awaiting answer
        self.bot_id = 0

    def __repr__(self) -> str:
        return f"DiscordAdapter(guilds={self.settings.guild_ids}, bot={self.bot_id or '?'})"

    # --- lifecycle -------------------------------------------------------------------

    async def start(self, dispatch: Dispatch) -> None:
        self._dispatch = dispatch
        # discord.py reads both from class attributes; one bot runs per process
        discord.http.Route.BASE = self.settings.api_base.rstrip("/")
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(self.settings.gateway_url)
        intents = discord.Intents.default()
        intents.message_content = True  # privileged: enabled in the developer portal
        intents.members = True  # privileged: joins and renames for the scam guard
        client = discord.Client(
            intents=intents,
            chunk_guilds_at_startup=False,
            max_ratelimit_timeout=self.settings.max_ratelimit_wait,
            guild_ready_timeout=self.settings.guild_ready_timeout,
            allowed_mentions=discord.AllowedMentions(everyone=False, roles=False),
            http_trace=tracing(),  # tells a send whose answer was lost (perform)
        )
        tree = app_commands.CommandTree(client)
        add_commands(tree, self.settings.guild_ids, self._commands.get("en", {}), self._slash)
        self._listen(client)
        self._client = client
        try:
            await client.login(self._token)
        except discord.LoginFailure:
            await client.close()
            raise ChannelStartError(
                f"discord.token_env: Discord rejected the token in {self.settings.token_env}"
            ) from None
        self.bot_id = client.user.id if client.user else 0
        await tree.set_translator(CommandTranslator(self._commands))
        for guild_id in self.settings.guild_ids:
            await tree.sync(guild=discord.Object(guild_id))
        if not self.settings.guild_ids:
            await tree.sync()  # global commands: they may take an hour to appear
        self._runner = asyncio.create_task(client.connect(reconnect=True), name="discord")
        self._runner.add_done_callback(_report_end)
        ready = asyncio.create_task(client.wait_until_ready())
        done, _ = await asyncio.wait(
            {ready, self._runner}, timeout=READY_TIMEOUT, return_when=asyncio.FIRST_COMPLETED
        )
        if ready not in done:
            ready.cancel()
            await client.close()
            if self._runner in done and isinstance(self._runner.exception(), _INTENTS):
                raise ChannelStartError(
                    "discord: switch on the Message Content and Server Members intents "
                    "on the bot's page in the Discord Developer Portal"
                )
            if self._runner in done:
                await self._runner  # raises what stopped the connection
            raise ChannelStartError("discord: the gateway did not become ready")
        log.info("discord: %s is up in %d server(s)", client.user, len(client.guilds))

    async def stop(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await client.close()
        if self._runner is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._runner
        for task in list(self._tasks):
            task.cancel()
        self._dispatch = None

    def _listen(self, client: discord.Client) -> None:
        @client.event
        async def on_message(message: discord.Message) -> None:
            await self._receive(message, edited=False)

        @client.event
        async def on_message_edit(before: discord.Message, after: discord.Message) -> None:
            if before.content != after.content:
                await self._receive(after, edited=True)

        @client.event
        async def on_member_join(member: discord.Member) -> None:
            if self._serves(member.guild.id):
                await self._emit(member_event(member, "join", self._now()))

        @client.event
        async def on_member_update(before: discord.Member, after: discord.Member) -> None:
            if before.display_name != after.display_name and self._serves(after.guild.id):
                await self._emit(member_event(after, "rename", self._now()))

        @client.event
        async def on_thread_create(thread: discord.Thread) -> None:
            if thread.owner_id == self.bot_id and thread.type is discord.ChannelType.private_thread:
                self._private_threads.add(thread.id)

        @client.event
        async def on_interaction(interaction: discord.Interaction) -> None:
            if interaction.type is discord.InteractionType.component:
                await self._pressed(interaction)

    def _serves(self, guild_id: int | None) -> bool:
        ids = self.settings.guild_ids
        return guild_id is None or not ids or guild_id in ids

    # --- receiving -------------------------------------------------------------------

    async def _receive(self, message: discord.Message, *, edited: bool) -> None:
        if not self._serves(message.guild.id if message.guild else None):
            return
        event = to_message(message, self.bot_id, self._private_threads, edited=edited)
        if event is not None:
            await self._emit(event)

    async def _emit(self, event: Any) -> None:
        if self._dispatch is not None:
            await self._dispatch(event)

    async def _slash(self, interaction: discord.Interaction, text: str) -> None:
        # acknowledge first: Discord drops an interaction unanswered for three seconds
        await interaction.response.defer(thinking=True)
        kind = chat_kind(interaction.channel, self.bot_id, self._private_threads)
        message_id = f"i{interaction.id}"
        chat_id = str(interaction.channel_id)
        self._pending[chat_id] = PendingAnswer(
            message_id, interaction, kind is ChatKind.PRIVATE, self._now() + PENDING_FOR
        )
        await self._emit(self._from_interaction(interaction, kind, message_id, text=text))

    async def _pressed(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer()  # the answer comes as a message of its own
        if not self._serves(interaction.guild_id):
            return
        data: Mapping[str, object] = interaction.data or {}
        custom_id = str(data.get("custom_id", ""))[:256]
        kind = chat_kind(interaction.channel, self.bot_id, self._private_threads)
        message = self._from_interaction(interaction, kind, f"cb:{interaction.id}", text="")
        await self._emit(replace(message, callback=custom_id))

    def _from_interaction(
        self, interaction: discord.Interaction, kind: ChatKind, message_id: str, *, text: str
    ) -> Message:
        user = interaction.user
        return Message(
            channel=CHANNEL,
            chat_id=str(interaction.channel_id),
            chat_kind=kind,
            sender_id=str(user.id),
            text=text,
            platform_message_id=message_id,
            received_at=self._now(),
            display_name=user.display_name,
            username=user.name,
            language_hint=str(interaction.locale.value).split("-")[0],
            addressed=True,
            raw=interaction,
        )


def _report_end(task: asyncio.Task[None]) -> None:
    """discord.py reconnects by itself; if its loop ends otherwise, nothing arrives any more."""
    if not task.cancelled() and task.exception() is not None:
        log.error("discord: the gateway connection ended: %r", task.exception())
