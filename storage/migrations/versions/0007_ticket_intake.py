"""ticket intake: the structured answers the bot collects when a ticket opens

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 16:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_COLUMNS = (
    ("intake_step", 16),
    ("coin", 32),
    ("network", 32),
    ("amount", 64),
    ("tx_hash", 128),
    ("address", 128),
    ("uid", 64),
    ("reward", 200),
)


def upgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        for name, length in _COLUMNS:
            batch_op.add_column(
                sa.Column(name, sqlmodel.sql.sqltypes.AutoString(length=length), nullable=True)
            )


def downgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        for name, _length in reversed(_COLUMNS):
            batch_op.drop_column(name)
