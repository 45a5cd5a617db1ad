"""agents can be disabled and their tokens rotated; the audit log of agents' actions

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("agents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("disabled_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(
            sa.Column("token_rotated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
    op.create_table(
        "agent_actions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("ticket_id", sa.Integer(), sa.ForeignKey("tickets.id"), nullable=False),
        sa.Column("agent_id", sa.Integer(), sa.ForeignKey("agents.id"), nullable=True),
        sa.Column("agent_name", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("field", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("old_value", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("new_value", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("via", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    )
    op.create_index("ix_agent_actions_ticket", "agent_actions", ["ticket_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_agent_actions_ticket", table_name="agent_actions")
    op.drop_table("agent_actions")
    with op.batch_alter_table("agents", schema=None) as batch_op:
        batch_op.drop_column("token_rotated_at")
        batch_op.drop_column("disabled_at")
