"""Agents' own accounts on the channels they work from, one row per (agent, channel).

The staff chat's buttons and replies come from a platform user; this is how that user
is known to be an agent. Any registered channel can hold such accounts: storage does
not know which ones do (the channel registry says).
"""

from __future__ import annotations

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection

from storage.models import Agent, AgentAccount, table_of

AGENT = table_of(Agent)
ACCOUNT = table_of(AgentAccount)


def agent_of_account(conn: Connection, channel: str, account_id: str) -> int | None:
    """The id of the agent whose account on ``channel`` is ``account_id``, if any."""
    return conn.execute(
        select(ACCOUNT.c.agent_id).where(
            ACCOUNT.c.channel == channel, ACCOUNT.c.account_id == account_id
        )
    ).scalar()


def link_account(conn: Connection, name: str, channel: str, account_id: str | None) -> bool:
    """Link the agent called ``name`` to ``account_id`` on ``channel`` (``None``: unlink).

    Returns ``False`` when there is no such agent; raises ``IntegrityError`` when another
    agent holds that account. A new link replaces the agent's previous one there.
    """
    agent_id = conn.execute(select(AGENT.c.id).where(AGENT.c.name == name)).scalar()
    if agent_id is None:
        return False
    mine = (ACCOUNT.c.agent_id == agent_id) & (ACCOUNT.c.channel == channel)
    if account_id is None:
        conn.execute(delete(ACCOUNT).where(mine))
        return True
    if conn.execute(select(ACCOUNT.c.id).where(mine)).first() is None:
        conn.execute(
            insert(ACCOUNT).values(agent_id=agent_id, channel=channel, account_id=account_id)
        )
    else:
        conn.execute(update(ACCOUNT).where(mine).values(account_id=account_id))
    return True


def accounts_of(conn: Connection, agent_id: int) -> dict[str, str]:
    """The agent's linked accounts, by channel."""
    rows = conn.execute(
        select(ACCOUNT.c.channel, ACCOUNT.c.account_id).where(ACCOUNT.c.agent_id == agent_id)
    )
    return {row.channel: row.account_id for row in rows}
