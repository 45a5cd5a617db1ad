"""a low rating's comment: when the bot asked for it, the user's line, and when it came

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 19:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(
            sa.Column("rating_comment_asked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch.add_column(
            sa.Column(
                "rating_comment", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True
            )
        )
        batch.add_column(
            sa.Column("rating_comment_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("rating_comment_at")
        batch.drop_column("rating_comment")
        batch.drop_column("rating_comment_asked_at")
