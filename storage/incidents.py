"""Incidents: opened, matched, their affected users, linked tickets, and resolution.

Resolution and its follow-ups are one transaction: the incident turns resolved, every
affected user not yet told gets an outbox row and is marked told. Resolving twice, or
after a crash, therefore tells nobody twice, and nobody is forgotten.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection

from storage.models import Incident, IncidentTicket, IncidentUser, Surge, table_of
from storage.statements import TICKET
from storage.store import NewOutbound, Store

INC = table_of(Incident)
AFFECTED = table_of(IncidentUser)
LINKED = table_of(IncidentTicket)
SURGE = table_of(Surge)
MAX_LIST = 200


@dataclass(frozen=True, slots=True)
class OpenIncident:
    """What the router stage needs of an open incident."""

    id: int
    title: str
    texts: dict[str, str]
    faqs: tuple[str, ...]
    networks: tuple[str, ...]
    coins: tuple[str, ...]

    def text(self, language: str) -> str:
        return self.texts.get(language) or self.texts["en"]


@dataclass(frozen=True, slots=True)
class Affected:
    """A user to follow up with: where they wrote from, in which language."""

    conversation_id: int
    channel: str
    chat_id: str
    language: str


@dataclass(frozen=True, slots=True)
class IncidentSummary:
    """An incident as supervisors list it: its fields, how many users it reached
    (``affected``) and has told of its end (``notified``), and its linked tickets."""

    id: int
    title: str
    texts: dict[str, str]
    faqs: tuple[str, ...]
    networks: tuple[str, ...]
    coins: tuple[str, ...]
    status: str
    opened_by: str
    opened_at: datetime
    resolved_by: str | None
    resolved_at: datetime | None
    affected: int
    notified: int
    tickets: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class UnresolvedTicket:
    """A ticket an incident may cover: where its user is, what they said, and what
    the intake learnt of the transfer."""

    id: int
    conversation_id: int
    channel: str
    chat_id: str
    language: str
    summary: str
    network: str | None
    coin: str | None


FollowUp = Callable[[Affected], list[NewOutbound]]


class IncidentStore:
    """Reads and writes of incidents; each write is one transaction."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def __repr__(self) -> str:
        return "IncidentStore()"

    async def open(
        self,
        *,
        title: str,
        texts: dict[str, str],
        faqs: Sequence[str],
        networks: Sequence[str],
        coins: Sequence[str],
        by: str,
        now: datetime,
        surge_id: int | None = None,
    ) -> tuple[int, bool]:
        """A new incident's id and ``True``; from a surge that has one already, that
        one's id and ``False`` (two supervisors pressing the same alert open one)."""
        values = {
            "title": title,
            "texts": dict(texts),
            "faqs": list(faqs),
            "networks": list(networks),
            "coins": list(coins),
            "status": "open",
            "opened_by": by,
            "opened_at": now,
        }
        return await self.store.write(self._insert, values, surge_id)

    @staticmethod
    def _insert(conn: Connection, values: dict[str, Any], surge_id: int | None) -> tuple[int, bool]:
        if surge_id is not None:
            known = conn.execute(select(SURGE.c.incident_id).where(SURGE.c.id == surge_id)).scalar()
            if known is not None:
                return int(known), False
        incident_id = int(conn.execute(insert(INC).returning(INC.c.id), values).scalar_one())
        if surge_id is not None:
            conn.execute(
                update(SURGE).where(SURGE.c.id == surge_id).values(incident_id=incident_id)
            )
        return incident_id, True

    async def open_incidents(self) -> list[OpenIncident]:
        """The open incidents, oldest first (the first that matches answers)."""
        return await self.store.read(self._open_incidents)

    @staticmethod
    def _open_incidents(conn: Connection) -> list[OpenIncident]:
        rows = conn.execute(select(INC).where(INC.c.status == "open").order_by(INC.c.id))
        return [
            OpenIncident(
                r.id,
                r.title,
                dict(r.texts),
                tuple(r.faqs),
                tuple(r.networks),
                tuple(r.coins),
            )
            for r in rows
        ]

    async def recent(self, status: str | None = None) -> list[IncidentSummary]:
        """Incidents newest first, with how many users each reached and its tickets."""
        return await self.store.read(self._list, status)

    @staticmethod
    def _list(conn: Connection, status: str | None) -> list[IncidentSummary]:
        query = select(INC).order_by(INC.c.id.desc()).limit(MAX_LIST)
        if status is not None:
            query = query.where(INC.c.status == status)
        incidents = conn.execute(query).all()
        ids = [i.id for i in incidents]
        counts = {
            r.incident_id: (r.affected, r.notified)
            for r in conn.execute(
                select(
                    AFFECTED.c.incident_id,
                    func.count().label("affected"),
                    func.count(AFFECTED.c.notified_at).label("notified"),
                )
                .where(AFFECTED.c.incident_id.in_(ids))
                .group_by(AFFECTED.c.incident_id)
            )
        }
        tickets: dict[int, list[int]] = {}
        for r in conn.execute(
            select(LINKED.c.incident_id, LINKED.c.ticket_id)
            .where(LINKED.c.incident_id.in_(ids))
            .order_by(LINKED.c.ticket_id)
        ):
            tickets.setdefault(r.incident_id, []).append(r.ticket_id)
        summaries = []
        for r in incidents:
            affected, notified = counts.get(r.id, (0, 0))
            summaries.append(
                IncidentSummary(
                    r.id,
                    r.title,
                    dict(r.texts),
                    tuple(r.faqs),
                    tuple(r.networks),
                    tuple(r.coins),
                    r.status,
                    r.opened_by,
                    r.opened_at,
                    r.resolved_by,
                    r.resolved_at,
                    affected,
                    notified,
                    tuple(tickets.get(r.id, ())),
                )
            )
        return summaries

    async def status(self, incident_id: int) -> str | None:
        """``open``, ``resolved``, or ``None`` for no such incident."""
        return await self.store.read(self._status, incident_id)

    @staticmethod
    def _status(conn: Connection, incident_id: int) -> str | None:
        return conn.execute(select(INC.c.status).where(INC.c.id == incident_id)).scalar()

    async def affect(self, incident_id: int, user: Affected, now: datetime) -> bool:
        """Record ``user`` as affected, once, while the incident is open; ``True``
        when this is new."""
        return await self.store.write(self._affect, incident_id, user, now)

    @staticmethod
    def _affect(conn: Connection, incident_id: int, user: Affected, now: datetime) -> bool:
        if IncidentStore._status(conn, incident_id) != "open":
            return False
        known = conn.execute(
            select(AFFECTED.c.id).where(
                AFFECTED.c.incident_id == incident_id,
                AFFECTED.c.conversation_id == user.conversation_id,
            )
        ).first()
        if known is not None:
            return False
        conn.execute(
            insert(AFFECTED),
            {
                "incident_id": incident_id,
                "conversation_id": user.conversation_id,
                "channel": user.channel,
                "chat_id": user.chat_id,
                "language": user.language,
                "affected_at": now,
            },
        )
        return True

    async def link_ticket(self, incident_id: int, ticket_id: int, now: datetime) -> bool:
        """Link an open ticket to the incident, once; ``True`` when this is new."""
        return await self.store.write(self._link, incident_id, ticket_id, now)

    @staticmethod
    def _link(conn: Connection, incident_id: int, ticket_id: int, now: datetime) -> bool:
        known = conn.execute(
            select(LINKED.c.id).where(
                LINKED.c.incident_id == incident_id, LINKED.c.ticket_id == ticket_id
            )
        ).first()
        if known is not None:
            return False
        conn.execute(
            insert(LINKED), {"incident_id": incident_id, "ticket_id": ticket_id, "linked_at": now}
        )
        return True

    async def open_tickets(self) -> list[UnresolvedTicket]:
        """Tickets not resolved yet, with what the intake learnt of the transfer."""
        return await self.store.read(self._open_tickets)

    @staticmethod
    def _open_tickets(conn: Connection) -> list[UnresolvedTicket]:
        query = select(
            TICKET.c.id,
            TICKET.c.conversation_id,
            TICKET.c.channel,
            TICKET.c.chat_id,
            TICKET.c.language,
            TICKET.c.summary,
            TICKET.c.network,
            TICKET.c.coin,
        ).where(TICKET.c.status != "resolved")
        rows = conn.execute(query.order_by(TICKET.c.id))
        return [UnresolvedTicket(**r._mapping) for r in rows]

    async def ticket_transfer(self, ticket_id: int) -> tuple[str | None, str | None]:
        """The network and coin a ticket's intake recorded."""
        return await self.store.read(self._transfer, ticket_id)

    @staticmethod
    def _transfer(conn: Connection, ticket_id: int) -> tuple[str | None, str | None]:
        row = conn.execute(
            select(TICKET.c.network, TICKET.c.coin).where(TICKET.c.id == ticket_id)
        ).first()
        return (row.network, row.coin) if row is not None else (None, None)

    async def resolve(
        self, incident_id: int, by: str, now: datetime, follow_up: FollowUp
    ) -> int | None:
        """Resolve and enqueue each affected user's follow-up in one transaction; the
        number of users told, or ``None`` when the incident was not open."""
        return await self.store.write(self._resolve, incident_id, by, now, follow_up)

    @staticmethod
    def _resolve(
        conn: Connection, incident_id: int, by: str, now: datetime, follow_up: FollowUp
    ) -> int | None:
        done = conn.execute(
            update(INC)
            .where(INC.c.id == incident_id, INC.c.status == "open")
            .values(status="resolved", resolved_by=by, resolved_at=now)
        )
        if done.rowcount != 1:
            return None
        waiting = [
            (r.id, Affected(r.conversation_id, r.channel, r.chat_id, r.language))
            for r in conn.execute(
                select(AFFECTED)
                .where(AFFECTED.c.incident_id == incident_id, AFFECTED.c.notified_at.is_(None))
                .order_by(AFFECTED.c.id)
            )
        ]
        rows = [row for _, user in waiting for row in follow_up(user)]
        Store.add_outbound(conn, rows, now, None)
        if waiting:
            conn.execute(
                update(AFFECTED)
                .where(AFFECTED.c.id.in_([i for i, _ in waiting]))
                .values(notified_at=now)
            )
        return len(waiting)
