"""Agents and their tokens: who exists, who a token or a staff-chat account is, and
taking a token away.

A token is stored only as its hash, so "rotate" writes a new hash (the old token then
matches no row) and "disable" marks the agent; the token lookup and the staff chat's
account lookup skip disabled agents, and neither is cached, so either change holds
from the next request in every process that shares the database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from storage.agent_accounts import accounts_of, agent_of_account, link_account
from storage.models import Agent, table_of
from storage.queue import MAX_TIER, TICKET_ROLES
from storage.store import Store

AGENT = table_of(Agent)
ROLES = ("agent", "supervisor", "manager", "admin")


class Placed(Protocol):
    """Where a ticket stands for the visibility rule: whose it is, and its tier."""

    @property
    def assignee_id(self) -> int | None: ...

    @property
    def tier(self) -> int: ...


@dataclass(frozen=True, slots=True)
class AgentRecord:
    """The caller of an API request or a staff-chat button: what their rights hang on."""

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

    def may_see(self, ticket: Placed) -> bool:
        """The rule the queue's list applies, for one ticket: supervisors and admins see
        every ticket; an agent sees their own, and unassigned ones of their tier or
        below; a manager none."""
        if self.sees_all:
            return True
        if not self.works_tickets:
            return False
        if ticket.assignee_id is not None:
            return ticket.assignee_id == self.id
        return ticket.tier <= self.tier


@dataclass(frozen=True, slots=True)
class AgentRow:
    """An agent as admins list them (``accounts``: channel -> account id); never a
    token or its hash."""

    id: int
    name: str
    role: str
    tier: int
    online: bool
    created_at: datetime
    disabled_at: datetime | None
    token_rotated_at: datetime | None
    disabled: bool
    accounts: Mapping[str, str]


_ACTIVE = (AGENT.c.id, AGENT.c.name, AGENT.c.role, AGENT.c.tier)


class AgentAdmin:
    """Agents and tokens: add, look up (by token hash, staff-chat account, name), link
    accounts, list, disable and re-key (``socialdesk agents``, ``/api/agents``)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def __repr__(self) -> str:
        return "AgentAdmin(agents, tokens, accounts)"

    async def add(self, name: str, role: str, token_hash: str, now: datetime, tier: int = 1) -> int:
        """A new agent's id. Raises ``ValueError`` for an unknown role or tier, and
        ``IntegrityError`` when the name or the token is taken."""
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}")
        if not 1 <= tier <= MAX_TIER:
            raise ValueError(f"tier must be 1 to {MAX_TIER}")
        return await self.store.write(self._add, name, role, token_hash, now, tier)

    @staticmethod
    def _add(
        conn: Connection, name: str, role: str, token_hash: str, now: datetime, tier: int
    ) -> int:
        return conn.execute(
            insert(AGENT).returning(AGENT.c.id),
            {"name": name, "role": role, "token_hash": token_hash, "created_at": now, "tier": tier},
        ).scalar_one()

    async def by_token_hash(self, token_hash: str) -> AgentRecord | None:
        """The enabled agent whose token hashes to ``token_hash``."""
        return await self.store.read(self._by_hash, token_hash)

    @staticmethod
    def _by_hash(conn: Connection, token_hash: str) -> AgentRecord | None:
        row = conn.execute(
            select(*_ACTIVE).where(AGENT.c.token_hash == token_hash, AGENT.c.disabled_at.is_(None))
        ).first()
        return AgentRecord(row.id, row.name, row.role, row.tier) if row else None

    async def by_account(self, channel: str, user_id: str) -> AgentRecord | None:
        """The enabled agent whose account on ``channel`` this is (the staff chat's
        buttons and replies)."""
        return await self.store.read(self._by_account, channel, user_id)

    @staticmethod
    def _by_account(conn: Connection, channel: str, user_id: str) -> AgentRecord | None:
        agent_id = agent_of_account(conn, channel, user_id)
        if agent_id is None:
            return None
        row = conn.execute(
            select(*_ACTIVE).where(AGENT.c.id == agent_id, AGENT.c.disabled_at.is_(None))
        ).first()
        return AgentRecord(row.id, row.name, row.role, row.tier) if row else None

    async def by_name(self, name: str) -> AgentRecord | None:
        """The agent called ``name`` (the CLI names who creates and approves notices)."""
        return await self.store.write(self._by_name, name)

    @staticmethod
    def _by_name(conn: Connection, name: str) -> AgentRecord | None:
        row = conn.execute(
            select(AGENT.c.id, AGENT.c.name, AGENT.c.role).where(AGENT.c.name == name)
        ).first()
        return AgentRecord(row.id, row.name, row.role) if row else None

    async def link_account(self, name: str, channel: str, user_id: str | None) -> bool:
        """Link (or with ``None`` unlink) an agent's account on ``channel``; ``False``:
        no such agent. Raises ``IntegrityError`` if another agent has that account."""
        return await self.store.write(link_account, name, channel, user_id)

    async def everyone(self) -> list[AgentRow]:
        """Every agent by name, with linked accounts."""
        return await self.store.read(self._everyone)

    @staticmethod
    def _everyone(conn: Connection) -> list[AgentRow]:
        columns = (
            *_ACTIVE,
            AGENT.c.online,
            AGENT.c.created_at,
            AGENT.c.disabled_at,
            AGENT.c.token_rotated_at,
        )
        rows = conn.execute(select(*columns).order_by(AGENT.c.name)).all()
        return [
            AgentRow(
                **row._mapping,
                disabled=row.disabled_at is not None,
                accounts=accounts_of(conn, row.id),
            )
            for row in rows
        ]

    async def disable(self, name: str, now: datetime) -> bool | None:
        """Disable ``name``: ``True`` done, ``False`` already disabled, ``None`` no such
        agent. They also go offline, so round robin gives them nothing more."""
        return await self.store.write(self._disable, name, now)

    @staticmethod
    def _disable(conn: Connection, name: str, now: datetime) -> bool | None:
        row = conn.execute(select(AGENT.c.disabled_at).where(AGENT.c.name == name)).first()
        if row is None:
            return None
        if row.disabled_at is not None:
            return False
        conn.execute(
            update(AGENT).where(AGENT.c.name == name).values(disabled_at=now, online=False)
        )
        return True

    async def rotate(self, name: str, token_hash: str, now: datetime) -> bool:
        """Give ``name`` the token whose hash is ``token_hash``; ``False``: no such agent."""
        return await self.store.write(self._rotate, name, token_hash, now)

    @staticmethod
    def _rotate(conn: Connection, name: str, token_hash: str, now: datetime) -> bool:
        done = conn.execute(
            update(AGENT)
            .where(AGENT.c.name == name)
            .values(token_hash=token_hash, token_rotated_at=now)
        )
        return done.rowcount == 1
