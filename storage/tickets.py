"""Tickets and agents: the people's side of the store.

Every change that the user must hear about (an agent's reply, a resolution) is
enqueued in the outbox in the same transaction as the change itself, like every other
way out of the system. Claims are a conditional update, so of two agents claiming at
once exactly one wins.
"""

from __future__ import annotations

import builtins
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection

from storage.agent_accounts import agent_of_account, link_account
from storage.models import Agent, TicketNote, table_of
from storage.queue import MAX_TIER, TICKET_ROLES, assign_round_robin
from storage.statements import CONV, IDENT, MSG, OUT, TICKET
from storage.store import NewOutbound, Store
from storage.ticket_query import ticket_list

AGENT = table_of(Agent)
NOTE = table_of(TicketNote)

ROLES = ("agent", "supervisor", "manager", "admin")
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


@dataclass(frozen=True, slots=True)
class AgentRecord:
    id: int
    name: str
    role: str
    tier: int = 1

    @property
    def sees_all(self) -> bool:
        """Supervisors and admins see and take every ticket, whatever its tier."""
        return self.role in ("supervisor", "admin")

    @property
    def works_tickets(self) -> bool:
        """Managers send notices, not answers: every other role works tickets."""
        return self.role in TICKET_ROLES

    @property
    def takes_tier(self) -> int:
        """The highest tier of ticket this agent may claim (0: none, a manager)."""
        if not self.works_tickets:
            return 0
        return MAX_TIER if self.sees_all else self.tier

    def may_see(self, ticket: Mapping[str, Any]) -> bool:
        """The rule the queue's list applies, for one ticket: supervisors and admins see
        every ticket; an agent sees their own, and unassigned ones of their tier or
        below; a manager none."""
        if self.sees_all:
            return True
        if not self.works_tickets:
            return False
        if ticket["assignee_id"] is not None:
            return bool(ticket["assignee_id"] == self.id)
        return bool(ticket["tier"] <= self.tier)


class TicketStore:
    """Repository for tickets, agents and notes; shares the store's transactions."""

    def __init__(self, store: Store, *, round_robin: bool = False) -> None:
        self.store = store
        self.round_robin = round_robin

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

    # --- the agents' side ------------------------------------------------------------

    async def list(self, agent: AgentRecord, now: datetime, **filters: Any) -> list[dict[str, Any]]:
        """Tickets the agent may see, by priority then age, a page of ``limit``; filters:
        status (or ``"snoozed"``: only the snoozed ones, which the others leave out),
        category, priority, tier, channel, language, assignee, unassigned, search
        (:mod:`storage.ticket_query`)."""
        return await self.store.read(self._list, agent, now, filters)

    @staticmethod
    def _list(
        conn: Connection, agent: AgentRecord, now: datetime, filters: dict[str, Any]
    ) -> builtins.list[dict[str, Any]]:
        if not agent.works_tickets:
            return []
        result = conn.execute(ticket_list(agent, now, filters))
        keys = list(result.keys())
        return [dict(zip(keys, row, strict=True)) for row in result.all()]

    async def get(self, ticket_id: int) -> dict[str, Any] | None:
        """A ticket with its transcript (redacted at storage) and notes."""
        return await self.store.read(self._get, ticket_id)

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

    @staticmethod
    def _brief(conn: Connection, ticket_id: int) -> dict[str, Any] | None:
        row = conn.execute(
            select(TICKET.c.status, TICKET.c.tier, TICKET.c.assignee_id).where(
                TICKET.c.id == ticket_id
            )
        ).first()
        return dict(row._mapping) if row else None

    async def claim(self, ticket_id: int, agent_id: int, tier: int = MAX_TIER) -> bool:
        """Assign an unassigned, unresolved ticket of tier ``tier`` or below; ``False``
        if someone was first (or the ticket is above the agent's tier)."""
        return await self.store.write(self._claim, ticket_id, agent_id, tier)

    async def try_claim(
        self, ticket_id: int, agent_id: int, tier: int = MAX_TIER
    ) -> tuple[bool, dict[str, Any] | None]:
        """:meth:`claim`, and when refused, the ticket's status, tier and assignee
        (``None``: no such ticket), read in the same transaction: the API says why
        without a second round trip."""
        return await self.store.write(self._try_claim, ticket_id, agent_id, tier)

    @staticmethod
    def _try_claim(
        conn: Connection, ticket_id: int, agent_id: int, tier: int
    ) -> tuple[bool, dict[str, Any] | None]:
        if TicketStore._claim(conn, ticket_id, agent_id, tier):
            return True, None
        return False, TicketStore._brief(conn, ticket_id)

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
        conn.execute(  # a snoozed ticket is back in the queue when the user writes
            update(TICKET)
            .where(TICKET.c.id == ticket_id, TICKET.c.snoozed_until.is_not(None))
            .values(snoozed_until=None)
        )

    # --- agents ----------------------------------------------------------------------

    async def add_agent(
        self, name: str, role: str, token_hash: str, now: datetime, tier: int = 1
    ) -> int:
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}")
        if not 1 <= tier <= MAX_TIER:
            raise ValueError(f"tier must be 1 to {MAX_TIER}")
        return await self.store.write(self._add_agent, name, role, token_hash, now, tier)

    @staticmethod
    def _add_agent(
        conn: Connection, name: str, role: str, token_hash: str, now: datetime, tier: int
    ) -> int:
        return conn.execute(
            insert(AGENT).returning(AGENT.c.id),
            {"name": name, "role": role, "token_hash": token_hash, "created_at": now, "tier": tier},
        ).scalar_one()

    async def agent_by_token_hash(self, token_hash: str) -> AgentRecord | None:
        return await self.store.read(self._agent_by_hash, token_hash)

    @staticmethod
    def _agent_by_hash(conn: Connection, token_hash: str) -> AgentRecord | None:
        row = conn.execute(
            select(AGENT.c.id, AGENT.c.name, AGENT.c.role, AGENT.c.tier).where(
                AGENT.c.token_hash == token_hash, AGENT.c.disabled_at.is_(None)
            )
        ).first()
        return AgentRecord(row.id, row.name, row.role, row.tier) if row else None

    async def agent_by_account(self, channel: str, user_id: str) -> AgentRecord | None:
        """The agent whose account on ``channel`` this is (the staff chat's buttons)."""
        return await self.store.read(self._agent_by_account, channel, user_id)

    @staticmethod
    def _agent_by_account(conn: Connection, channel: str, user_id: str) -> AgentRecord | None:
        agent_id = agent_of_account(conn, channel, user_id)
        if agent_id is None:
            return None
        row = conn.execute(
            select(AGENT.c.id, AGENT.c.name, AGENT.c.role, AGENT.c.tier).where(
                AGENT.c.id == agent_id, AGENT.c.disabled_at.is_(None)
            )
        ).first()
        return AgentRecord(row.id, row.name, row.role, row.tier) if row else None

    async def link_account(self, name: str, channel: str, user_id: str | None) -> bool:
        """Link (or with ``None`` unlink) an agent's account on ``channel``; ``False``:
        no such agent. Raises ``IntegrityError`` if another agent has that account."""
        return await self.store.write(link_account, name, channel, user_id)

    async def sent_action(
        self, channel: str, chat_id: str, platform_message_id: str
    ) -> dict[str, Any] | None:
        """The action the bot sent as ``platform_message_id`` in a chat, if it did:
        staff reply to an announcement, and its buttons say which ticket it was."""
        return await self.store.read(self._sent_action, channel, chat_id, platform_message_id)

    @staticmethod
    def _sent_action(
        conn: Connection, channel: str, chat_id: str, platform_message_id: str
    ) -> dict[str, Any] | None:
        action = conn.execute(
            select(OUT.c.action)
            .where(
                OUT.c.channel == channel,
                OUT.c.chat_id == chat_id,
                OUT.c.platform_message_id == platform_message_id,
                OUT.c.status == "delivered",
            )
            .order_by(OUT.c.id.desc())
        ).first()
        return dict(action[0]) if action else None

    async def agent_by_name(self, name: str) -> AgentRecord | None:
        """The agent called ``name`` (the CLI names who creates and approves notices)."""
        return await self.store.write(self._agent_by_name, name)

    @staticmethod
    def _agent_by_name(conn: Connection, name: str) -> AgentRecord | None:
        row = conn.execute(
            select(AGENT.c.id, AGENT.c.name, AGENT.c.role).where(AGENT.c.name == name)
        ).first()
        return AgentRecord(row.id, row.name, row.role) if row else None


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


class SlaStore:
    """The reads and marks of the SLA sweep (kept apart from the agents' calls)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    async def awaiting_first_response(self, now: datetime) -> list[dict[str, Any]]:
        """Open tickets nobody has answered yet, not breached already and not snoozed
        (an agent who snoozed one decided it may wait)."""
        return await self.store.write(self._awaiting, now)

    @staticmethod
    def _awaiting(conn: Connection, now: datetime) -> list[dict[str, Any]]:
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
