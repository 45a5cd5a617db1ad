"""Tickets and agents: the people's side of the store.

Every change that the user must hear about (an agent's reply, a resolution) is
enqueued in the outbox in the same transaction as the change itself, like every other
way out of the system. Claims are a conditional update, so of two agents claiming at
once exactly one wins.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection

from storage.models import Agent, TicketNote
from storage.statements import CONV, IDENT, MSG, TICKET
from storage.store import NewOutbound, Store

AGENT = Agent.__table__
NOTE = TicketNote.__table__

ROLES = ("agent", "supervisor", "manager", "admin")


@dataclass(frozen=True, slots=True)
class Opened:
    """A ticket as the user is told about it."""

    ticket_id: int
    position: int  # 1 = next in line
    created: bool  # False: the conversation already had this ticket open
    expected_wait: int | None = None  # minutes, from recent first answers; None: unknown


@dataclass(frozen=True, slots=True)
class AgentRecord:
    id: int
    name: str
    role: str


class TicketStore:
    """Repository for tickets, agents and notes; shares the store's transactions."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def __repr__(self) -> str:
        return "TicketStore()"

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
    ) -> Opened:
        """Open a ticket for a conversation, or return the one already open."""
        return await self.store.write(
            self._open, conversation_id, category, summary, language, now, priority
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
    ) -> Opened:
        existing = conn.execute(
            select(TICKET.c.id).where(
                TICKET.c.conversation_id == conversation_id, TICKET.c.status != "resolved"
            )
        ).scalar()
        created = existing is None
        if created:
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
                },
            ).scalar_one()
        position = conn.execute(
            select(func.count()).where(
                TICKET.c.status == "open", TICKET.c.assignee_id.is_(None), TICKET.c.id <= existing
            )
        ).scalar_one()
        return Opened(existing, max(position, 1), created, _expected_wait(conn, now))

    async def rate(self, ticket_id: int, conversation_id: int, rating: int) -> bool:
        """Record the user's rating of their own resolved ticket (once)."""
        return await self.store.write(self._rate, ticket_id, conversation_id, rating)

    @staticmethod
    def _rate(conn: Connection, ticket_id: int, conversation_id: int, rating: int) -> bool:
        done = conn.execute(
            update(TICKET)
            .where(
                TICKET.c.id == ticket_id,
                TICKET.c.conversation_id == conversation_id,
                TICKET.c.status == "resolved",
                TICKET.c.rating.is_(None),
            )
            .values(rating=rating)
        )
        return done.rowcount == 1

    # --- the agents' side ------------------------------------------------------------

    async def list(self, agent: AgentRecord, **filters: Any) -> list[dict[str, Any]]:
        """Tickets the agent may see, oldest first; filters: status, category,
        priority, channel, language, assignee."""
        return await self.store.write(self._list, agent, filters)

    @staticmethod
    def _list(
        conn: Connection, agent: AgentRecord, filters: dict[str, Any]
    ) -> list[dict[str, Any]]:
        query = select(TICKET).order_by(TICKET.c.priority, TICKET.c.created_at)
        for key in ("status", "category", "priority", "channel", "language"):
            if filters.get(key) is not None:
                query = query.where(TICKET.c[key] == filters[key])
        if filters.get("assignee") is not None:
            query = query.where(TICKET.c.assignee_id == filters["assignee"])
        if agent.role not in ("supervisor", "admin"):  # the open queue and their own tickets
            query = query.where(
                (TICKET.c.assignee_id.is_(None)) | (TICKET.c.assignee_id == agent.id)
            )
        return [dict(r._mapping) for r in conn.execute(query.limit(500))]

    async def get(self, ticket_id: int) -> dict[str, Any] | None:
        """A ticket with its transcript (redacted at storage) and notes."""
        return await self.store.write(self._get, ticket_id)

    @staticmethod
    def _get(conn: Connection, ticket_id: int) -> dict[str, Any] | None:
        row = conn.execute(select(TICKET).where(TICKET.c.id == ticket_id)).first()
        if row is None:
            return None
        ticket = dict(row._mapping)
        ident = conn.execute(
            select(
                IDENT.c.channel, IDENT.c.platform_user_id, IDENT.c.username, IDENT.c.display_name
            )
            .join(CONV, CONV.c.identity_id == IDENT.c.id)
            .where(CONV.c.id == ticket["conversation_id"])
        ).one()
        ticket["user"] = dict(ident._mapping)
        ticket["assignee"] = conn.execute(
            select(AGENT.c.name).where(AGENT.c.id == ticket["assignee_id"])
        ).scalar()
        ticket["transcript"] = [
            dict(r._mapping)
            for r in conn.execute(
                select(MSG.c.direction, MSG.c.sender_id, MSG.c.text, MSG.c.created_at)
                .where(MSG.c.conversation_id == ticket["conversation_id"])
                .order_by(MSG.c.id)
            )
        ]
        ticket["notes"] = [
            dict(r._mapping)
            for r in conn.execute(
                select(NOTE.c.agent_id, NOTE.c.text, NOTE.c.created_at)
                .where(NOTE.c.ticket_id == ticket_id)
                .order_by(NOTE.c.id)
            )
        ]
        return ticket

    async def claim(self, ticket_id: int, agent_id: int) -> bool:
        """Assign an unassigned, unresolved ticket; ``False`` if someone was first."""
        return await self.store.write(self._claim, ticket_id, agent_id)

    @staticmethod
    def _claim(conn: Connection, ticket_id: int, agent_id: int) -> bool:
        done = conn.execute(
            update(TICKET)
            .where(
                TICKET.c.id == ticket_id,
                TICKET.c.assignee_id.is_(None),
                TICKET.c.status != "resolved",
            )
            .values(assignee_id=agent_id)
        )
        return done.rowcount == 1

    async def reply(self, ticket_id: int, outbound: Sequence[NewOutbound], now: datetime) -> bool:
        """Enqueue an agent's reply to the user; refused (``False``) once resolved."""
        return await self.store.write(self._reply, ticket_id, outbound, now)

    @staticmethod
    def _reply(
        conn: Connection, ticket_id: int, outbound: Sequence[NewOutbound], now: datetime
    ) -> bool:
        done = conn.execute(
            update(TICKET)
            .where(TICKET.c.id == ticket_id, TICKET.c.status != "resolved")
            .values(
                status="pending",  # waiting for the user
                first_response_at=func.coalesce(TICKET.c.first_response_at, now),
            )
        )
        if done.rowcount != 1:
            return False
        Store.add_outbound(conn, outbound, now, None)
        return True

    async def set_status(
        self, ticket_id: int, status: str, outbound: Sequence[NewOutbound], now: datetime
    ) -> bool:
        """Resolve or reopen, enqueueing what the user is told in the same transaction."""
        return await self.store.write(self._set_status, ticket_id, status, outbound, now)

    @staticmethod
    def _set_status(
        conn: Connection,
        ticket_id: int,
        status: str,
        outbound: Sequence[NewOutbound],
        now: datetime,
    ) -> bool:
        allowed_from = ("open", "pending") if status == "resolved" else ("resolved",)
        done = conn.execute(
            update(TICKET)
            .where(TICKET.c.id == ticket_id, TICKET.c.status.in_(allowed_from))
            .values(status=status, resolved_at=now if status == "resolved" else None, rating=None)
        )
        if done.rowcount != 1:
            return False
        Store.add_outbound(conn, outbound, now, None)
        return True

    async def update_fields(self, ticket_id: int, **values: Any) -> bool:
        """Change category or priority (supervisors)."""
        return await self.store.write(self._update_fields, ticket_id, values)

    @staticmethod
    def _update_fields(conn: Connection, ticket_id: int, values: dict[str, Any]) -> bool:
        done = conn.execute(update(TICKET).where(TICKET.c.id == ticket_id).values(**values))
        return done.rowcount == 1

    async def add_note(self, ticket_id: int, agent_id: int, text: str, now: datetime) -> None:
        await self.store.write(self._add_note, ticket_id, agent_id, text, now)

    @staticmethod
    def _add_note(
        conn: Connection, ticket_id: int, agent_id: int, text: str, now: datetime
    ) -> None:
        conn.execute(
            insert(NOTE),
            {"ticket_id": ticket_id, "agent_id": agent_id, "text": text, "created_at": now},
        )

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

    # --- agents ----------------------------------------------------------------------

    async def add_agent(self, name: str, role: str, token_hash: str, now: datetime) -> int:
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}")
        return await self.store.write(self._add_agent, name, role, token_hash, now)

    @staticmethod
    def _add_agent(conn: Connection, name: str, role: str, token_hash: str, now: datetime) -> int:
        return conn.execute(
            insert(AGENT).returning(AGENT.c.id),
            {"name": name, "role": role, "token_hash": token_hash, "created_at": now},
        ).scalar_one()

    async def agent_by_token_hash(self, token_hash: str) -> AgentRecord | None:
        return await self.store.write(self._agent_by_hash, token_hash)

    @staticmethod
    def _agent_by_hash(conn: Connection, token_hash: str) -> AgentRecord | None:
        row = conn.execute(
            select(AGENT.c.id, AGENT.c.name, AGENT.c.role).where(AGENT.c.token_hash == token_hash)
        ).first()
        return AgentRecord(row.id, row.name, row.role) if row else None

    async def agent_by_name(self, name: str) -> AgentRecord | None:
        """The agent called ``name`` (the CLI names who creates and approves notices)."""
        return await self.store.write(self._agent_by_name, name)

    @staticmethod
    def _agent_by_name(conn: Connection, name: str) -> AgentRecord | None:
        row = conn.execute(
            select(AGENT.c.id, AGENT.c.name, AGENT.c.role).where(AGENT.c.name == name)
        ).first()
        return AgentRecord(row.id, row.name, row.role) if row else None


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


class SlaStore:
    """The reads and marks of the SLA sweep (kept apart from the agents' calls)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    async def awaiting_first_response(self) -> list[dict[str, Any]]:
        """Open tickets nobody has answered yet and that have not breached already."""
        return await self.store.write(self._awaiting)

    @staticmethod
    def _awaiting(conn: Connection) -> list[dict[str, Any]]:
        query = select(
            TICKET.c.id,
            TICKET.c.category,
            TICKET.c.channel,
            TICKET.c.summary,
            TICKET.c.created_at,
            TICKET.c.sla_warned_at,
        ).where(
            TICKET.c.status == "open",
            TICKET.c.first_response_at.is_(None),
            TICKET.c.sla_breached_at.is_(None),
        )
        return [dict(r._mapping) for r in conn.execute(query)]

    async def mark(
        self, ticket_id: int, breached: bool, outbound: Sequence[NewOutbound], now: datetime
    ) -> bool:
        """Record a warning or a breach (a breach makes the ticket urgent) and enqueue the
        staff alert in the same transaction; ``False`` if it was marked already."""
        return await self.store.write(self._mark, ticket_id, breached, outbound, now)

    @staticmethod
    def _mark(
        conn: Connection,
        ticket_id: int,
        breached: bool,
        outbound: Sequence[NewOutbound],
        now: datetime,
    ) -> bool:
        column = TICKET.c.sla_breached_at if breached else TICKET.c.sla_warned_at
        values: dict[str, Any] = {column.name: now}
        if breached:
            values["priority"] = 1
        done = conn.execute(
            update(TICKET).where(TICKET.c.id == ticket_id, column.is_(None)).values(**values)
        )
        if done.rowcount != 1:
            return False
        Store.add_outbound(conn, outbound, now, None)
        return True
