"""Discord's sending half: replies (completing a slash command's deferred answer),
private threads, deletions, time-outs and unpins, with discord.py's errors mapped to
:class:`channels.base.DeliveryError`.

Mixed into ``DiscordAdapter``, whose receiving half owns the attributes declared here.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import aiohttp
import discord

from channels.base import (
    Action,
    Button,
    ChatKind,
    Delete,
    DeliveryError,
    Image,
    InvitePrivate,
    Message,
    Reply,
    Restrict,
    Unpin,
)
from channels.discord.convert import CHANNEL
from channels.discord.files import DiscordFiles
from channels.lost_answers import watching

log = logging.getLogger(__name__)

MAX_INVITES = 10_000
MAX_TIMEOUT = timedelta(days=28)  # the longest time-out Discord allows
THREAD_NAME = "Support: {name}"


@dataclass
class PendingAnswer:
    """A slash command waiting for its answer: the handlers' first reply completes it."""

    message_id: str
    interaction: discord.Interaction
    private: bool
    until: datetime


class DiscordDelivery(DiscordFiles):
    """Performs actions on Discord (mixed into ``DiscordAdapter``)."""

    _now: Callable[[], datetime]
    _tasks: set[asyncio.Task[Any]]
    _private_threads: set[int]
    _invites: OrderedDict[tuple[str, str, str | None], int]
    _pending: dict[str, PendingAnswer]
    _emit: Callable[[Any], Coroutine[Any, Any, None]]

    async def perform(self, action: Action) -> str | None:
        """Do ``action`` on Discord; the sent message's id, for sends.

        Raises ``DeliveryError``: permanent when Discord refused (closed DMs, missing
        access, a malformed message), with ``retry_after`` on a 429, else retried with
        the sender's backoff. An action not done within ``discord.request_timeout``
        (a request that hangs must not hold the outbox) or whose connection failed is
        ``maybe_delivered`` when one of its requests had gone out unanswered: Discord
        may have posted the message. Each message is sent with the row's key as its
        nonce, with ``enforce_nonce``: the retry, after ``outbox.unanswered_retry_delay``,
        gets back the message Discord posted within its last few minutes instead of a
        second one.
        """
        client = self._client
        if client is None or client.user is None:
            raise DeliveryError("discord is not started", retry_after=5.0)
        with watching() as exchange:
            try:
                async with asyncio.timeout(self.settings.request_timeout):
                    return await self._perform(client, action)
            except TimeoutError as exc:
                lost = exchange.answer_lost
                raise DeliveryError("discord: no answer in time", maybe_delivered=lost) from exc
            except aiohttp.ClientError as exc:
                lost = exchange.answer_lost
                raise DeliveryError(f"discord: {exc!r}", maybe_delivered=lost) from exc

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
        if action.idempotency_key is not None:  # else discord.py picks a random one
            kwargs["nonce"] = action.idempotency_key  # sent with enforce_nonce
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

    def _answering(self, chat_id: str, reply_to: str | None) -> PendingAnswer | None:
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
            chat_id=action.chat_id,
            text=action.text,
            buttons=((link,),),
            reply_to=action.reply_to,
            idempotency_key=action.idempotency_key,
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
