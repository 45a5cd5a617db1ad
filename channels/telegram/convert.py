"""Telegram updates as socialdesk events: pure functions, no I/O.

``addressed`` follows Telegram's own conventions for groups: the bot speaks when it is
mentioned, replied to, or given a command (one meant for another bot does not count);
in private every message is for the bot. A channel's posts are never addressed to it:
the guard reads them, nobody answers. A ``chat_member`` update that brings someone in
is a join.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from telegram import Bot, Chat, ChatMember, ChatMemberUpdated, MessageEntity, Update, User
from telegram import Message as TgMessage

from channels.base import Attachment, ChatKind, MemberEvent, Message

CHANNEL = "telegram"
_KINDS = {
    Chat.PRIVATE: ChatKind.PRIVATE,
    Chat.GROUP: ChatKind.GROUP,
    Chat.SUPERGROUP: ChatKind.GROUP,
    Chat.CHANNEL: ChatKind.CHANNEL,
}


def update_from_json(body: bytes, bot: Bot | None) -> Update:
    """A webhook body as an :class:`Update`; raises ``ValueError`` for anything that is
    not one (not JSON, not an object, nested past the parser's depth, fields of the
    wrong type), so the route answers 400 instead of failing inside the library."""
    try:
        data: Any = json.loads(body)
    except RecursionError:
        raise ValueError("nested too deeply") from None
    if not isinstance(data, dict):
        raise ValueError("an update is a JSON object")
    if not isinstance(data.get("update_id"), int) or isinstance(data["update_id"], bool):
        raise ValueError("update_id must be a number")
    try:
        update = Update.de_json(data, bot)
    except (TypeError, KeyError, AttributeError, RecursionError, OverflowError) as exc:
        # python-telegram-bot builds objects without checking types: a string where an
        # object belongs fails inside it with whatever that attribute access raised
        raise ValueError(f"not an Update: {type(exc).__name__}") from None
    return update


def to_events(update: Update, bot_id: int, bot_username: str) -> list[Message | MemberEvent]:
    """The events in one update; an update socialdesk does not handle gives none."""
    if update.callback_query is not None:
        return _callback(update)
    if update.chat_member is not None:
        return _member_change(update, update.chat_member)
    message = (
        update.message or update.edited_message or update.channel_post or update.edited_channel_post
    )
    if message is None:
        return []  # polls, reactions, the bot's own membership, ...
    if message.from_user is None:
        # a channel's own post: read by the guard, answered by nobody
        return [] if message.sender_chat is None else [_channel_post(update, message)]
    if message.new_chat_members:
        return [
            _joined(update, message.chat.id, user, message.date)
            for user in message.new_chat_members
        ]
    text = _without_own_mention(message.text or message.caption or "", bot_username)
    edited = update.edited_message is not None
    platform_id = str(message.message_id)
    if edited and message.edit_date is not None:
        platform_id = f"{message.message_id}:e{int(message.edit_date.timestamp())}"
    kind = _KINDS.get(message.chat.type, ChatKind.GROUP)
    return [
        Message(
            channel=CHANNEL,
            chat_id=str(message.chat.id),
            chat_kind=kind,
            sender_id=str(message.from_user.id),
            text=text,
            platform_message_id=platform_id,
            received_at=_when(message.date),
            display_name=message.from_user.full_name,
            username=message.from_user.username,
            language_hint=message.from_user.language_code,
            attachments=_attachments(message),
            reply_to=str(message.reply_to_message.message_id) if message.reply_to_message else None,
            thread_id=str(message.message_thread_id) if message.is_topic_message else None,
            edited=edited,
            addressed=kind is ChatKind.PRIVATE or _addressed(message, bot_id, bot_username),
            raw=update,
        )
    ]


_IN_CHAT = (ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER)


def _member_change(update: Update, change: ChatMemberUpdated) -> list[Message | MemberEvent]:
    """A ``chat_member`` update: a join (by invite link or request, which large groups
    announce with no service message); other status changes carry no event."""

    def present(member: ChatMember) -> bool:
        return member.status in _IN_CHAT or bool(getattr(member, "is_member", False))

    if present(change.old_chat_member) or not present(change.new_chat_member):
        return []
    return [_joined(update, change.chat.id, change.new_chat_member.user, change.date)]


def _joined(update: Update, chat_id: int, user: User, date: datetime) -> MemberEvent:
    """A member who joined, from a service message or a ``chat_member`` update alike."""
    return MemberEvent(
        channel=CHANNEL,
        chat_id=str(chat_id),
        user_id=str(user.id),
        display_name=user.full_name,
        username=user.username,
        kind="join",
        received_at=_when(date),
        raw=update,
    )


def _channel_post(update: Update, message: TgMessage) -> Message:
    assert message.sender_chat is not None
    edited = update.edited_channel_post is not None
    platform_id = str(message.message_id)
    if edited and message.edit_date is not None:
        platform_id = f"{message.message_id}:e{int(message.edit_date.timestamp())}"
    return Message(
        channel=CHANNEL,
        chat_id=str(message.chat.id),
        chat_kind=ChatKind.CHANNEL,
        sender_id=str(message.sender_chat.id),
        text=message.text or message.caption or "",
        platform_message_id=platform_id,
        received_at=_when(message.date),
        display_name=message.sender_chat.title or "",
        username=message.sender_chat.username,
        attachments=_attachments(message),
        edited=edited,
        addressed=False,
        raw=update,
    )


def _callback(update: Update) -> list[Message | MemberEvent]:
    query = update.callback_query
    assert query is not None
    chat = query.message.chat if query.message is not None else None
    user: User = query.from_user
    chat_id = chat.id if chat is not None else user.id
    kind = _KINDS.get(chat.type, ChatKind.GROUP) if chat is not None else ChatKind.PRIVATE
    return [
        Message(
            channel=CHANNEL,
            chat_id=str(chat_id),
            chat_kind=kind,
            sender_id=str(user.id),
            text="",
            platform_message_id=f"cb:{query.id}",
            received_at=datetime.now(UTC),
            display_name=user.full_name,
            username=user.username,
            language_hint=user.language_code,
            callback=(query.data or "")[:256],
            # the message the pressed button belongs to (the staff desk finds its ticket)
            reply_to=str(query.message.message_id) if query.message is not None else None,
            addressed=True,
            raw=update,
        )
    ]


def _without_own_mention(text: str, bot_username: str) -> str:
    """The text as a question: "@bot how do I pass KYC?" reads "how do I pass KYC?".

    The bot's handle is how a group addresses it, not part of what is asked; left in,
    a handle such as ``@example_support_bot`` reads to the scam guard like someone
    calling themselves support. A command's ``/help@bot`` form is kept: the command
    parser reads it."""
    if not bot_username or "@" not in text:
        return text
    own = re.compile(rf"(?<![\w/@])@{re.escape(bot_username)}\b[,:]?\s*", re.IGNORECASE)
    stripped = own.sub("", text).strip()
    return stripped or text


def _addressed(message: TgMessage, bot_id: int, bot_username: str) -> bool:
    reply = message.reply_to_message
    if reply is not None and reply.from_user is not None and reply.from_user.id == bot_id:
        return True
    mention = f"@{bot_username}".lower()
    for entity, value in message.parse_entities([MessageEntity.MENTION]).items():
        if entity.type == MessageEntity.MENTION and value.lower() == mention:
            return True
    commands = message.parse_entities([MessageEntity.BOT_COMMAND])
    for entity, value in commands.items():
        if entity.offset == 0:
            target = value.partition("@")[2].lower()
            return target in ("", bot_username.lower())
    return False


def _attachments(message: TgMessage) -> tuple[Attachment, ...]:
    """What came with the message; files carry their ``file_id`` to fetch them by.

    A photo comes in several sizes: the largest is the one people see. A GIF is sent
    both as an animation and as its document: it is taken once, as the document.
    Stickers are no file to keep.
    """
    found = []
    if message.photo:
        largest = message.photo[-1]
        found.append(
            Attachment(kind="photo", ref=largest.file_id, size=largest.file_size, mime="image/jpeg")
        )
    for kind in ("document", "video", "voice", "audio", "animation"):
        item = getattr(message, kind)
        if item is None or (kind == "animation" and message.document is not None):
            continue
        found.append(
            Attachment(
                kind=kind,
                name=getattr(item, "file_name", None),
                ref=item.file_id,
                size=item.file_size,
                mime=getattr(item, "mime_type", None),
            )
        )
    if message.sticker:
        found.append(Attachment(kind="sticker"))
    return tuple(found)


def _when(moment: datetime | None) -> datetime:
    if moment is None:
        return datetime.now(UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
