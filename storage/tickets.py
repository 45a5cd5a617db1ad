"""Tickets on the user's side: opened, asked about, described, reopened.

These are the writes the router's stages make while a user talks to the bot (the
handoff opens a ticket, the intake records answers, a user who writes again soon
reopens theirs). What agents read and change lives in narrow repositories, a module each:
:mod:`storage.ticket_views` (the queue, one ticket), :mod:`storage.ticket_changes`
(claim, answer, resolve), :mod:`storage.notes`, :mod:`storage.agents` (agents and
tokens), :mod:`storage.queue`, :mod:`storage.links` and :mod:`storage.sla_store`.
:class:`TicketStore` still forwards the agents' calls to them, one line each, for the
callers that hold only a ``TicketStore``.
"""

from __future__ import annotations

import builtins
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection

from storage.agents import AGENT, AgentAdmin
from storage.agents import ROLES as ROLES
from storage.agents import AgentRecord as AgentRecord
from storage.queue import MAX_TIER, assign_round_robin
from storage.sla_store import SlaStore as SlaStore
from storage.statements import CONV, TICKET
from storage.store import NewOutbound, Store
from storage.ticket_changes import TicketChanges
from storage.ticket_records import TicketFilters, TicketRow, TicketView
from storage.ticket_views import TicketViews

# the ticket columns the intake fills, one per question (the category has its own)
INTAKE_FIELDS = ("coin", "network", "amount", "tx_hash", "address", "uid", "reward")


@dataclass(frozen=True, slots=True)
class Opened:
    """A ticket as the user is told about it."""

    ticket_id: int
    position: int  # 1 = next in line
    created: bool  # False: the conversation already had this ticket open
    expected_wait: int | None = None  # minutes, from recent first answers; None: unknown
    assignee: str | None = None  # given to this agent at once (round robin)


@dataclass(frozen=True, slots=True)
class Reopened:
    """A resolved ticket the user took up again by writing."""

    position: int
    category: str
    assignee: str | None


@dataclass(frozen=True, slots=True)
class IntakeState:
    """Where a ticket's intake stands: the question awaiting an answer, if any."""

    ticket_id: int
    category: str
    step: str | None
    network: str | None


class TicketStore:
    """The user's side of tickets, and the agents' calls forwarded to their
    repositories; shares the store's transactions."""

    def __init__(self, store: Store, *, round_robin: bool = False) -> None:
        self.store = store
        self.round_robin = round_robin
        self.views = TicketViews(store)
        self.changes = TicketChanges(store)
        self.agents = AgentAdmin(store)

    def __repr__(self) -> str:
        return f"TicketStore(round_robin={self.round_robin})"

    # --- the user's side -----------------------------------------------------------

    async def open(
        self,
        conversation_id: int,
        *,
        category: str,
        summary: str,
        language: str,
        now: datetime,
        priority: int = 2,
        intake_step: str | None = None,
    ) -> Opened:
        """Open a ticket for a conversation, or return the one already open.

        ``intake_step`` is the first question the bot asks (``None``: none)."""
        return await self.store.write(
            self._open,
            conversation_id,
            category,
            summary,
            language,
            now,
            priority,
            intake_step,
            self.round_robin,
        )

    @staticmethod
    def _open(
        conn: Connection,
        conversation_id: int,
        category: str,
        summary: str,
        language: str,
        now: datetime,
        priority: int,
        intake_step: str | None,
        round_robin: bool,
    ) -> Opened:
        existing = conn.execute(
            select(TICKET.c.id).where(
                TICKET.c.conversation_id == conversation_id, TICKET.c.status != "resolved"
            )
        ).scalar()
        created = existing is None
        assignee = None
        if existing is None:
            conv = conn.execute(
                select(CONV.c.channel, CONV.c.chat_id).where(CONV.c.id == conversation_id)
            ).one()
            existing = conn.execute(
                insert(TICKET).returning(TICKET.c.id),
                {
                    "conversation_id": conversation_id,
                    "channel": conv.channel,
                    "chat_id": conv.chat_id,
                    "language": language,
                    "category": category,
                    "priority": priority,
                    "status": "open",
                    "summary": summary[:500],
                    "created_at": now,
                    "intake_step": intake_step,
                },
            ).scalar_one()
            if round_robin:
                assignee = assign_round_robin(conn, existing, 1)
        return Opened(
            existing,
            _queue_position(conn, existing, now),
            created,
            _expected_wait(conn, now),
            assignee,
        )

    async def recently_resolved(self, conversation_id: int, since: datetime) -> int | None:
        """The conversation's ticket resolved at or after ``since`` (the latest), if any:
        the one a user who writes again soon after is still talking about."""
        return await self.store.read(self._recently_resolved, conversation_id, since)

    @staticmethod
    def _recently_resolved(conn: Connection, conversation_id: int, since: datetime) -> int | None:
        return conn.execute(
            select(TICKET.c.id)
            .where(
                TICKET.c.conversation_id == conversation_id,
                TICKET.c.status == "resolved",
                TICKET.c.resolved_at >= since,
            )
            .order_by(TICKET.c.resolved_at.desc(), TICKET.c.id.desc())
            .limit(1)
        ).scalar()

    async def reopen(self, ticket_id: int, now: datetime) -> Reopened | None:
        """Put a resolved ticket back in the queue because its user wrote again (its
        agent keeps it); ``None`` if it is not resolved any more."""
        return await self.store.write(self._reopen, ticket_id, now)

    @staticmethod
    def _reopen(conn: Connection, ticket_id: int, now: datetime) -> Reopened | None:
        done = conn.execute(
            update(TICKET)
            .where(TICKET.c.id == ticket_id, TICKET.c.status == "resolved")
            .values(
                status="open", resolved_at=None, rating=None, snoozed_until=None, intake_step=None
            )
        )
        if done.rowcount != 1:
            return None
        row = conn.execute(
            select(TICKET.c.category, AGENT.c.name)
            .select_from(TICKET.outerjoin(AGENT, AGENT.c.id == TICKET.c.assignee_id))
            .where(TICKET.c.id == ticket_id)
        ).one()
        return Reopened(_queue_position(conn, ticket_id, now), row.category, row.name)

    async def intake(self, ticket_id: int) -> IntakeState | None:
        """Where the ticket's intake stands (``None``: no such ticket)."""
        return await self.store.read(self._intake, ticket_id)

    @staticmethod
    def _intake(conn: Connection, ticket_id: int) -> IntakeState | None:
        row = conn.execute(
            select(TICKET.c.category, TICKET.c.intake_step, TICKET.c.network).where(
                TICKET.c.id == ticket_id
            )
        ).first()
        if row is None:
            return None
        return IntakeState(ticket_id, row.category, row.intake_step, row.network)

    async def record_intake(
        self, ticket_id: int, step: str, value: str | None, following: str | None
    ) -> bool:
        """Store one answer (``None``: skipped) and move to the next question.

        Conditional on the question still awaiting, so an answer handled twice (a
        double tap, a redelivery) is stored once. Like any message from the user, it
        puts a ticket waiting for them back in the queue."""
        return await self.store.write(self._record_intake, ticket_id, step, value, following)

    @staticmethod
    def _record_intake(
        conn: Connection, ticket_id: int, step: str, value: str | None, following: str | None
    ) -> bool:
        values: dict[str, Any] = {"intake_step": following}
        if step == "category":
            values["category"] = value or "other"
        elif step in INTAKE_FIELDS:
            values[step] = value
        done = conn.execute(
            update(TICKET)
            .where(TICKET.c.id == ticket_id, TICKET.c.intake_step == step)
            .values(**values)
        )
        TicketStore._user_wrote(conn, ticket_id)
        return done.rowcount == 1

    async def describe(self, ticket_id: int, words: str, *, replacing: Sequence[str] = ()) -> None:
        """Add the user's own words to the ticket's summary (which replaces a summary in
        ``replacing``: a placeholder such as "the user asked to talk to a person")."""
        await self.store.write(self._describe, ticket_id, words, tuple(replacing))

    @staticmethod
    def _describe(conn: Connection, ticket_id: int, words: str, replacing: tuple[str, ...]) -> None:
        summary = conn.execute(select(TICKET.c.summary).where(TICKET.c.id == ticket_id)).scalar()
        if summary is None:
            return
        text = words if not summary or summary in replacing else f"{summary}\n{words}"
        conn.execute(update(TICKET).where(TICKET.c.id == ticket_id).values(summary=text[:500]))

    async def on_user_message(self, ticket_id: int) -> None:
        """The user wrote while their ticket waited for them: it is open again."""
        await self.store.write(self._user_wrote, ticket_id)

    @staticmethod
    def _user_wrote(conn: Connection, ticket_id: int) -> None:
        conn.execute(
            update(TICKET)
            .where(TICKET.c.id == ticket_id, TICKET.c.status == "pending")
            .values(status="open")
        )
        conn.execute(  # a snoozed ticket is back in the queue when the user writes
            update(TICKET)
            .where(TICKET.c.id == ticket_id, TICKET.c.snoozed_until.is_not(None))
            .values(snoozed_until=None)
        )

    # --- the agents' calls, forwarded ------------------------------------------------

    async def list(
        self, agent: AgentRecord, now: datetime, filters: TicketFilters | None = None
    ) -> builtins.list[TicketRow]:
        """:meth:`storage.ticket_views.TicketViews.list`."""
        return await self.views.list(agent, now, filters)

    async def get(self, ticket_id: int) -> TicketView | None:
        """:meth:`storage.ticket_views.TicketViews.get`."""
        return await self.views.get(ticket_id)

    async def claim(self, ticket_id: int, agent_id: int, tier: int = MAX_TIER) -> bool:
        """:meth:`storage.ticket_changes.TicketChanges.claim`."""
        return await self.changes.claim(ticket_id, agent_id, tier)

    async def reply(self, ticket_id: int, outbound: Sequence[NewOutbound], now: datetime) -> bool:
        """:meth:`storage.ticket_changes.TicketChanges.reply`."""
        return await self.changes.reply(ticket_id, outbound, now)

    async def set_status(
        self, ticket_id: int, status: str, outbound: Sequence[NewOutbound], now: datetime
    ) -> bool:
        """:meth:`storage.ticket_changes.TicketChanges.set_status`."""
        return await self.changes.set_status(ticket_id, status, outbound, now)

    async def update_fields(self, ticket_id: int, **values: Any) -> bool:
        """:meth:`storage.ticket_changes.TicketChanges.update_fields`."""
        return await self.changes.update_fields(ticket_id, **values)

    async def add_agent(
        self, name: str, role: str, token_hash: str, now: datetime, tier: int = 1
    ) -> int:
        """:meth:`storage.agents.AgentAdmin.add`."""
        return await self.agents.add(name, role, token_hash, now, tier)

    async def agent_by_account(self, channel: str, user_id: str) -> AgentRecord | None:
        """:meth:`storage.agents.AgentAdmin.by_account`."""
        return await self.agents.by_account(channel, user_id)

    async def agent_by_name(self, name: str) -> AgentRecord | None:
        """:meth:`storage.agents.AgentAdmin.by_name`."""
        return await self.agents.by_name(name)

    async def link_account(self, name: str, channel: str, user_id: str | None) -> bool:
        """:meth:`storage.agents.AgentAdmin.link_account`."""
        return await self.agents.link_account(name, channel, user_id)


def _queue_position(conn: Connection, ticket_id: int, now: datetime) -> int:
    """Where the ticket stands in the queue agents work through: the unclaimed, awake
    open tickets ahead of it by priority, then by age (an urgent one jumps the line)."""
    priority = conn.execute(select(TICKET.c.priority).where(TICKET.c.id == ticket_id)).scalar_one()
    ahead = conn.execute(
        select(func.count()).where(
            TICKET.c.status == "open",
            TICKET.c.assignee_id.is_(None),
            TICKET.c.snoozed_until.is_(None) | (TICKET.c.snoozed_until <= now),
            (TICKET.c.priority < priority)
            | ((TICKET.c.priority == priority) & (TICKET.c.id < ticket_id)),
        )
    ).scalar_one()
    return ahead + 1


WAIT_SAMPLE = 50  # recent first answers the expected wait is taken from
WAIT_MIN_SAMPLES = 5  # fewer than this: no estimate rather than a guess


def _expected_wait(conn: Connection, now: datetime) -> int | None:
    """Median minutes to a first answer over the last week's recent tickets."""
    rows = conn.execute(
        select(TICKET.c.created_at, TICKET.c.first_response_at)
        .where(
            TICKET.c.first_response_at.is_not(None), TICKET.c.created_at >= now - timedelta(days=7)
        )
        .order_by(TICKET.c.id.desc())
        .limit(WAIT_SAMPLE)
    ).all()
    if len(rows) < WAIT_MIN_SAMPLES:
        return None
    waits = sorted((answered - created).total_seconds() for created, answered in rows)
    return max(1, round(statistics.median(waits) / 60))
