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
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import discord
import yarl
from discord import app_commands

from channels.base import (
    Action,
    Button,
    Capabilities,
    ChannelStartError,
    ChatKind,
    Delete,
    DeliveryError,
    Dispatch,
    Image,
    InvitePrivate,
    Message,
    RateRule,
    Reply,
    Restrict,
    Unpin,
)
from channels.discord.convert import CHANNEL, chat_kind, member_event, to_message
from channels.discord.files import DiscordFiles
from channels.discord.settings import DiscordSettings

log = logging.getLogger(__name__)

READY_TIMEOUT = 60.0
MAX_INVITES = 10_000
_INTENTS = discord.PrivilegedIntentsRequired
MAX_TIMEOUT = timedelta(days=28)  # the longest time-out Discord allows
PENDING_FOR = timedelta(minutes=14)  # an interaction token lives 15 minutes
THREAD_NAME = "Support: {name}"

# command -> description, per language code
CommandTexts = dict[str, dict[str, str]]
SLASH_COMMANDS = ("help", "ticket", "lang", "subscribe", "unsubscribe", "verify", "link")


@dataclass
class _Pending:
    """A slash command waiting for its answer: the handlers' first reply completes it."""

    message_id: str
    interaction: discord.Interaction
    private: bool
    until: datetime


class DiscordAdapter(DiscordFiles):
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
        self._pending: dict[str, _Pending] = {}  # chat -> slash command awaiting answer
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
            allowed_mentions=discord.AllowedMentions(everyone=False, roles=False),
        )
        tree = app_commands.CommandTree(client)
        self._add_commands(tree)
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
        await tree.set_translator(_Translator(self._commands))
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

    def _add_commands(self, tree: app_commands.CommandTree[Any]) -> None:
        guilds = [discord.Object(g) for g in self.settings.guild_ids]
        english = self._commands.get("en", {})

        def simple(name: str) -> app_commands.Command[Any, Any, None]:
            async def callback(interaction: discord.Interaction) -> None:
                await self._slash(interaction, f"/{name}")

            return app_commands.Command(
                name=name,
                description=app_commands.locale_str(english.get(name, name), key=name),
                callback=callback,
            )

        @app_commands.describe(details="What it is about")
        async def ticket(interaction: discord.Interaction, details: str | None = None) -> None:
            await self._slash(interaction, f"/ticket {details or ''}".strip())

        @app_commands.describe(item="A handle, link or address")
        async def verify(interaction: discord.Interaction, item: str) -> None:
            await self._slash(interaction, f"/verify {item}")

        @app_commands.describe(code="The code /link gave you on another platform")
        async def link(interaction: discord.Interaction, code: str | None = None) -> None:
            await self._slash(interaction, f"/link {code or ''}".strip())

        with_text: dict[str, Callable[..., Coroutine[Any, Any, None]]] = {
            "ticket": ticket,
            "verify": verify,
            "link": link,
        }
        for name in SLASH_COMMANDS:
            if name in with_text:
                command: app_commands.Command[Any, Any, None] = app_commands.Command(
                    name=name,
                    description=app_commands.locale_str(english.get(name, name), key=name),
                    callback=with_text[name],
                )
            else:
                command = simple(name)
            # no servers named: ``guilds=[]`` registers the command globally
            tree.add_command(command, guilds=guilds)

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
        self._pending[chat_id] = _Pending(
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

    # --- sending ---------------------------------------------------------------------

    async def perform(self, action: Action) -> str | None:
        client = self._client
        if client is None or client.user is None:
            raise DeliveryError("discord is not started", retry_after=5.0)
        try:
            # a request that hangs must not hold the outbox: it is retried instead
            async with asyncio.timeout(self.settings.request_timeout):
                return await self._perform(client, action)
        except TimeoutError as exc:
            raise DeliveryError("discord: no answer in time") from exc

    async def _perform(self, client: discord.Client, action: Action) -> str | None:
        try:
            if isinstance(action, Reply):
                return await self._reply(client, action)
            if isinstance(action, Image):
                return await self.send_image(client, action)
            if isinstance(action, InvitePrivate):
                return await self._invite(client, action)
            if isinstance(action, Delete):
                message_id = int(action.message_id.split(":")[0])
                with contextlib.suppress(discord.NotFound):  # gone already: what we wanted
                    await client.http.delete_message(int(action.chat_id), message_id)
                return None
            if isinstance(action, Restrict):
                await self._time_out(client, action)
                return None
            if isinstance(action, Unpin):
                with contextlib.suppress(discord.NotFound):  # not pinned any more: fine
                    await client.http.unpin_message(int(action.chat_id), int(action.message_id))
                return None
        except discord.RateLimited as exc:
            raise DeliveryError(f"429: {exc}", retry_after=exc.retry_after) from exc
        except discord.Forbidden as exc:
            raise DeliveryError(f"forbidden: {exc.text}", permanent=True) from exc
        except discord.NotFound as exc:
            raise DeliveryError(f"not found: {exc.text}", permanent=True) from exc
        except discord.DiscordServerError as exc:
            raise DeliveryError(f"discord: {exc}") from exc
        except discord.HTTPException as exc:
            if exc.status == 429:
                raise DeliveryError(f"429: {exc.text}", retry_after=1.0) from exc
            raise DeliveryError(f"bad request: {exc.text}", permanent=True) from exc
        except aiohttp.ClientError as exc:
            raise DeliveryError(f"discord: {exc!r}") from exc
        raise DeliveryError(f"discord cannot {action.type}", permanent=True)

    async def _reply(
        self, client: discord.Client, action: Reply, *, mention_author: bool = False
    ) -> str:
        view = _view(action)
        pending = self._answering(action.chat_id, action.reply_to)
        if pending is not None:
            edited = await pending.interaction.edit_original_response(
                content=action.text, view=view
            )
            return str(edited.id)
        channel = client.get_partial_messageable(int(action.chat_id))
        kwargs: dict[str, Any] = {"content": action.text}
        if view is not None:
            kwargs["view"] = view
        reference = _reference(action.chat_id, action.reply_to)
        if reference is not None:
            kwargs["reference"] = reference
            kwargs["mention_author"] = mention_author
        sent = await channel.send(**kwargs)
        if action.pin:
            await self._pin(client, sent.channel.id, sent.id)
        return str(sent.id)

    async def _pin(self, client: discord.Client, channel_id: int, message_id: int) -> None:
        """Pin; a failure (no Manage Messages, 50 pins) is logged, the message stays sent."""
        try:
            await client.http.pin_message(channel_id, message_id)
        except discord.HTTPException as exc:
            log.warning("discord: could not pin %s in %s: %s", message_id, channel_id, exc.text)

    def _answering(self, chat_id: str, reply_to: str | None) -> _Pending | None:
        """The slash command this reply answers, if it still waits for one."""
        now = self._now()
        for key in [k for k, p in self._pending.items() if p.until < now]:
            del self._pending[key]
        pending = self._pending.get(chat_id)
        if pending is None or not (pending.private or reply_to == pending.message_id):
            return None
        return self._pending.pop(chat_id)

    async def _invite(self, client: discord.Client, action: InvitePrivate) -> str:
        """A private thread for one user (a DM where threads are not allowed).

        The conversation continues there at once: the request the user made in public
        arrives in the private place as their first message, so they are not asked again.
        """
        key = (action.chat_id, action.user_id, action.reply_to)
        place = self._invites.get(key)
        if place is None:
            place, guild_id = await self._private_place(client, action)
            self._invites[key] = place
            while len(self._invites) > MAX_INVITES:
                self._invites.popitem(last=False)
            if action.topic:
                self._continue(action, place)
        else:
            guild_id = self._guild_of(client, action.chat_id)
        where = f"{guild_id}/{place}" if guild_id else f"@me/{place}"
        link = Button(label=action.button_label, url=f"https://discord.com/channels/{where}")
        reply = Reply(
            chat_id=action.chat_id, text=action.text, buttons=((link,),), reply_to=action.reply_to
        )
        return await self._reply(client, reply, mention_author=True)

    async def _private_place(
        self, client: discord.Client, action: InvitePrivate
    ) -> tuple[int, int | None]:
        user = discord.Object(int(action.user_id))
        guild_id = self._guild_of(client, action.chat_id)
        name = THREAD_NAME.format(name=action.user_id)
        try:
            data = await client.http.start_thread_without_message(
                int(action.chat_id),
                name=name[:100],
                auto_archive_duration=1440,
                type=discord.ChannelType.private_thread.value,
                invitable=False,
                reason="support: a private place for one user",
            )
            thread_id = int(data["id"])
            self._private_threads.add(thread_id)
            await client.http.add_user_to_thread(thread_id, user.id)
            return thread_id, guild_id
        except discord.Forbidden:
            log.info("discord: no private threads in %s; moving to a DM", action.chat_id)
        dm = await client.http.start_private_message(user.id)
        return int(dm["id"]), None

    def _continue(self, action: InvitePrivate, place: int) -> None:
        message = Message(
            channel=CHANNEL,
            chat_id=str(place),
            chat_kind=ChatKind.PRIVATE,
            sender_id=action.user_id,
            text=action.topic,
            platform_message_id=f"invite:{place}",
            received_at=self._now(),
            addressed=True,
        )
        task = asyncio.create_task(self._emit(message))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _time_out(self, client: discord.Client, action: Restrict) -> None:
        guild_id = self._guild_of(client, action.chat_id)
        if guild_id is None:
            raise DeliveryError(f"no server known for {action.chat_id}", permanent=True)
        latest = self._now() + MAX_TIMEOUT
        until = min(action.until, latest) if action.until else latest
        await client.http.edit_member(
            guild_id,
            int(action.user_id),
            reason=action.reason[:500] or None,
            communication_disabled_until=until.isoformat(),
        )

    def _guild_of(self, client: discord.Client, chat_id: str) -> int | None:
        """The server of a channel, thread or server id (member events carry the server)."""
        snowflake = int(chat_id)
        if client.get_guild(snowflake) is not None:
            return snowflake
        channel = client.get_channel(snowflake)
        guild = getattr(channel, "guild", None)
        if guild is not None:
            return int(guild.id)
        if len(self.settings.guild_ids) == 1:
            return self.settings.guild_ids[0]
        return None


def _report_end(task: asyncio.Task[None]) -> None:
    """discord.py reconnects by itself; if its loop ends otherwise, nothing arrives any more."""
    if not task.cancelled() and task.exception() is not None:
        log.error("discord: the gateway connection ended: %r", task.exception())


def _view(reply: Reply) -> discord.ui.View | None:
    if not reply.buttons:
        return None
    view = discord.ui.View(timeout=None)
    for row, buttons in enumerate(reply.buttons[:5]):
        for b in buttons[:5]:
            item: discord.ui.Button[discord.ui.View]
            if b.url:
                item = discord.ui.Button(label=b.label[:80], url=b.url, row=row)
            else:
                custom_id = (b.data or b.label)[:100]
                item = discord.ui.Button(label=b.label[:80], custom_id=custom_id, row=row)
            view.add_item(item)
    view.stop()  # presses reach ``on_interaction``; no view object waits for them
    return view


def _reference(chat_id: str, reply_to: str | None) -> discord.MessageReference | None:
    if not reply_to or not reply_to.split(":")[0].isdigit():
        return None
    return discord.MessageReference(
        message_id=int(reply_to.split(":")[0]),
        channel_id=int(chat_id),
        fail_if_not_exists=False,  # the question may have been deleted meanwhile
    )


class _Translator(app_commands.Translator):
    """Slash command descriptions in each user's Discord language, from our texts."""

    def __init__(self, commands: CommandTexts) -> None:
        self._commands = commands

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        key = string.extras.get("key")
        if key is None:
            return None
        language = locale.value.split("-")[0]
        return self._commands.get(language, {}).get(key)
