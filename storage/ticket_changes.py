"""What agents change on a ticket: claim, answer, resolve or reopen, edit its fields.

Every change that the user must hear about (an agent's reply, a resolution) is
enqueued in the outbox in the same transaction as the change itself, like every other
way out of the system. Claims are a conditional update, so of two agents claiming at
once exactly one wins. The agents' API and the staff desk call these through
:class:`storage.audit.AuditedDesk`, which records who did what in the same
transaction; this class is the unaudited form.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.engine import Connection

from storage.queue import MAX_TIER
from storage.statements import TICKET
from storage.store import NewOutbound, Store
from storage.ticket_records import TicketBrief
from storage.ticket_views import TicketViews


class TicketChanges:
    """Agents' writes to tickets, each one transaction."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def __repr__(self) -> str:
        return "TicketChanges(claim, reply, set_status, update_fields)"

    async def claim(self, ticket_id: int, agent_id: int, tier: int = MAX_TIER) -> bool:
        """Assign an unassigned, unresolved ticket of tier ``tier`` or below; ``False``
        if someone was first (or the ticket is above the agent's tier)."""
        return await self.store.write(self._claim, ticket_id, agent_id, tier)

    @staticmethod
    def _claim(conn: Connection, ticket_id: int, agent_id: int, tier: int) -> bool:
        done = conn.execute(
            update(TICKET)
            .where(
                TICKET.c.id == ticket_id,
                TICKET.c.assignee_id.is_(None),
                TICKET.c.status != "resolved",
                TICKET.c.tier <= tier,
            )
            # a person has the ticket now: the bot's intake questions stop
            .values(assignee_id=agent_id, intake_step=None)
        )
        return done.rowcount == 1

    async def try_claim(
        self, ticket_id: int, agent_id: int, tier: int = MAX_TIER
    ) -> tuple[bool, TicketBrief | None]:
        """:meth:`claim`, and when refused, the ticket's status, tier and assignee
        (``None``: no such ticket), read in the same transaction: the API says why
        without a second round trip."""
        return await self.store.write(self._try_claim, ticket_id, agent_id, tier)

    @staticmethod
    def _try_claim(
        conn: Connection, ticket_id: int, agent_id: int, tier: int
    ) -> tuple[bool, TicketBrief | None]:
        if TicketChanges._claim(conn, ticket_id, agent_id, tier):
            return True, None
        return False, TicketViews._brief(conn, ticket_id)

    async def reply(self, ticket_id: int, outbound: Sequence[NewOutbound], now: datetime) -> bool:
        """Enqueue an agent's reply to the user; refused (``False``) once resolved.

        The ticket's first response is recorded when the reply is delivered (the
        sender's settle), never here: a reply that fails never counts as one.
        """
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
                intake_step=None,  # the agent talks with the user now, not the bot
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
            .values(
                status=status,
                resolved_at=now if status == "resolved" else None,
                rating=None,
                intake_step=None,  # a resolved ticket asks nothing more
            )
        )
        if done.rowcount != 1:
            return False
        Store.add_outbound(conn, outbound, now, None)
        return True

    async def update_fields(self, ticket_id: int, **values: Any) -> bool:
        """Set columns of a ticket by name, unaudited (supervisors' edits go through
        :meth:`storage.audit.AuditedDesk.update_fields`); ``False``: no such ticket."""
        return await self.store.write(self._update_fields, ticket_id, values)

    @staticmethod
    def _update_fields(conn: Connection, ticket_id: int, values: dict[str, Any]) -> bool:
        done = conn.execute(update(TICKET).where(TICKET.c.id == ticket_id).values(**values))
        return done.rowcount == 1
