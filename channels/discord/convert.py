"""discord.py objects as socialdesk events: pure functions, no I/O.

``addressed`` follows Discord's conventions: in a DM every message is for the bot; in a
server the bot speaks when it is mentioned, replied to, or written to in a thread it
opened. A private thread the bot opened for one user counts as private, so the handlers
may ask there what they never ask in public. The bot's own mention is taken out of the
text (``<@1000> how do I pass KYC?`` reads as the question); other users' mentions are
shown by name, as Discord shows them.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import discord

from channels.base import Attachment, ChatKind, MemberEvent, Message

CHANNEL = "discord"


def to_message(
    message: discord.Message, bot_id: int, private_threads: set[int], *, edited: bool = False
) -> Message | None:
    """The socialdesk message for a Discord one; ``None`` for what the bot must ignore."""
    author = message.author
    if author.bot or message.webhook_id is not None or message.type not in _USER_TYPES:
        return None  # other bots, webhooks, system notices ("pinned a message", joins)
    kind = chat_kind(message.channel, bot_id, private_threads)
    platform_id = str(message.id)
    if edited and message.edited_at is not None:
        platform_id = f"{message.id}:e{int(message.edited_at.timestamp())}"
    reference = message.reference
    return Message(
        channel=CHANNEL,
        chat_id=str(message.channel.id),
        chat_kind=kind,
        sender_id=str(author.id),
        text=_text(message, bot_id),
        platform_message_id=platform_id,
        received_at=_when(message.created_at),
        display_name=author.display_name,
        username=author.name,
        attachments=_attachments(message),
        reply_to=str(reference.message_id) if reference and reference.message_id else None,
        edited=edited,
        addressed=kind is ChatKind.PRIVATE or _addressed(message, bot_id),
        raw=message,
    )


def chat_kind(channel: object, bot_id: int, private_threads: set[int]) -> ChatKind:
    if isinstance(channel, discord.DMChannel):
        return ChatKind.PRIVATE
    if isinstance(channel, discord.Thread):
        mine = channel.id in private_threads or (
            channel.type is discord.ChannelType.private_thread and channel.owner_id == bot_id
        )
        return ChatKind.PRIVATE if mine else ChatKind.THREAD
    if isinstance(channel, discord.PartialMessageable):
        if channel.type is discord.ChannelType.private or channel.guild_id is None:
            return ChatKind.PRIVATE
        return ChatKind.PRIVATE if channel.id in private_threads else ChatKind.GROUP
    return ChatKind.GROUP


def member_event(
    member: discord.Member, kind: str, received_at: datetime | None = None
) -> MemberEvent:
    """A join or a new display name: the guard looks for imitations of staff."""
    return MemberEvent(
        channel=CHANNEL,
        chat_id=str(member.guild.id),
        user_id=str(member.id),
        display_name=member.display_name,
        username=member.name,
        kind="join" if kind == "join" else "rename",
        received_at=received_at or datetime.now(UTC),
        raw=member,
    )


_USER_TYPES = (discord.MessageType.default, discord.MessageType.reply)


def _text(message: discord.Message, bot_id: int) -> str:
    text = re.sub(rf"\s*<@!?{bot_id}>\s*", " ", message.content).strip()
    return _Content(text, message).clean() if "<" in text else text


class _Content:
    """Other users' mentions as names, the way Discord shows them to people."""

    def __init__(self, text: str, message: discord.Message) -> None:
        self.text = text
        self.names = {str(u.id): u.display_name for u in message.mentions}
        # only server messages have role and channel mentions
        self.roles = {str(r.id): r.name for r in getattr(message, "role_mentions", ())}
        self.channels = {str(c.id): c.name for c in getattr(message, "channel_mentions", ())}

    def clean(self) -> str:
        def user(match: re.Match[str]) -> str:
            return "@" + self.names.get(match.group(1), "user")

        def role(match: re.Match[str]) -> str:
            return "@" + self.roles.get(match.group(1), "role")

        def channel(match: re.Match[str]) -> str:
            return "#" + self.channels.get(match.group(1), "channel")

        text = re.sub(r"<@!?(\d+)>", user, self.text)
        text = re.sub(r"<@&(\d+)>", role, text)
        return re.sub(r"<#(\d+)>", channel, text)


def _addressed(message: discord.Message, bot_id: int) -> bool:
    if any(user.id == bot_id for user in message.mentions):
        return True
    reference = message.reference
    resolved = reference.resolved if reference is not None else None
    # a reply to a deleted message resolves to DeletedReferencedMessage: not to the bot
    return isinstance(resolved, discord.Message) and resolved.author.id == bot_id


def _attachments(message: discord.Message) -> tuple[Attachment, ...]:
    found = [
        Attachment(
            kind=(a.content_type or "file").split("/")[0],
            name=a.filename,
            ref=a.url,
            size=a.size,
            mime=a.content_type,
        )
        for a in message.attachments
    ]
    found += [Attachment(kind="embed", name=e.title) for e in message.embeds]
    found += [Attachment(kind="sticker", name=s.name) for s in message.stickers]
    return tuple(found)


def _when(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
