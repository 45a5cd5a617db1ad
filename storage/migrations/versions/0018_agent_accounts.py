"""agents' platform accounts in one table (agent, channel, account id)

A column per platform on ``agents`` meant a migration and a code change for every
channel agents work from; one row per linked account needs neither. Today's links
are copied over before the columns go.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01 20:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

# the columns this migration retires, and the channel each linked
_COLUMNS = (("telegram", "telegram_user_id"), ("discord", "discord_user_id"))


def upgrade() -> None:
    op.create_table(
        "agent_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("account_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.ForeignKeyConstraint(["agent_id"], ["agents.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("channel", "account_id", name="uq_agent_accounts_account"),
        sa.UniqueConstraint("agent_id", "channel", name="uq_agent_accounts_agent_channel"),
    )
    for channel, column in _COLUMNS:
        op.execute(
            sa.text(
                "INSERT INTO agent_accounts (agent_id, channel, account_id) "
                f"SELECT id, '{channel}', {column} FROM agents WHERE {column} IS NOT NULL"
            )
        )
    with op.batch_alter_table("agents", schema=None) as batch_op:
        for _channel, column in _COLUMNS:
            batch_op.drop_constraint(f"uq_agents_{column}", type_="unique")
            batch_op.drop_column(column)


def downgrade() -> None:
    with op.batch_alter_table("agents", schema=None) as batch_op:
        for _channel, column in _COLUMNS:
            batch_op.add_column(
                sa.Column(column, sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
            )
            batch_op.create_unique_constraint(f"uq_agents_{column}", [column])
    for channel, column in _COLUMNS:
        op.execute(
            sa.text(
                f"UPDATE agents SET {column} = (SELECT account_id FROM agent_accounts "
                f"WHERE agent_accounts.agent_id = agents.id AND channel = '{channel}')"
            )
        )
    op.drop_table("agent_accounts")
