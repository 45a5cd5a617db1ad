"""outbox rows leased to the sender that claims them

Several processes share one outbox on PostgreSQL. A process that started put every
row marked as being sent back in the queue, also the rows a live process was sending
at that moment, and those went out twice. Each claimed row now names its sender
(``claimed_by``) and carries an expiry (``lease_until``) the sender renews while it
lives; only rows whose lease ran out are put back. Rows in flight at the upgrade have
neither, and are put back like an expired lease.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("claimed_by", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True)
        )
        batch_op.add_column(
            sa.Column("lease_until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch_op.create_index("ix_outbox_lease", ["status", "lease_until"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_lease")
        batch_op.drop_column("lease_until")
        batch_op.drop_column("claimed_by")
