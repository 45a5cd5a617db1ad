"""The web chat's own storage: its history, and the key that signs its sessions.

The web chat is a platform socialdesk runs itself, so it keeps what a platform keeps:
the replies sent to each chat, whether a browser was connected or not. What the user
wrote is read from the inbox (``messages``), where it is stored once, redacted and
bounded; it is not copied here.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from storage.models import ServerSecret, WebChatReply, table_of
from storage.statements import MSG
from storage.store import Store

LINE = table_of(WebChatReply)
SECRET = table_of(ServerSecret)
COOKIE_KEY = "webchat-cookie"


@dataclass(frozen=True, slots=True)
class ChatLine:
    """One line of a chat's history, as the page shows it."""

    id: str  # the page's id for it: its own message id, or ``out-<n>`` for a reply
    mine: bool  # written by the user (True) or sent to them (False)
    text: str
    buttons: list[Any] = field(default_factory=list)
    image: int | None = None  # a kept image sent to the chat (an agent's screenshot)


class WebChatStore:
    """What ``channels.webchat.History`` needs, over the store's transactions."""

    def __init__(self, store: Store, channel: str = "web") -> None:
        self.store = store
        self.channel = channel

    def __repr__(self) -> str:
        return f"WebChatStore({self.channel})"

    async def keep_reply(
        self, chat_id: str, text: str, buttons: list[Any], now: datetime, image: int | None = None
    ) -> int:
        """Keep a reply (or an image) in the chat's history; returns its number
        (unique, increasing)."""
        return await self.store.write(self._keep, self.channel, chat_id, text, buttons, now, image)

    @staticmethod
    def _keep(
        conn: Connection,
        channel: str,
        chat_id: str,
        text: str,
        buttons: list[Any],
        now: datetime,
        image: int | None = None,
    ) -> int:
        newest_inbound = (
            select(func.max(MSG.c.id))
            .where(MSG.c.channel == channel, MSG.c.chat_id == chat_id, MSG.c.direction == "in")
            .scalar_subquery()
        )
        row = {
            "chat_id": chat_id,
            "after_message_id": newest_inbound,
            "text": text,
            "buttons": buttons,
            "created_at": now,
            "attachment_id": image,
        }
        return int(conn.execute(insert(LINE).values(row).returning(LINE.c.id)).scalar_one())

    async def history(self, chat_id: str, limit: int) -> list[ChatLine]:
        """The chat's last ``limit`` lines, oldest first: each reply after the message
        that was the newest when it was sent."""
        return await self.store.read(self._history, self.channel, chat_id, limit)

    @staticmethod
    def _history(conn: Connection, channel: str, chat_id: str, limit: int) -> list[ChatLine]:
        inbound = conn.execute(
            select(MSG.c.id, MSG.c.platform_message_id, MSG.c.text)
            .where(
                MSG.c.channel == channel,
                MSG.c.chat_id == chat_id,
                MSG.c.direction == "in",
                MSG.c.text != "",
            )
            .order_by(MSG.c.id.desc())
            .limit(limit)
        ).all()
        replies = conn.execute(
            select(
                LINE.c.id,
                LINE.c.after_message_id,
                LINE.c.text,
                LINE.c.buttons,
                LINE.c.attachment_id,
            )
            .where(LINE.c.chat_id == chat_id)
            .order_by(LINE.c.id.desc())
            .limit(limit)
        ).all()
        keyed: list[tuple[tuple[int, int, int], ChatLine]] = [
            ((r.id, 0, 0), ChatLine(str(r.platform_message_id).removeprefix("in-"), True, r.text))
            for r in inbound
        ]
        keyed += [
            (
                (r.after_message_id or 0, 1, r.id),
                ChatLine(f"out-{r.id}", False, r.text, list(r.buttons or []), r.attachment_id),
            )
            for r in replies
        ]
        keyed.sort(key=lambda pair: pair[0])
        return [line for _, line in keyed[-limit:]]

    async def signing_key(self) -> str:
        """The web chat's cookie signing key kept in the database, made on first use.

        Two processes starting together may both make one: the unique name lets one
        insert win, and both then read the winner's.
        """
        return await self.store.write(self._signing_key, secrets.token_urlsafe(48))

    @staticmethod
    def _signing_key(conn: Connection, candidate: str) -> str:
        query = select(SECRET.c.value).where(SECRET.c.name == COOKIE_KEY)
        value = conn.execute(query).scalar()
        if value is not None:
            return str(value)
        try:
            with conn.begin_nested():
                conn.execute(
                    insert(SECRET),
                    {"name": COOKIE_KEY, "value": candidate, "created_at": datetime.now(UTC)},
                )
        except IntegrityError:
            return str(conn.execute(query).scalar_one())
        return candidate
