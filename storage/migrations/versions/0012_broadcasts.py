"""broadcasts: notices whose recipients are outbox rows

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29 16:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "broadcasts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("short_id", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False, unique=True),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=256), nullable=False),
        sa.Column("notice", sa.JSON(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("approved_by", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True),
        sa.Column("send_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("approved_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("started_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("cancelled_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("recipients", sa.Integer(), nullable=False, server_default="0"),
        sa.Column(
            "reminder_key", sqlmodel.sql.sqltypes.AutoString(length=160), nullable=True, unique=True
        ),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("broadcast_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("broadcast_language", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True))
        batch_op.add_column(sa.Column("broadcast_part", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_outbox_broadcast_id", "broadcasts", ["broadcast_id"], ["id"]
        )
        batch_op.create_index("ix_outbox_broadcast_id", ["broadcast_id"])
        batch_op.create_index("ix_outbox_claim", ["status", "priority", "id"])
        batch_op.create_unique_constraint(
            "uq_outbox_recipient", ["broadcast_id", "channel", "chat_id", "broadcast_part"]
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_constraint("uq_outbox_recipient", type_="unique")
        batch_op.drop_index("ix_outbox_claim")
        batch_op.drop_index("ix_outbox_broadcast_id")
        batch_op.drop_constraint("fk_outbox_broadcast_id", type_="foreignkey")
        batch_op.drop_column("broadcast_part")
        batch_op.drop_column("broadcast_language")
        batch_op.drop_column("broadcast_id")
    op.drop_table("broadcasts")
