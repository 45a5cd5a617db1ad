"""The outbox's queue in the store: rows enqueued, claimed by a sender, settled.

Every way out of the bot is a row here (replies, agents' answers, alerts, notices). A
sender claims due rows, at most the oldest open one per chat so the parts of a long
reply arrive in order (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several processes
share the work), and settles each claimed row as delivered, retried or failed in the
same transaction that claims its next ones. A claimed row is leased to its sender
(``storage.outbox_leases``): only that claim settles it, and only an expired lease
puts it back in the queue.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from storage import statements as sql
from storage.outbox_leases import Lease, still_held
from storage.statements import OUT
from storage.writer import TransactionRunner

log = logging.getLogger(__name__)


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
    """A claimed outbox row, ready for the sender; ``owner`` and ``attempts`` name the
    claim, which its outcome must still hold to be recorded."""

    id: int
    channel: str
    chat_id: str
    action: dict[str, Any]
    conversation_id: int | None
    attempts: int
    owner: str
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
    # the platform refused the send for its rate limit (a 429 naming a wait): the row
    # waits as told, and the try is not counted against the row's attempts
    rate_limited: bool = False


def is_blocked(error: str | None) -> bool:
    """A permanent failure that means the user blocked the bot or left the chat.

    Adapters word it ``forbidden: …`` (a platform's "blocked by the user" error); such a user
    is unsubscribed in the same transaction that records the failure.
    """
    return bool(error) and str(error).startswith("forbidden")


def _by_agent(work: OutboundWork) -> bool:
    """An agent's answer to a user in a conversation (it may be a ticket's first)."""
    return work.sender.startswith("agent:") and work.conversation_id is not None


class OutboxQueue:
    """The queue's half of :class:`storage.store.Store` (mixed into it, which sets
    ``_writer``)."""

    _writer: TransactionRunner

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
        self, now: datetime, limit: int, channels: Sequence[str] | None = None, *, lease: Lease
    ) -> list[OutboundWork]:
        """Claim up to ``limit`` due items for ``lease.owner``, at most the oldest open
        one per chat.

        An item waits while an earlier item for the same chat is still pending or being
        sent, so the parts of a long reply arrive in order.
        """
        work, _ = await self.settle_and_claim([], now, limit, channels, lease=lease)
        return work

    async def settle_and_claim(
        self,
        outcomes: Sequence[Outcome],
        now: datetime,
        limit: int,
        channels: Sequence[str] | None = None,
        *,
        lease: Lease,
    ) -> tuple[list[OutboundWork], timedelta | None]:
        """Record outcomes, claim new work leased to ``lease.owner`` until
        ``lease.until(now)``, and, when none was claimed, say when the next pending
        item of ``channels`` falls due (``None``: none is pending, due or not).

        One transaction for the sender's whole step: the per-message cost of the
        outbox stays flat however many sends are in flight.
        """
        return await self._writer.run(self._settle_and_claim, outcomes, now, limit, channels, lease)

    async def settle(self, outcomes: Sequence[Outcome], now: datetime) -> None:
        """Record outcomes and claim nothing (a sender that stops)."""
        await self._writer.run(self._settle, outcomes, now)

    def _settle_and_claim(
        self,
        conn: Connection,
        outcomes: Sequence[Outcome],
        now: datetime,
        limit: int,
        channels: Sequence[str] | None,
        lease: Lease,
    ) -> tuple[list[OutboundWork], timedelta | None]:
        self._settle(conn, outcomes, now)
        if channels is None:
            channels = [r[0] for r in conn.execute(select(OUT.c.channel).distinct())]
        work = self._claim(conn, now, limit, channels, lease) if limit > 0 else []
        next_due = None
        if not work:
            first = conn.execute(sql.NEXT_DUE, {"channels": list(channels)}).scalar()
            if first is not None:
                next_due = max(first - now, timedelta(0))
        return work, next_due

    def _claim(
        self,
        conn: Connection,
        now: datetime,
        limit: int,
        channels: Sequence[str],
        lease: Lease,
    ) -> list[OutboundWork]:
        work = [
            OutboundWork(
                r.id,
                r.channel,
                r.chat_id,
                dict(r.action),
                r.conversation_id,
                r.attempts + 1,
                lease.owner,
                r.sender,
            )
            for r in conn.execute(
                sql.CLAIMABLE, {"now": now, "channels": list(channels), "limit": limit}
            )
        ]
        if work:
            conn.execute(
                sql.MARK_SENDING,
                {"ids": [w.id for w in work], "owner": lease.owner, "until": lease.until(now)},
            )
        return work

    def _settle(self, conn: Connection, outcomes: Sequence[Outcome], now: datetime) -> None:
        """Record each outcome whose claim still holds its row, with its side effects.

        An outcome whose row another sender claimed since (this one lost its lease) is
        dropped and logged: the row is that sender's now (``still_held``).
        """
        if not outcomes:
            return
        outcomes, overtaken = still_held(conn, outcomes)
        if overtaken:
            log.warning(
                "outbox: item(s) %s were claimed by another sender after this one's lease"
                " ran out; this sender's outcome is not recorded",
                ", ".join(str(o.work.id) for o in overtaken),
            )
        if not outcomes:
            return
        conn.execute(
            sql.SETTLE,
            [
                {
                    "item_id": o.work.id,
                    "claim_owner": o.work.owner,
                    "claim_attempts": o.work.attempts,
                    "status": o.status,
                    "error": o.error,
                    "platform_message_id": o.platform_message_id,
                    "delivered_at": now if o.status == "delivered" else None,
                    "next_attempt_at": o.next_attempt_at,
                    "refund": 1 if o.rate_limited else 0,
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
        await self.settle([Outcome(work, "delivered", platform_message_id, text)], now)

    async def mark_retry(self, work: OutboundWork, next_attempt_at: datetime, error: str) -> None:
        await self.settle(
            [Outcome(work, "pending", next_attempt_at=next_attempt_at, error=error[:1000])],
            next_attempt_at,
        )

    async def mark_failed(self, work: OutboundWork, error: str, now: datetime) -> None:
        await self.settle([Outcome(work, "failed", error=error[:1000])], now)
