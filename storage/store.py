"""The store: every read and write socialdesk makes, as awaitable methods.

SQLModel sessions are synchronous, so each method runs its transaction on the store's
own executor. For SQLite that executor has a single thread: one writer, no "database is
locked", and no event-loop stall on disk. For PostgreSQL it has several, and outbox
work is claimed with ``FOR UPDATE SKIP LOCKED`` so several processes can share it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any, Literal, TypeVar

from sqlalchemy import select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from storage import statements as sql
from storage.engine import is_sqlite, make_engine
from storage.inbox import Inbound, record_inbound
from storage.models import MessageRecord, OutboxItem
from storage.statements import IDENT, OUT
from storage.writer import TransactionRunner

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class NewOutbound:
    """An action to enqueue; ``action`` is the JSON form from ``channels.base``."""

    channel: str
    chat_id: str
    action: dict[str, Any]
    conversation_id: int | None = None
    priority: int = 0
    sender: str = "bot"


@dataclass(frozen=True, slots=True)
class OutboundWork:
    """A claimed outbox row, ready for the sender."""

    id: int
    channel: str
    chat_id: str
    action: dict[str, Any]
    conversation_id: int | None
    attempts: int
    sender: str = "bot"


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one claimed item: delivered, back to pending, or failed."""

    work: OutboundWork
    status: Literal["delivered", "pending", "failed"]
    platform_message_id: str | None = None
    text: str | None = None  # sent text, for the transcript
    next_attempt_at: datetime | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class InboundEnvelope:
    """An inbound message recorded but not yet handled, for resume after a crash."""

    message_id: int
    envelope: dict[str, Any]
    text: str


def is_blocked(error: str | None) -> bool:
    """A permanent failure that means the user blocked the bot or left the chat.

    Adapters word it ``forbidden: …`` (Telegram's 403, Discord's 50007); such a user
    is unsubscribed in the same transaction that records the failure.
    """
    return bool(error) and str(error).startswith("forbidden")


def _by_agent(work: OutboundWork) -> bool:
    """An agent's answer to a user in a conversation (it may be a ticket's first)."""
    return work.sender.startswith("agent:") and work.conversation_id is not None


class Store:
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

    async def enqueue(self, outbound: Sequence[NewOutbound], now: datetime) -> list[int]:
        """Enqueue actions that no inbound message caused (agent replies, notices)."""
        return await self._writer.run(self.add_outbound, outbound, now, None)

    @staticmethod
    def add_outbound(
        conn: Connection, outbound: Sequence[NewOutbound], now: datetime, source: int | None
    ) -> list[int]:
        if not outbound:
            return []
        rows = [
            {
                "channel": o.channel,
                "chat_id": o.chat_id,
                "action": o.action,
                "conversation_id": o.conversation_id,
                "source_message_id": source,
                "priority": o.priority,
                "sender": o.sender,
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            }
            for o in outbound
        ]
        if source is not None:  # an inbound message's replies: nobody needs their ids
            conn.execute(sql.INSERT_OUTBOX, rows)
            return []
        if len(rows) == 1:
            return [conn.execute(sql.INSERT_OUTBOX.returning(OUT.c.id), rows[0]).scalar_one()]
        return [r[0] for r in conn.execute(sql.INSERT_OUTBOX.returning(OUT.c.id), rows)]

    async def claim_due(
        self, now: datetime, limit: int, channels: Sequence[str] | None = None
    ) -> list[OutboundWork]:
        """Claim up to ``limit`` due items, at most the oldest open one per chat.

        An item waits while an earlier item for the same chat is still pending or being
        sent, so the parts of a long reply arrive in order.
        """
        work, _ = await self.settle_and_claim([], now, limit, channels)
        return work

    async def settle_and_claim(
        self,
        outcomes: Sequence[Outcome],
        now: datetime,
        limit: int,
        channels: Sequence[str] | None = None,
    ) -> tuple[list[OutboundWork], timedelta | None]:
        """Record outcomes, claim new work and say when the next item falls due.

        One transaction for the sender's whole step: the per-message cost of the
        outbox stays flat however many sends are in flight.
        """
        return await self._writer.run(self._settle_and_claim, outcomes, now, limit, channels)

    def _settle_and_claim(
        self,
        conn: Connection,
        outcomes: Sequence[Outcome],
        now: datetime,
        limit: int,
        channels: Sequence[str] | None,
    ) -> tuple[list[OutboundWork], timedelta | None]:
        self._settle(conn, outcomes, now)
        work = self._claim(conn, now, limit, channels) if limit > 0 else []
        next_due = None
        if not work:
            first = conn.execute(sql.NEXT_DUE).scalar()
            if first is not None:
                next_due = max(first - now, timedelta(0))
        return work, next_due

    def _claim(
        self, conn: Connection, now: datetime, limit: int, channels: Sequence[str] | None
    ) -> list[OutboundWork]:
        if channels is None:
            channels = [r[0] for r in conn.execute(select(OUT.c.channel).distinct())]
        work = [
            OutboundWork(
                r.id,
                r.channel,
                r.chat_id,
                dict(r.action),
                r.conversation_id,
                r.attempts + 1,
                r.sender,
            )
            for r in conn.execute(
                sql.CLAIMABLE, {"now": now, "channels": list(channels), "limit": limit}
            )
        ]
        if work:
            conn.execute(sql.MARK_SENDING, {"ids": [w.id for w in work]})
        return work

    def _settle(self, conn: Connection, outcomes: Sequence[Outcome], now: datetime) -> None:
        if not outcomes:
            return
        conn.execute(
            sql.SETTLE,
            [
                {
                    "item_id": o.work.id,
                    "status": o.status,
                    "error": o.error,
                    "platform_message_id": o.platform_message_id,
                    "delivered_at": now if o.status == "delivered" else None,
                    "next_attempt_at": o.next_attempt_at,
                }
                for o in outcomes
            ],
        )
        blocked = [
            {"channel": o.work.channel, "chat_id": o.work.chat_id}
            for o in outcomes
            if o.status == "failed" and is_blocked(o.error)
        ]
        if blocked:
            conn.execute(sql.UNSUBSCRIBE_CHAT, blocked)
        answered = [
            {"answered_conversation": o.work.conversation_id, "answered_at": now}
            for o in outcomes
            if o.status == "delivered" and _by_agent(o.work)
        ]
        if answered:
            conn.execute(sql.FIRST_RESPONSE, answered)
        lost = [
            {"answered_conversation": o.work.conversation_id}
            for o in outcomes
            if o.status == "failed" and _by_agent(o.work)
        ]
        if lost:
            conn.execute(sql.ANSWER_LOST, lost)
        transcript: list[dict[str, Any]] = [
            {
                "conversation_id": o.work.conversation_id,
                "direction": "out",
                "channel": o.work.channel,
                "chat_id": o.work.chat_id,
                "platform_message_id": o.platform_message_id,
                "sender_id": o.work.sender,
                "text": o.text,
                "envelope": {},
                "created_at": now,
                "processed_at": now,
                "intent": None,
                "language": None,
            }
            for o in outcomes
            if o.status == "delivered" and o.text is not None and o.work.conversation_id
        ]
        if transcript:
            self._add_transcript(conn, transcript)

    @staticmethod
    def _add_transcript(conn: Connection, rows: list[dict[str, Any]]) -> None:
        """Sent messages join the transcript; one whose platform id is already there
        (a platform that reuses ids) is skipped rather than failing the whole step."""
        insert = sql.INSERT_TRANSCRIPT
        try:
            with conn.begin_nested():
                conn.execute(insert, rows)
        except IntegrityError:
            for row in rows:
                with contextlib.suppress(IntegrityError), conn.begin_nested():
                    conn.execute(insert, row)

    async def mark_delivered(
        self, work: OutboundWork, platform_message_id: str | None, text: str | None, now: datetime
    ) -> None:
        """Record a delivery and, for sent text, the outbound message in the transcript."""
        await self.settle_and_claim([Outcome(work, "delivered", platform_message_id, text)], now, 0)

    async def mark_retry(self, work: OutboundWork, next_attempt_at: datetime, error: str) -> None:
        await self.settle_and_claim(
            [Outcome(work, "pending", next_attempt_at=next_attempt_at, error=error[:1000])],
            next_attempt_at,
            0,
        )

    async def mark_failed(self, work: OutboundWork, error: str, now: datetime) -> None:
        await self.settle_and_claim([Outcome(work, "failed", error=error[:1000])], now, 0)

    async def requeue_inflight(self, now: datetime) -> int:
        """On start: items a dead process was sending go back to pending.

        The caller runs it before its sender starts, so nothing it requeues is being
        sent by this process. (Several processes on PostgreSQL: run it in one.)
        """
        return await self._writer.run(self._requeue_inflight, now)

    @staticmethod
    def _requeue_inflight(conn: Connection, now: datetime) -> int:
        done = conn.execute(
            update(OUT)
            .where(OUT.c.status == "sending")
            .values(status="pending", next_attempt_at=now)
        )
        return done.rowcount or 0

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
