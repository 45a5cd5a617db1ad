"""queue rules: snoozed tickets, support tiers, agents online for round robin

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 16:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("snoozed_until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(sa.Column("tier", sa.Integer(), nullable=False, server_default="1"))
    with op.batch_alter_table("agents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tier", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(
            sa.Column("online", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("round_robin_turn", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("agents", schema=None) as batch_op:
        batch_op.drop_column("round_robin_turn")
        batch_op.drop_column("online")
        batch_op.drop_column("tier")
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_column("tier")
        batch_op.drop_column("snoozed_until")
