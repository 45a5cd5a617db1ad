"""Agents' internal notes on a ticket: written by the desk (a note, an escalation's
reason), read with the ticket. The user never sees them.

A note is always part of a larger change (its audit entry, an escalation), so these
run inside the caller's transaction rather than opening their own.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection

from storage.models import TicketNote, table_of
from storage.ticket_records import NoteLine

NOTE = table_of(TicketNote)


def add_note(conn: Connection, ticket_id: int, agent_id: int, text: str, now: datetime) -> None:
    """Write one note inside the caller's transaction (an audited note, an escalation)."""
    conn.execute(
        insert(NOTE),
        {"ticket_id": ticket_id, "agent_id": agent_id, "text": text, "created_at": now},
    )


def notes_of(conn: Connection, ticket_id: int) -> tuple[NoteLine, ...]:
    """The ticket's notes, oldest first."""
    query = (
        select(NOTE.c.agent_id, NOTE.c.text, NOTE.c.created_at)
        .where(NOTE.c.ticket_id == ticket_id)
        .order_by(NOTE.c.id)
    )
    return tuple(NoteLine(**row._mapping) for row in conn.execute(query))
