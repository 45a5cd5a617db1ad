"""The store: every read and write socialdesk makes, as awaitable methods.

SQLModel sessions are synchronous, so each method runs its transaction on the store's
own executor. For SQLite that executor has a single thread: one writer, no "database is
locked", and no event-loop stall on disk. For PostgreSQL it has several, and outbox
work is claimed with ``FOR UPDATE SKIP LOCKED`` so several processes can share it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any, TypeVar

from sqlalchemy import and_, exists, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlmodel import Session

from storage.engine import is_sqlite, make_engine
from storage.models import Conversation, Identity, MessageRecord, OutboxItem

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Inbound:
    """Where a recorded inbound message landed."""

    message_id: int
    identity_id: int
    conversation_id: int
    chosen_language: str | None
    already_processed: bool


@dataclass(frozen=True, slots=True)
class NewOutbound:
    """An action to enqueue; ``action`` is the JSON form from ``channels.base``."""

    channel: str
    chat_id: str
    action: dict[str, Any]
    conversation_id: int | None = None
    priority: int = 0


@dataclass(frozen=True, slots=True)
class OutboundWork:
    """A claimed outbox row, ready for the sender."""

    id: int
    channel: str
    chat_id: str
    action: dict[str, Any]
    conversation_id: int | None
    attempts: int


@dataclass(frozen=True, slots=True)
class InboundEnvelope:
    """An inbound message recorded but not yet handled, for resume after a crash."""

    message_id: int
    envelope: dict[str, Any]
    text: str


class Store:
    """Repository over the tables in ``storage.models``."""

    def __init__(self, engine: Engine, *, workers: int | None = None) -> None:
        self.engine = engine
        sqlite = engine.dialect.name == "sqlite"
        self._executor = ThreadPoolExecutor(
            max_workers=1 if sqlite else (workers or 8), thread_name_prefix="store"
        )

    @classmethod
    def open(cls, url: str) -> Store:
        return cls(make_engine(url), workers=1 if is_sqlite(url) else None)

    async def close(self) -> None:
        await asyncio.get_running_loop().run_in_executor(self._executor, self.engine.dispose)
        self._executor.shutdown(wait=True)

    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, partial(fn, *args))

    def _session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    # --- inbox -------------------------------------------------------------------

    async def record_inbound(self, envelope: dict[str, Any], text: str, now: datetime) -> Inbound:
        """Record an inbound message once; a redelivered one returns its existing row.

        ``envelope`` holds the normalized fields (channel, chat_id, chat_kind,
        sender_id, platform_message_id, ...); ``text`` is already redacted.
        """
        return await self._run(self._record_inbound, envelope, text, now)

    def _record_inbound(self, env: dict[str, Any], text: str, now: datetime) -> Inbound:
        with self._session() as s:
            for _ in range(2):
                try:
                    return self._record_inbound_tx(s, env, text, now)
                except IntegrityError:
                    # another process recorded the same identity or message first
                    s.rollback()
            return self._record_inbound_tx(s, env, text, now)

    def _record_inbound_tx(
        self, s: Session, env: dict[str, Any], text: str, now: datetime
    ) -> Inbound:
        channel, chat_id = env["channel"], env["chat_id"]
        existing = s.execute(
            select(MessageRecord, Conversation, Identity)
            .join(Conversation, Conversation.id == MessageRecord.conversation_id)
            .join(Identity, Identity.id == Conversation.identity_id)
            .where(
                MessageRecord.channel == channel,
                MessageRecord.chat_id == chat_id,
                MessageRecord.platform_message_id == env["platform_message_id"],
            )
        ).first()
        if existing is not None:
            msg, conv, ident = existing
            return Inbound(msg.id, ident.id, conv.id, ident.language, msg.processed_at is not None)
        ident = s.execute(
            select(Identity).where(
                Identity.channel == channel, Identity.platform_user_id == env["sender_id"]
            )
        ).scalar_one_or_none()
        if ident is None:
            ident = Identity(
                channel=channel,
                platform_user_id=env["sender_id"],
                username=env.get("username"),
                display_name=env.get("display_name") or "",
                created_at=now,
            )
            s.add(ident)
            s.flush()
        elif env.get("display_name") and ident.display_name != env["display_name"]:
            ident.display_name = env["display_name"]
            ident.username = env.get("username")
        conv = s.execute(
            select(Conversation).where(
                Conversation.channel == channel,
                Conversation.chat_id == chat_id,
                Conversation.identity_id == ident.id,
            )
        ).scalar_one_or_none()
        if conv is None:
            conv = Conversation(
                channel=channel,
                chat_id=chat_id,
                chat_kind=env["chat_kind"],
                identity_id=ident.id,  # type: ignore[arg-type]
                created_at=now,
                last_message_at=now,
            )
            s.add(conv)
            s.flush()
        else:
            conv.last_message_at = now
        record = MessageRecord(
            conversation_id=conv.id,  # type: ignore[arg-type]
            direction="in",
            channel=channel,
            chat_id=chat_id,
            platform_message_id=env["platform_message_id"],
            sender_id=env["sender_id"],
            text=text,
            envelope=env,
            created_at=now,
        )
        s.add(record)
        s.commit()
        return Inbound(record.id, ident.id, conv.id, ident.language, False)  # type: ignore[arg-type]

    async def complete_inbound(
        self,
        message_id: int,
        *,
        intent: str,
        language: str,
        outbound: Sequence[NewOutbound],
        now: datetime,
    ) -> bool:
        """Mark a message handled and enqueue its actions in one transaction.

        Returns ``False`` (and enqueues nothing) when it was already handled, so a
        message raced by two workers is answered once.
        """
        return await self._run(self._complete_inbound, message_id, intent, language, outbound, now)

    def _complete_inbound(
        self,
        message_id: int,
        intent: str,
        language: str,
        outbound: Sequence[NewOutbound],
        now: datetime,
    ) -> bool:
        with self._session() as s:
            done = s.execute(
                update(MessageRecord)
                .where(MessageRecord.id == message_id, MessageRecord.processed_at.is_(None))  # type: ignore[union-attr]
                .values(processed_at=now, intent=intent, language=language)
            )
            if done.rowcount != 1:
                s.rollback()
                return False
            conversation_id = s.get(MessageRecord, message_id).conversation_id  # type: ignore[union-attr]
            s.execute(
                update(Conversation)
                .where(Conversation.id == conversation_id)
                .values(language=language)
            )
            self._add_outbound(s, outbound, now, message_id)
            s.commit()
            return True

    async def unprocessed_inbound(self, limit: int = 1000) -> list[InboundEnvelope]:
        """Inbound messages recorded but never handled (the process died between)."""
        return await self._run(self._unprocessed_inbound, limit)

    def _unprocessed_inbound(self, limit: int) -> list[InboundEnvelope]:
        with self._session() as s:
            rows = s.execute(
                select(MessageRecord)
                .where(MessageRecord.direction == "in", MessageRecord.processed_at.is_(None))  # type: ignore[union-attr]
                .order_by(MessageRecord.id)
                .limit(limit)
            ).scalars()
            return [InboundEnvelope(r.id, dict(r.envelope), r.text) for r in rows]  # type: ignore[arg-type]

    # --- identities --------------------------------------------------------------

    async def set_language(self, identity_id: int, language: str | None) -> None:
        """Remember a user's ``/lang`` choice."""
        await self._run(self._set_language, identity_id, language)

    def _set_language(self, identity_id: int, language: str | None) -> None:
        with self._session() as s:
            s.execute(update(Identity).where(Identity.id == identity_id).values(language=language))
            s.commit()

    # --- outbox ------------------------------------------------------------------

    async def enqueue(self, outbound: Sequence[NewOutbound], now: datetime) -> list[int]:
        """Enqueue actions that no inbound message caused (agent replies, notices)."""
        return await self._run(self._enqueue, outbound, now)

    def _enqueue(self, outbound: Sequence[NewOutbound], now: datetime) -> list[int]:
        with self._session() as s:
            items = self._add_outbound(s, outbound, now, None)
            s.commit()
            return [i.id for i in items]  # type: ignore[misc]

    @staticmethod
    def _add_outbound(
        s: Session, outbound: Sequence[NewOutbound], now: datetime, source: int | None
    ) -> list[OutboxItem]:
        items = [
            OutboxItem(
                channel=o.channel,
                chat_id=o.chat_id,
                action=o.action,
                conversation_id=o.conversation_id,
                source_message_id=source,
                priority=o.priority,
                next_attempt_at=now,
                created_at=now,
            )
            for o in outbound
        ]
        s.add_all(items)
        s.flush()
        return items

    async def claim_due(
        self, now: datetime, limit: int, channels: Sequence[str] | None = None
    ) -> list[OutboundWork]:
        """Claim up to ``limit`` due items, at most the oldest open one per chat.

        An item waits while an earlier item for the same chat is still pending or being
        sent, so the parts of a long reply arrive in order.
        """
        return await self._run(self._claim_due, now, limit, channels)

    def _claim_due(
        self, now: datetime, limit: int, channels: Sequence[str] | None
    ) -> list[OutboundWork]:
        earlier = aliased(OutboxItem)
        blocked = exists().where(
            and_(
                earlier.channel == OutboxItem.channel,
                earlier.chat_id == OutboxItem.chat_id,
                earlier.id < OutboxItem.id,
                earlier.status.in_(("pending", "sending")),  # type: ignore[attr-defined]
            )
        )
        query = (
            select(OutboxItem)
            .where(OutboxItem.status == "pending", OutboxItem.next_attempt_at <= now, ~blocked)
            .order_by(OutboxItem.priority, OutboxItem.id)
            .limit(limit)
            .with_for_update(skip_locked=True, of=OutboxItem)
        )
        if channels is not None:
            query = query.where(OutboxItem.channel.in_(list(channels)))  # type: ignore[attr-defined]
        with self._session() as s:
            rows = list(s.execute(query).scalars())
            if not rows:
                s.rollback()
                return []
            work = [
                OutboundWork(
                    r.id, r.channel, r.chat_id, dict(r.action), r.conversation_id, r.attempts + 1
                )  # type: ignore[arg-type]
                for r in rows
            ]
            s.execute(
                update(OutboxItem)
                .where(OutboxItem.id.in_([w.id for w in work]))  # type: ignore[union-attr]
                .values(status="sending", attempts=OutboxItem.attempts + 1)
                .execution_options(synchronize_session=False)
            )
            s.commit()
            return work

    async def mark_delivered(
        self, work: OutboundWork, platform_message_id: str | None, text: str | None, now: datetime
    ) -> None:
        """Record a delivery and, for sent text, the outbound message in the transcript."""
        await self._run(self._mark_delivered, work, platform_message_id, text, now)

    def _mark_delivered(
        self, work: OutboundWork, platform_id: str | None, text: str | None, now: datetime
    ) -> None:
        with self._session() as s:
            s.execute(
                update(OutboxItem)
                .where(OutboxItem.id == work.id)
                .values(
                    status="delivered",
                    platform_message_id=platform_id,
                    delivered_at=now,
                    last_error=None,
                )
            )
            if text is not None and work.conversation_id is not None:
                s.add(
                    MessageRecord(
                        conversation_id=work.conversation_id,
                        direction="out",
                        channel=work.channel,
                        chat_id=work.chat_id,
                        platform_message_id=platform_id,
                        sender_id="bot",
                        text=text,
                        created_at=now,
                        processed_at=now,
                    )
                )
            s.commit()

    async def mark_retry(self, work_id: int, next_attempt_at: datetime, error: str) -> None:
        await self._run(
            self._mark,
            work_id,
            {"status": "pending", "next_attempt_at": next_attempt_at, "last_error": error[:1000]},
        )

    async def mark_failed(self, work_id: int, error: str) -> None:
        await self._run(self._mark, work_id, {"status": "failed", "last_error": error[:1000]})

    def _mark(self, work_id: int, values: dict[str, Any]) -> None:
        with self._session() as s:
            s.execute(update(OutboxItem).where(OutboxItem.id == work_id).values(**values))
            s.commit()

    async def requeue_inflight(self, now: datetime) -> int:
        """On start: items a dead process was sending go back to pending.

        Only this process's own channels are affected; the caller runs it before the
        sender starts, so nothing it requeues is being sent by this process.
        """
        return await self._run(self._requeue_inflight, now)

    def _requeue_inflight(self, now: datetime) -> int:
        with self._session() as s:
            done = s.execute(
                update(OutboxItem)
                .where(OutboxItem.status == "sending")
                .values(status="pending", next_attempt_at=now)
            )
            s.commit()
            return done.rowcount or 0

    async def next_due_in(self, now: datetime) -> timedelta | None:
        """How long until the earliest pending item is due (``None``: nothing pending)."""
        return await self._run(self._next_due_in, now)

    def _next_due_in(self, now: datetime) -> timedelta | None:
        from sqlalchemy import func

        with self._session() as s:
            first = s.execute(
                select(func.min(OutboxItem.next_attempt_at)).where(OutboxItem.status == "pending")
            ).scalar()
            if first is None:
                return None
            return max(first - now, timedelta(0))

    # --- reads for tests, the CLI and agents ---------------------------------------

    async def outbox(self, status: str | None = None) -> list[OutboxItem]:
        return await self._run(self._outbox, status)

    def _outbox(self, status: str | None) -> list[OutboxItem]:
        with self._session() as s:
            query = select(OutboxItem).order_by(OutboxItem.id)
            if status is not None:
                query = query.where(OutboxItem.status == status)
            return list(s.execute(query).scalars())

    async def transcript(self, conversation_id: int) -> list[MessageRecord]:
        """A conversation's messages in and out, oldest first."""
        return await self._run(self._transcript, conversation_id)

    def _transcript(self, conversation_id: int) -> list[MessageRecord]:
        with self._session() as s:
            return list(
                s.execute(
                    select(MessageRecord)
                    .where(MessageRecord.conversation_id == conversation_id)
                    .order_by(MessageRecord.id)
                ).scalars()
            )

    async def messages(self, direction: str | None = None) -> list[MessageRecord]:
        return await self._run(self._messages, direction)

    def _messages(self, direction: str | None) -> list[MessageRecord]:
        with self._session() as s:
            query = select(MessageRecord).order_by(MessageRecord.id)
            if direction is not None:
                query = query.where(MessageRecord.direction == direction)
            return list(s.execute(query).scalars())
