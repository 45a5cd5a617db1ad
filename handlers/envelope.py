"""An inbound message as the inbox keeps it: the normalized fields, and clean text.

The envelope is what ``resume`` rebuilds a message from after a crash, so it holds
every field a stage reads; the raw platform payload is never kept.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from channels.base import ChatKind, Message
from handlers.attachments import attachments_from_envelope
from handlers.attachments import attachments_to_envelope as attachments


def envelope(message: Message) -> dict[str, Any]:
    """The normalized fields kept with an inbound message (text is stored apart)."""
    return {
        "channel": message.channel,
        "chat_id": message.chat_id,
        "chat_kind": message.chat_kind.value,
        "sender_id": message.sender_id,
        "platform_message_id": message.platform_message_id,
        "received_at": message.received_at.isoformat(),
        "display_name": message.display_name,
        "username": message.username,
        "language_hint": message.language_hint,
        "attachments": attachments(message.attachments),
        "reply_to": message.reply_to,
        "thread_id": message.thread_id,
        "edited": message.edited,
        "addressed": message.addressed,
        "callback": message.callback,
    }


def message_from_envelope(env: dict[str, Any], text: str) -> Message:
    """The message ``envelope`` kept, with its stored (redacted) ``text``."""
    return Message(
        channel=env["channel"],
        chat_id=env["chat_id"],
        chat_kind=ChatKind(env["chat_kind"]),
        sender_id=env["sender_id"],
        text=text,
        platform_message_id=env["platform_message_id"],
        received_at=datetime.fromisoformat(env["received_at"]),
        display_name=env.get("display_name") or "",
        username=env.get("username"),
        language_hint=env.get("language_hint"),
        attachments=attachments_from_envelope(env.get("attachments", [])),
        reply_to=env.get("reply_to"),
        thread_id=env.get("thread_id"),
        edited=bool(env.get("edited")),
        addressed=bool(env.get("addressed", True)),
        callback=env.get("callback"),
    )


_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean_text(text: str) -> str:
    """Text without C0/C1 control characters (line breaks and tabs stay), and with any
    lone surrogate (from a JSON escape) turned into U+FFFD so it can be stored.

    Format characters (zero-width, bidi marks) stay: the guard reads them as a sign of
    obfuscation.
    """
    text = _CONTROLS.sub("", text)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text
