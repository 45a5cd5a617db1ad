"""attachments: users' files and agents' screenshots, kept in the database

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    text = sqlmodel.sql.sqltypes.AutoString
    op.create_table(
        "attachments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("conversation_id", sa.Integer(), sa.ForeignKey("conversations.id"), nullable=False),
        sa.Column("message_id", sa.Integer(), sa.ForeignKey("messages.id"), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), sa.ForeignKey("tickets.id"), nullable=True),
        sa.Column("direction", text(length=3), nullable=False),
        sa.Column("channel", text(length=32), nullable=False),
        sa.Column("chat_id", text(length=128), nullable=False),
        sa.Column("name", text(length=200), nullable=False),
        sa.Column("mime", text(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", text(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_by", text(length=128), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.UniqueConstraint("message_id", "position", name="uq_attachment_message"),
    )
    op.create_index("ix_attachments_conversation", "attachments", ["conversation_id", "id"])
    op.create_index("ix_attachments_ticket_id", "attachments", ["ticket_id"])
    with op.batch_alter_table("webchat_replies") as batch:
        batch.add_column(sa.Column("attachment_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_webchat_replies_attachment", "attachments", ["attachment_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("webchat_replies") as batch:
        batch.drop_constraint("fk_webchat_replies_attachment", type_="foreignkey")
        batch.drop_column("attachment_id")
    op.drop_index("ix_attachments_ticket_id", table_name="attachments")
    op.drop_index("ix_attachments_conversation", table_name="attachments")
    op.drop_table("attachments")
