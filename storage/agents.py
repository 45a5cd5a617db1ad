"""The admins' side of the agents table: who exists, and taking a token away.

A token is stored only as its hash, so "rotate" writes a new hash (the old token then
matches no row) and "disable" marks the agent; the token lookup and the staff chat's
account lookup skip disabled agents, and neither is cached, so either change holds
from the next request in every process that shares the database.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from storage.agent_accounts import accounts_of
from storage.models import Agent, table_of
from storage.store import Store

AGENT = table_of(Agent)
LISTED = ("id", "name", "role", "tier", "online", "created_at", "disabled_at", "token_rotated_at")


class AgentAdmin:
    """List, disable and re-key agents (``socialdesk agents``, ``/api/agents``)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def __repr__(self) -> str:
        return "AgentAdmin(list, disable, rotate)"

    async def everyone(self) -> list[dict[str, Any]]:
        """Every agent by name, with linked accounts (``accounts``: channel -> account
        id); never a token or its hash."""
        return await self.store.read(self._everyone)

    @staticmethod
    def _everyone(conn: Connection) -> list[dict[str, Any]]:
        columns = [AGENT.c[name] for name in LISTED]
        rows = conn.execute(select(*columns).order_by(AGENT.c.name)).all()
        return [
            dict(row._mapping)
            | {"disabled": row.disabled_at is not None, "accounts": accounts_of(conn, row.id)}
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
