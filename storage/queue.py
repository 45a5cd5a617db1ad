"""Queue rules: snoozing, support tiers and round-robin assignment.

The queue an agent sees is the unassigned, unsnoozed tickets of their tier or below,
plus their own. A snoozed ticket stays out of it until its time (or until the user
writes); an escalated ticket goes to the next tier's queue, unassigned; with round robin
on, a ticket is given at once to the next online agent of a high enough tier, in turn.
Each assignment is one conditional statement, so concurrent calls cannot assign a
ticket twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.engine import Connection

from storage.models import Agent, table_of
from storage.notes import add_note
from storage.statements import TICKET
from storage.store import NewOutbound, Store

AGENT = table_of(Agent)
MAX_TIER = 3
TICKET_ROLES = ("agent", "supervisor", "admin")  # who works tickets; managers send notices


def assign_round_robin(conn: Connection, ticket_id: int, tier: int) -> str | None:
    """Give an unassigned ticket to the online agent of tier ``tier`` or above whose
    turn it is (the lowest turn number; it then moves behind everyone's); returns their
    name, ``None`` if nobody is online. Runs inside the caller's transaction (the
    ticket's opening or escalation)."""
    row = conn.execute(
        select(AGENT.c.id, AGENT.c.name)
        .where(AGENT.c.online.is_(True), AGENT.c.tier >= tier, AGENT.c.role.in_(TICKET_ROLES))
        .order_by(AGENT.c.round_robin_turn, AGENT.c.id)
        .limit(1)
    ).first()
    if row is None:
        return None
    done = conn.execute(
        update(TICKET)
        .where(TICKET.c.id == ticket_id, TICKET.c.assignee_id.is_(None))
        .values(assignee_id=row.id)
    )
    if done.rowcount != 1:
        return None
    last = conn.execute(select(func.max(AGENT.c.round_robin_turn))).scalar() or 0
    conn.execute(update(AGENT).where(AGENT.c.id == row.id).values(round_robin_turn=last + 1))
    return str(row.name)


class QueueStore:
    """Snooze, escalation and presence; shares the store's transactions."""

    def __init__(self, store: Store, *, round_robin: bool = False) -> None:
        self.store = store
        self.round_robin = round_robin

    def __repr__(self) -> str:
        return f"QueueStore(round_robin={self.round_robin})"

    async def snooze(self, ticket_id: int, until: datetime | None) -> bool:
        """Hide an unresolved ticket from the queue until ``until`` (``None``: show it
        again now); ``False`` if there is no such unresolved ticket."""
        return await self.store.write(self._snooze, ticket_id, until)

    @staticmethod
    def _snooze(conn: Connection, ticket_id: int, until: datetime | None) -> bool:
        done = conn.execute(
            update(TICKET)
            .where(TICKET.c.id == ticket_id, TICKET.c.status != "resolved")
            .values(snoozed_until=until)
        )
        return done.rowcount == 1

    async def escalate(
        self,
        ticket_id: int,
        agent_id: int,
        note: str,
        outbound: Sequence[NewOutbound],
        now: datetime,
    ) -> tuple[int, str | None] | None:
        """Move a ticket up one tier, back to that tier's queue (or, with round robin,
        to an online agent of it), with ``note`` on the ticket; the staff alert is
        enqueued in the same transaction. Returns the new tier and the new assignee,
        ``None`` if the ticket is resolved or at the top tier already."""
        return await self.store.write(
            self._escalate, ticket_id, agent_id, note, outbound, now, self.round_robin
        )

    @staticmethod
    def _escalate(
        conn: Connection,
        ticket_id: int,
        agent_id: int,
        note: str,
        outbound: Sequence[NewOutbound],
        now: datetime,
        round_robin: bool,
    ) -> tuple[int, str | None] | None:
        tier = conn.execute(
            update(TICKET)
            .where(
                TICKET.c.id == ticket_id,
                TICKET.c.status != "resolved",
                TICKET.c.tier < MAX_TIER,
            )
            .values(tier=TICKET.c.tier + 1, assignee_id=None, status="open", snoozed_until=None)
            .returning(TICKET.c.tier)
        ).scalar()
        if tier is None:
            return None
        add_note(conn, ticket_id, agent_id, note, now)
        assignee = assign_round_robin(conn, ticket_id, tier) if round_robin else None
        Store.add_outbound(conn, outbound, now, None)
        return tier, assignee

    async def set_online(self, agent_id: int, online: bool) -> None:
        """An agent starts or stops taking tickets (round robin picks among the online)."""
        await self.store.write(self._set_online, agent_id, online)

    @staticmethod
    def _set_online(conn: Connection, agent_id: int, online: bool) -> None:
        conn.execute(update(AGENT).where(AGENT.c.id == agent_id).values(online=online))
