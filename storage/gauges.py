"""Figures counted in the database when ``/metrics`` is scraped: the outbox's depth,
tickets by status, SLA breaches, open incidents.

They describe the shared database, not one process, so every process of a deployment
reports the same values (aggregate them with ``max``, not ``sum``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, inspect, select, text
from sqlalchemy.engine import Connection

from storage.statements import OUT, TICKET

OUTBOX_STATES = ("pending", "sending")  # rows waiting to go out, or going out now
TICKET_STATES = ("open", "pending", "resolved")


@dataclass(frozen=True, slots=True)
class Gauges:
    outbox: dict[str, int] = field(default_factory=dict)  # by status
    tickets: dict[str, int] = field(default_factory=dict)  # by status
    sla_breaches: int = 0  # tickets whose first answer came (or is) later than its target
    open_incidents: int = 0


def read_gauges(conn: Connection) -> Gauges:
    """Every figure, in one connection: a few indexed counts."""
    outbox = dict.fromkeys(OUTBOX_STATES, 0)
    query = select(OUT.c.status, func.count()).where(OUT.c.status.in_(OUTBOX_STATES))
    outbox.update(dict(conn.execute(query.group_by(OUT.c.status)).tuples().all()))
    tickets = dict.fromkeys(TICKET_STATES, 0)
    query = select(TICKET.c.status, func.count()).group_by(TICKET.c.status)
    tickets.update(dict(conn.execute(query).tuples().all()))
    breaches = conn.execute(
        select(func.count()).select_from(TICKET).where(TICKET.c.sla_breached_at.is_not(None))
    ).scalar_one()
    return Gauges(outbox, tickets, breaches, open_incidents(conn))


def open_incidents(conn: Connection) -> int:
    """Incidents not yet resolved; 0 while the database has no ``incidents`` table.

    Kept apart on purpose: it reads the incidents table by name (its ``resolved_at``
    column), so it is the one place to change if that table's shape differs."""
    if not inspect(conn).has_table("incidents"):
        return 0
    return int(
        conn.execute(text("SELECT count(*) FROM incidents WHERE resolved_at IS NULL")).scalar_one()
    )
