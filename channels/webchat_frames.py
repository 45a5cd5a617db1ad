"""The web chat's frames: a frame from the page as a :class:`Message` (a pure
converter), and a line of a chat as the frame a tab is sent.

Frames are JSON objects over the websocket; the page's own script (``webchat.html``)
is the other side of this contract.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Protocol

from channels.base import ChatKind, Message

_CLIENT_ID = re.compile(r"^[A-Za-z0-9-]{1,64}$")


class ChatLine(Protocol):
    """One line of history: what the user wrote (``mine``) or what they were sent."""

    id: str
    mine: bool
    text: str
    buttons: list[Any]
    image: int | None  # a kept image's id (an agent's screenshot)


def line_frame(line: ChatLine) -> dict[str, Any]:
    """A line of the chat's history as the frame a connecting tab is sent."""
    return reply_frame(line.id, line.mine, line.text, line.buttons, line.image)


def reply_frame(
    line_id: str, mine: bool, text: str, buttons: list[Any], image: int | None
) -> dict[str, Any]:
    """One line as a frame: a reply pushed to the open tabs, or a line of history."""
    frame = {"id": line_id, "mine": mine, "text": text, "buttons": buttons}
    if image is not None:
        frame["image"] = f"/chat/files/{image}"
    return frame


def to_message(session: str, frame: dict[str, Any], now: datetime) -> Message:
    """A page frame as a :class:`Message`; raises ``ValueError`` for a malformed one.

    Frames: ``{"type": "message", "id", "text", "lang"?}`` and
    ``{"type": "button", "id", "data", "lang"?}``.
    """
    if not isinstance(frame, dict):
        raise ValueError("a frame is a JSON object")
    kind = frame.get("type")
    client_id = str(frame.get("id", ""))
    if not _CLIENT_ID.match(client_id):
        raise ValueError("id must be 1-64 letters, digits or dashes")
    lang = frame.get("lang")
    common: dict[str, Any] = {
        "channel": "web",
        "chat_id": session,
        "chat_kind": ChatKind.PRIVATE,
        "sender_id": session,
        "platform_message_id": f"in-{client_id}",
        "received_at": now,
        "display_name": "",
        "language_hint": lang if isinstance(lang, str) else None,
    }
    if kind == "message":
        text = frame.get("text")
        if not isinstance(text, str):
            raise ValueError("text must be a string")
        return Message(text=text, **common)
    if kind == "button":
        data = frame.get("data")
        if not isinstance(data, str) or not data:
            raise ValueError("data must be a non-empty string")
        return Message(text="", callback=data[:256], **common)
    raise ValueError(f"unknown frame type {kind!r}")
