"""The store: every read and write socialdesk makes, as awaitable methods.

SQLModel sessions are synchronous, so each method runs its transaction on the store's
own executor. For SQLite that executor has a single thread: one writer, no "database is
locked", and no event-loop stall on disk. For PostgreSQL it has several, and outbox
work is claimed with ``FOR UPDATE SKIP LOCKED`` so several processes can share it
(the queue's methods are in ``storage.outbox_queue``, each claimed row leased to its
sender by ``storage.outbox_leases``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any, TypeVar

from sqlalchemy import select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, col

from storage import statements as sql
from storage.engine import is_sqlite, make_engine
from storage.inbox import Inbound, record_inbound
from storage.models import MessageRecord, OutboxItem
from storage.outbox_leases import Lease, OutboxLeases
from storage.outbox_queue import NewOutbound, OutboundWork, OutboxQueue, Outcome, is_blocked
from storage.statements import IDENT
from storage.writer import TransactionRunner

__all__ = [
    "Inbound",
    "InboundEnvelope",
    "Lease",
    "NewOutbound",
    "OutboundWork",
    "Outcome",
    "Store",
    "is_blocked",
]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class InboundEnvelope:
    """An inbound message recorded but not yet handled, for resume after a crash."""

    message_id: int
    envelope: dict[str, Any]
    text: str


class Store(OutboxQueue, OutboxLeases):
    """Repository over the tables in ``storage.models``."""

    def __init__(self, engine: Engine, *, workers: int | None = None) -> None:
        self.engine = engine
        sqlite = engine.dialect.name == "sqlite"
        self._executor = ThreadPoolExecutor(
            max_workers=1 if sqlite else (workers or 8), thread_name_prefix="store"
        )
        self._writer = TransactionRunner(engine, self._executor, group_commit=sqlite)
        # reads on threads of their own, so a long read never delays a write queued
        # behind it (SQLite in WAL mode lets readers run beside its one writer); an
        # in-memory SQLite database has one connection, so it reads through the writer
        memory = sqlite and (engine.url.database or "") in ("", ":memory:")
        self._readers = (
            None if memory else ThreadPoolExecutor(max_workers=4, thread_name_prefix="read")
        )

    @classmethod
    def open(cls, url: str) -> Store:
        return cls(make_engine(url), workers=1 if is_sqlite(url) else None)

    async def close(self) -> None:
        if self._readers is not None:
            self._readers.shutdown(wait=True)
        await asyncio.get_running_loop().run_in_executor(self._executor, self.engine.dispose)
        self._executor.shutdown(wait=True)

    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, partial(fn, *args))

    async def write(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(conn, *args)`` in a transaction (grouped with others on SQLite);
        for repositories that share this store, such as the tickets."""
        return await self._writer.run(fn, *args)

    async def read(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(conn, *args)``, which only reads, beside the writer: it sees every
        write that completed before it started. For the agents' views, which must not
        hold up claims and replies."""
        if self._readers is None:
            return await self.write(fn, *args)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._readers, partial(self._read, fn, args))

    def _read(self, fn: Callable[..., T], args: tuple[Any, ...]) -> T:
        try:
            with self.engine.connect() as conn:
                return fn(conn, *args)
        except DBAPIError as exc:
            if not exc.connection_invalidated:
                raise
        # the server ended an idle pooled session; the pool is emptied, read anew
        with self.engine.connect() as conn:
            return fn(conn, *args)

    def _session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    # --- inbox -------------------------------------------------------------------

    async def record_inbound(self, envelope: dict[str, Any], text: str, now: datetime) -> Inbound:
        """Record an inbound message once; a redelivered one returns its existing row.

        ``envelope`` holds the normalized fields (channel, chat_id, chat_kind,
        sender_id, platform_message_id, ...); ``text`` is already redacted.
        """
        return await self._writer.run(record_inbound, envelope, text, now)

    async def complete_inbound(
        self,
        inbound: Inbound,
        *,
        intent: str,
        language: str,
        outbound: Sequence[NewOutbound],
        now: datetime,
        writes: Sequence[Callable[[Connection], Sequence[NewOutbound]]] = (),
    ) -> bool:
        """Mark a message handled, make the state changes its handling decided on
        (``writes``, in order, each returning further rows) and enqueue its actions,
        all in one transaction: all of it commits, or none.

        Returns ``False`` (and writes nothing) when it was already handled, so a
        message raced by two workers is answered once.
        """
        return await self._writer.run(
            self._complete_inbound, inbound, intent, language, outbound, now, writes
        )

    def _complete_inbound(
        self,
        conn: Connection,
        inbound: Inbound,
        intent: str,
        language: str,
        outbound: Sequence[NewOutbound],
        now: datetime,
        writes: Sequence[Callable[[Connection], Sequence[NewOutbound]]] = (),
    ) -> bool:
        done = conn.execute(
            sql.MARK_HANDLED,
            {"message_id": inbound.message_id, "now": now, "intent": intent, "language": language},
        )
        if done.rowcount != 1:
            return False  # handled already; nothing was written
        conn.execute(
            sql.TOUCH_CONVERSATION,
            {"conversation_id": inbound.conversation_id, "language": language, "now": now},
        )
        rows = [*outbound, *(row for write in writes for row in write(conn))]
        self.add_outbound(conn, rows, now, inbound.message_id)
        return True

    async def unprocessed_inbound(self, limit: int = 1000) -> list[InboundEnvelope]:
        """Inbound messages recorded but never handled (the process died between)."""
        return await self._run(self._unprocessed_inbound, limit)

    def _unprocessed_inbound(self, limit: int) -> list[InboundEnvelope]:
        with self._session() as s:
            rows = s.execute(
                select(MessageRecord)
                .where(
                    col(MessageRecord.direction) == "in", col(MessageRecord.processed_at).is_(None)
                )
                .order_by(col(MessageRecord.id))
                .limit(limit)
            ).scalars()
            return [InboundEnvelope(r.id, dict(r.envelope), r.text) for r in rows]

    # --- identities --------------------------------------------------------------

    async def set_language(self, identity_id: int, language: str | None) -> None:
        """Remember a user's ``/lang`` choice."""
        await self._writer.run(self._set_language, identity_id, language)

    @staticmethod
    def _set_language(conn: Connection, identity_id: int, language: str | None) -> None:
        conn.execute(update(IDENT).where(IDENT.c.id == identity_id).values(language=language))

    # --- reads for tests, the CLI and agents ---------------------------------------

    async def outbox(self, status: str | None = None) -> list[OutboxItem]:
        return await self._run(self._outbox, status)

    def _outbox(self, status: str | None) -> list[OutboxItem]:
        with self._session() as s:
            query = select(OutboxItem).order_by(col(OutboxItem.id))
            if status is not None:
                query = query.where(col(OutboxItem.status) == status)
            return list(s.execute(query).scalars())

    async def transcript(self, conversation_id: int) -> list[MessageRecord]:
        """A conversation's messages in and out, oldest first."""
        return await self._run(self._transcript, conversation_id)

    def _transcript(self, conversation_id: int) -> list[MessageRecord]:
        with self._session() as s:
            return list(
                s.execute(
                    select(MessageRecord)
                    .where(col(MessageRecord.conversation_id) == conversation_id)
                    .order_by(col(MessageRecord.id))
                ).scalars()
            )

    async def messages(self, direction: str | None = None) -> list[MessageRecord]:
        return await self._run(self._messages, direction)

    def _messages(self, direction: str | None) -> list[MessageRecord]:
        with self._session() as s:
            query = select(MessageRecord).order_by(col(MessageRecord.id))
            if direction is not None:
                query = query.where(col(MessageRecord.direction) == direction)
            return list(s.execute(query).scalars())
