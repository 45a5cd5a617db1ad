"""Kept files: users' photos and documents, agents' screenshots.

A user's file is linked to the message it came with (once: a message handled again
after a crash finds its files there) and to the conversation's open ticket at that
moment; the console lists a ticket's files by its conversation, as it does the
transcript. An agent's screenshot is written in the same transaction as the outbox
rows that send it, which name it by id: the bytes are never copied into the outbox.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from storage.models import AttachmentRecord, table_of
from storage.statements import OPEN_TICKET, TICKET
from storage.store import NewOutbound, Store
from storage.ticket_records import TicketAccess

ATTACHMENT = table_of(AttachmentRecord)
# what the console lists: everything but the bytes
_META = (
    ATTACHMENT.c.id,
    ATTACHMENT.c.direction,
    ATTACHMENT.c.message_id,
    ATTACHMENT.c.ticket_id,
    ATTACHMENT.c.name,
    ATTACHMENT.c.mime,
    ATTACHMENT.c.size,
    ATTACHMENT.c.created_by,
    ATTACHMENT.c.created_at,
)


@dataclass(frozen=True, slots=True)
class NewFile:
    """A checked file to keep: its bytes, its checked type and the name it came with."""

    name: str
    mime: str
    data: bytes


@dataclass(frozen=True, slots=True)
class FileMeta:
    """A kept file as the console lists it: everything but the bytes."""

    id: int
    direction: str  # "in": from the user; "out": an agent's
    message_id: int | None
    ticket_id: int | None
    name: str
    mime: str
    size: int
    created_by: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class KeptFile:
    """A kept file with its bytes (``channels.base.StoredFile``)."""

    id: int
    channel: str
    chat_id: str
    name: str
    mime: str
    data: bytes


class AttachmentStore:
    """Reads and writes of kept files, over the store's transactions; what
    ``channels.base.FileSource`` asks of it, for the adapters."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def __repr__(self) -> str:
        return "AttachmentStore()"

    async def keep_inbound(
        self,
        message_id: int,
        conversation_id: int,
        channel: str,
        chat_id: str,
        files: Sequence[tuple[int, NewFile]],
        now: datetime,
    ) -> list[int]:
        """Keep a message's files (``(position, file)``); files it has already are
        left as they are. Returns the ids, in the order given."""
        return await self.store.write(
            self._keep_inbound, message_id, conversation_id, channel, chat_id, files, now
        )

    @staticmethod
    def _keep_inbound(
        conn: Connection,
        message_id: int,
        conversation_id: int,
        channel: str,
        chat_id: str,
        files: Sequence[tuple[int, NewFile]],
        now: datetime,
    ) -> list[int]:
        ticket = conn.execute(OPEN_TICKET, {"conversation_id": conversation_id}).scalar()
        ids = []
        for position, file in files:
            known = conn.execute(
                select(ATTACHMENT.c.id).where(
                    ATTACHMENT.c.message_id == message_id, ATTACHMENT.c.position == position
                )
            ).scalar()
            if known is None:
                row = _row(file, conversation_id, channel, chat_id, "in", now)
                row |= {"message_id": message_id, "position": position, "ticket_id": ticket}
                known = conn.execute(insert(ATTACHMENT).values(row).returning(ATTACHMENT.c.id))
                known = known.scalar_one()
            ids.append(int(known))
        return ids

    async def answer_with(
        self,
        ticket_id: int,
        file: NewFile,
        agent: str,
        rows: Sequence[NewOutbound],
        image: Callable[[int], NewOutbound],
        now: datetime,
    ) -> int | None:
        """Keep an agent's screenshot for a ticket and enqueue ``rows`` (its text)
        plus, last, ``image(attachment_id)``: the send of the file. As an agent's
        reply, it sets the ticket pending; ``None`` when the ticket is resolved."""
        return await self.store.write(self._answer_with, ticket_id, file, agent, rows, image, now)

    @staticmethod
    def _answer_with(
        conn: Connection,
        ticket_id: int,
        file: NewFile,
        agent: str,
        rows: Sequence[NewOutbound],
        image: Callable[[int], NewOutbound],
        now: datetime,
    ) -> int | None:
        ticket = conn.execute(
            select(TICKET.c.conversation_id, TICKET.c.channel, TICKET.c.chat_id).where(
                TICKET.c.id == ticket_id
            )
        ).first()
        done = conn.execute(
            update(TICKET)
            .where(TICKET.c.id == ticket_id, TICKET.c.status != "resolved")
            .values(status="pending", intake_step=None)  # as an agent's reply does
        )
        if ticket is None or done.rowcount != 1:
            return None
        row = _row(file, ticket.conversation_id, ticket.channel, ticket.chat_id, "out", now)
        row |= {"ticket_id": ticket_id, "created_by": agent}
        attachment_id = conn.execute(
            insert(ATTACHMENT).values(row).returning(ATTACHMENT.c.id)
        ).scalar_one()
        Store.add_outbound(conn, [*rows, image(attachment_id)], now, None)
        return int(attachment_id)

    async def of_conversation(self, conversation_id: int) -> list[FileMeta]:
        """A conversation's files, oldest first, without their bytes."""
        return await self.store.read(self._of_conversation, conversation_id)

    @staticmethod
    def _of_conversation(conn: Connection, conversation_id: int) -> list[FileMeta]:
        query = (
            select(*_META)
            .where(ATTACHMENT.c.conversation_id == conversation_id)
            .order_by(ATTACHMENT.c.id)
        )
        return [FileMeta(**r._mapping) for r in conn.execute(query)]

    async def conversation_of(self, attachment_id: int) -> int | None:
        """Whose conversation a file belongs to (``None``: no such file)."""
        return await self.store.read(self._conversation_of, attachment_id)

    @staticmethod
    def _conversation_of(conn: Connection, attachment_id: int) -> int | None:
        query = select(ATTACHMENT.c.conversation_id).where(ATTACHMENT.c.id == attachment_id)
        return conn.execute(query).scalar()

    async def tickets_of(self, conversation_id: int) -> list[TicketAccess]:
        """The conversation's tickets, as far as who may see them goes."""
        return await self.store.read(self._tickets_of, conversation_id)

    @staticmethod
    def _tickets_of(conn: Connection, conversation_id: int) -> list[TicketAccess]:
        query = select(TICKET.c.assignee_id, TICKET.c.tier).where(
            TICKET.c.conversation_id == conversation_id
        )
        return [TicketAccess(**r._mapping) for r in conn.execute(query)]

    async def load(self, attachment_id: int) -> KeptFile | None:
        return await self.store.read(self._load, attachment_id)

    @staticmethod
    def _load(conn: Connection, attachment_id: int) -> KeptFile | None:
        row = conn.execute(select(ATTACHMENT).where(ATTACHMENT.c.id == attachment_id)).first()
        if row is None:
            return None
        return KeptFile(row.id, row.channel, row.chat_id, row.name, row.mime, bytes(row.data))


def _row(
    file: NewFile, conversation_id: int, channel: str, chat_id: str, direction: str, now: datetime
) -> dict[str, Any]:
    return {
        "conversation_id": conversation_id,
        "position": 0,
        "direction": direction,
        "channel": channel,
        "chat_id": chat_id,
        "name": file.name[:200],
        "mime": file.mime,
        "size": len(file.data),
        "sha256": hashlib.sha256(file.data).hexdigest(),
        "data": file.data,
        "created_at": now,
    }
