"""The audit log: what each agent did to a ticket, written with the change itself.

Each agent-facing ticket operation (claim, answer, note, resolve, reopen, snooze,
escalate, a changed field) runs here as one transaction that makes the change, reads
what the field held before, and records who did it, from what to what. A refused
change (someone claimed first, the ticket is resolved) records nothing, and a
recorded one cannot be missing from the log: there is no window between the two.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection

from storage.agents import AGENT, AgentRecord
from storage.models import AgentAction, table_of
from storage.notes import add_note
from storage.queue import QueueStore
from storage.statements import TICKET
from storage.store import NewOutbound, Store
from storage.ticket_changes import TicketChanges
from storage.ticket_records import TicketBrief, TicketFields

AUDIT = table_of(AgentAction)
VIA_API = "api"  # the REST API, and the console built on it
VIA_STAFF_CHAT = "staff_chat"
HISTORY_LIMIT = 500  # entries shown with a ticket, oldest first


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One recorded act: who, what (``field`` changed from ``old_value`` to
    ``new_value``, each as text), through which desk, when."""

    agent_name: str
    action: str
    field: str | None
    old_value: str | None
    new_value: str | None
    via: str
    created_at: datetime


def record(
    conn: Connection,
    ticket_id: int,
    agent: AgentRecord,
    action: str,
    now: datetime,
    via: str,
    changes: Sequence[tuple[str | None, Any, Any]] = (),
) -> None:
    """Write one entry per changed field (``(field, old, new)``), or one without a
    field when nothing but the act itself is recorded (answered, noted)."""
    rows = [
        {
            "ticket_id": ticket_id,
            "agent_id": agent.id,
            "agent_name": agent.name,
            "action": action,
            "field": field,
            "old_value": _shown(old),
            "new_value": _shown(new),
            "via": via,
            "created_at": now,
        }
        for field, old, new in (changes or [(None, None, None)])
    ]
    conn.execute(insert(AUDIT), rows)


def _shown(value: Any) -> str | None:
    if value is None:
        return None
    text = value.isoformat() if isinstance(value, datetime) else str(value)
    return text[:200]


def _before(conn: Connection, ticket_id: int, *columns: str) -> dict[str, Any] | None:
    """The ticket's values before the change, locked until the transaction ends (on
    PostgreSQL; SQLite has one writer), so the "from" is what the change replaced."""
    query = select(*(TICKET.c[c] for c in columns)).where(TICKET.c.id == ticket_id)
    row = conn.execute(query.with_for_update()).first()
    return dict(row._mapping) if row else None


def _agent_name(conn: Connection, agent_id: int | None) -> str | None:
    if agent_id is None:
        return None
    return conn.execute(select(AGENT.c.name).where(AGENT.c.id == agent_id)).scalar()


class AuditedDesk:
    """The agents' ticket operations, each audited in its own transaction."""

    def __init__(self, store: Store, *, round_robin: bool = False, via: str = VIA_API) -> None:
        self.store = store
        self.round_robin = round_robin
        self.via = via

    def __repr__(self) -> str:
        return f"AuditedDesk(via={self.via})"

    async def history(self, ticket_id: int) -> list[AuditEntry]:
        """The ticket's audit entries, oldest first."""
        return await self.store.read(self._history, ticket_id)

    @staticmethod
    def _history(conn: Connection, ticket_id: int) -> list[AuditEntry]:
        columns = AuditEntry.__dataclass_fields__
        query = (
            select(*(AUDIT.c[c] for c in columns))
            .where(AUDIT.c.ticket_id == ticket_id)
            .order_by(AUDIT.c.id)
            .limit(HISTORY_LIMIT)
        )
        return [AuditEntry(**row._mapping) for row in conn.execute(query)]

    async def claim(
        self, ticket_id: int, agent: AgentRecord, now: datetime
    ) -> tuple[bool, TicketBrief | None]:
        """:meth:`TicketChanges.try_claim`, recorded when it wins."""
        return await self.store.write(self._claim, ticket_id, agent, now, self.via)

    @staticmethod
    def _claim(
        conn: Connection, ticket_id: int, agent: AgentRecord, now: datetime, via: str
    ) -> tuple[bool, TicketBrief | None]:
        won, brief = TicketChanges._try_claim(conn, ticket_id, agent.id, agent.takes_tier)
        if won:
            record(conn, ticket_id, agent, "claimed", now, via, [("assignee", None, agent.name)])
        return won, brief

    async def reply(
        self, ticket_id: int, agent: AgentRecord, outbound: Sequence[NewOutbound], now: datetime
    ) -> bool:
        """:meth:`TicketChanges.reply` (the answer itself is in the transcript)."""
        return await self.store.write(self._reply, ticket_id, agent, outbound, now, self.via)

    @staticmethod
    def _reply(
        conn: Connection,
        ticket_id: int,
        agent: AgentRecord,
        outbound: Sequence[NewOutbound],
        now: datetime,
        via: str,
    ) -> bool:
        done = TicketChanges._reply(conn, ticket_id, outbound, now)
        if done:
            record(conn, ticket_id, agent, "answered", now, via)
        return done

    async def note(self, ticket_id: int, agent: AgentRecord, text: str, now: datetime) -> None:
        await self.store.write(self._note, ticket_id, agent, text, now, self.via)

    @staticmethod
    def _note(
        conn: Connection, ticket_id: int, agent: AgentRecord, text: str, now: datetime, via: str
    ) -> None:
        add_note(conn, ticket_id, agent.id, text, now)
        record(conn, ticket_id, agent, "noted", now, via)

    async def set_status(
        self,
        ticket_id: int,
        agent: AgentRecord,
        status: str,
        outbound: Sequence[NewOutbound],
        now: datetime,
    ) -> bool:
        """Resolve or reopen (:meth:`TicketChanges.set_status`), recorded from what to
        what."""
        return await self.store.write(
            self._set_status, ticket_id, agent, status, outbound, now, self.via
        )

    @staticmethod
    def _set_status(
        conn: Connection,
        ticket_id: int,
        agent: AgentRecord,
        status: str,
        outbound: Sequence[NewOutbound],
        now: datetime,
        via: str,
    ) -> bool:
        before = _before(conn, ticket_id, "status")
        if not TicketChanges._set_status(conn, ticket_id, status, outbound, now):
            return False
        assert before is not None
        action = "resolved" if status == "resolved" else "reopened"
        record(conn, ticket_id, agent, action, now, via, [("status", before["status"], status)])
        return True

    async def update_fields(
        self, ticket_id: int, agent: AgentRecord, fields: TicketFields, now: datetime
    ) -> bool:
        """Change category, priority or tier; one entry per field that changed."""
        return await self.store.write(self._update_fields, ticket_id, agent, fields, now, self.via)

    @staticmethod
    def _update_fields(
        conn: Connection,
        ticket_id: int,
        agent: AgentRecord,
        fields: TicketFields,
        now: datetime,
        via: str,
    ) -> bool:
        values = fields.given()
        before = _before(conn, ticket_id, *values)
        if before is None or not TicketChanges._update_fields(conn, ticket_id, values):
            return False
        changes = [(k, before[k], v) for k, v in values.items() if before[k] != v]
        if changes:
            record(conn, ticket_id, agent, "changed", now, via, changes)
        return True

    async def snooze(
        self, ticket_id: int, agent: AgentRecord, until: datetime | None, now: datetime
    ) -> bool:
        """:meth:`QueueStore.snooze`; ``until=None`` is recorded as unsnoozed."""
        return await self.store.write(self._snooze, ticket_id, agent, until, now, self.via)

    @staticmethod
    def _snooze(
        conn: Connection,
        ticket_id: int,
        agent: AgentRecord,
        until: datetime | None,
        now: datetime,
        via: str,
    ) -> bool:
        before = _before(conn, ticket_id, "snoozed_until")
        if not QueueStore._snooze(conn, ticket_id, until):
            return False
        assert before is not None
        old = before["snoozed_until"]
        if old is not None and old <= now:
            old = None  # a snooze that ran out hid nothing any more
        action = "snoozed" if until is not None else "unsnoozed"
        record(conn, ticket_id, agent, action, now, via, [("snoozed_until", old, until)])
        return True

    async def escalate(
        self,
        ticket_id: int,
        agent: AgentRecord,
        note: str,
        outbound: Sequence[NewOutbound],
        now: datetime,
    ) -> tuple[int, str | None] | None:
        """:meth:`QueueStore.escalate`, recorded as the tier it left and reached."""
        return await self.store.write(
            self._escalate, ticket_id, agent, note, outbound, now, self.round_robin, self.via
        )

    @staticmethod
    def _escalate(
        conn: Connection,
        ticket_id: int,
        agent: AgentRecord,
        note: str,
        outbound: Sequence[NewOutbound],
        now: datetime,
        round_robin: bool,
        via: str,
    ) -> tuple[int, str | None] | None:
        before = _before(conn, ticket_id, "tier", "assignee_id")
        done = QueueStore._escalate(conn, ticket_id, agent.id, note, outbound, now, round_robin)
        if done is None:
            return None
        assert before is not None
        changes: list[tuple[str | None, Any, Any]] = [("tier", before["tier"], done[0])]
        old_assignee = _agent_name(conn, before["assignee_id"])
        if old_assignee != done[1]:
            changes.append(("assignee", old_assignee, done[1]))
        record(conn, ticket_id, agent, "escalated", now, via, changes)
        return done
