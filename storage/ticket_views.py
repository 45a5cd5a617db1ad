"""What agents read of tickets: the queue's list and one ticket with its transcript.

Reads only; every change is a write of :mod:`storage.ticket_changes` (or its audited
form, :mod:`storage.audit`). The transcript is the stored text, redacted before it was
ever written.
"""

from __future__ import annotations

import builtins
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.engine import Connection

from storage.agents import AGENT, AgentRecord
from storage.notes import notes_of
from storage.statements import CONV, IDENT, MSG, TICKET
from storage.store import Store
from storage.ticket_query import ticket_list
from storage.ticket_records import (
    TicketBrief,
    TicketFilters,
    TicketRow,
    TicketUser,
    TicketView,
    TranscriptLine,
    ticket_row,
)


def transcript(
    conn: Connection, conversation_id: int, tail: int | None = None
) -> tuple[TranscriptLine, ...]:
    """A conversation's messages, oldest first; with ``tail``, only the last so many."""
    query = select(MSG.c.direction, MSG.c.sender_id, MSG.c.text, MSG.c.created_at).where(
        MSG.c.conversation_id == conversation_id
    )
    if tail is None:
        rows = list(conn.execute(query.order_by(MSG.c.id)))
    else:
        rows = list(conn.execute(query.order_by(MSG.c.id.desc()).limit(tail)))[::-1]
    return tuple(TranscriptLine(**row._mapping) for row in rows)


class TicketViews:
    """Reads of tickets for agents; shares the store's transactions."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def __repr__(self) -> str:
        return "TicketViews(list, get)"

    async def list(
        self, agent: AgentRecord, now: datetime, filters: TicketFilters | None = None
    ) -> list[TicketRow]:
        """Tickets the agent may see, by priority then age, one page
        (:class:`TicketFilters`); nothing for an agent who works no tickets."""
        return await self.store.read(self._list, agent, now, filters or TicketFilters())

    @staticmethod
    def _list(
        conn: Connection, agent: AgentRecord, now: datetime, filters: TicketFilters
    ) -> builtins.list[TicketRow]:
        if not agent.works_tickets:
            return []
        return [ticket_row(row) for row in conn.execute(ticket_list(agent, now, filters))]

    async def get(self, ticket_id: int) -> TicketView | None:
        """A ticket with its user, agent, transcript and notes (``None``: no such one)."""
        return await self.store.read(self._get, ticket_id)

    @staticmethod
    def _get(conn: Connection, ticket_id: int) -> TicketView | None:
        row = conn.execute(select(TICKET).where(TICKET.c.id == ticket_id)).first()
        if row is None:
            return None
        ident = conn.execute(
            select(
                IDENT.c.channel, IDENT.c.platform_user_id, IDENT.c.username, IDENT.c.display_name
            )
            .join(CONV, CONV.c.identity_id == IDENT.c.id)
            .where(CONV.c.id == row.conversation_id)
        ).one()
        assignee = conn.execute(select(AGENT.c.name).where(AGENT.c.id == row.assignee_id)).scalar()
        return TicketView(
            **row._mapping,
            user=TicketUser(**ident._mapping),
            assignee=assignee,
            transcript=transcript(conn, row.conversation_id),
            notes=notes_of(conn, ticket_id),
        )

    @staticmethod
    def _brief(conn: Connection, ticket_id: int) -> TicketBrief | None:
        row = conn.execute(
            select(TICKET.c.status, TICKET.c.tier, TICKET.c.assignee_id).where(
                TICKET.c.id == ticket_id
            )
        ).first()
        return TicketBrief(row.status, row.tier, row.assignee_id) if row else None
