"""The reads and marks of the SLA sweep, kept apart from the agents' calls.

A mark is conditional on the ticket not being marked yet, and its staff alert is
enqueued in the same transaction, so two sweeps (or a sweep after a crash) alert once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from storage.statements import TICKET
from storage.store import NewOutbound, Store


@dataclass(frozen=True, slots=True)
class AwaitingTicket:
    """An open ticket nobody has answered yet: what the sweep weighs and tells staff."""

    id: int
    category: str
    channel: str
    summary: str
    created_at: datetime
    sla_warned_at: datetime | None


class SlaStore:
    """Tickets awaiting a first answer, and their warning and breach marks."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def __repr__(self) -> str:
        return "SlaStore()"

    async def awaiting_first_response(self, now: datetime) -> list[AwaitingTicket]:
        """Open tickets nobody has answered yet, not breached already and not snoozed
        (an agent who snoozed one decided it may wait)."""
        return await self.store.write(self._awaiting, now)

    @staticmethod
    def _awaiting(conn: Connection, now: datetime) -> list[AwaitingTicket]:
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
            TICKET.c.snoozed_until.is_(None) | (TICKET.c.snoozed_until <= now),
        )
        return [AwaitingTicket(**row._mapping) for row in conn.execute(query)]

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
        values: dict[str, object] = {column.name: now}
        if breached:
            values["priority"] = 1
        done = conn.execute(
            update(TICKET).where(TICKET.c.id == ticket_id, column.is_(None)).values(**values)
        )
        if done.rowcount != 1:
            return False
        Store.add_outbound(conn, outbound, now, None)
        return True
