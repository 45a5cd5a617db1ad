"""incidents: their affected users and linked tickets; asked questions and surges

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def _str(length: int | None = None) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def _time() -> sqlmodel.sql.sqltypes.UTCDateTime:
    return sqlmodel.sql.sqltypes.UTCDateTime()


def upgrade() -> None:
    op.create_table(
        "incidents",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("title", _str(256), nullable=False),
        sa.Column("texts", sa.JSON(), nullable=False),
        sa.Column("faqs", sa.JSON(), nullable=False),
        sa.Column("networks", sa.JSON(), nullable=False),
        sa.Column("coins", sa.JSON(), nullable=False),
        sa.Column("status", _str(12), nullable=False),
        sa.Column("opened_by", _str(128), nullable=False),
        sa.Column("opened_at", _time(), nullable=False),
        sa.Column("resolved_by", _str(128), nullable=True),
        sa.Column("resolved_at", _time(), nullable=True),
    )
    op.create_index("ix_incidents_status", "incidents", ["status"])
    op.create_table(
        "incident_users",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("incident_id", sa.Integer(), sa.ForeignKey("incidents.id"), nullable=False),
        sa.Column(
            "conversation_id", sa.Integer(), sa.ForeignKey("conversations.id"), nullable=False
        ),
        sa.Column("channel", _str(32), nullable=False),
        sa.Column("chat_id", _str(128), nullable=False),
        sa.Column("language", _str(8), nullable=False),
        sa.Column("affected_at", _time(), nullable=False),
        sa.Column("notified_at", _time(), nullable=True),
        sa.UniqueConstraint("incident_id", "conversation_id", name="uq_incident_user"),
    )
    op.create_index("ix_incident_users_incident_id", "incident_users", ["incident_id"])
    op.create_table(
        "incident_tickets",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("incident_id", sa.Integer(), sa.ForeignKey("incidents.id"), nullable=False),
        sa.Column("ticket_id", sa.Integer(), sa.ForeignKey("tickets.id"), nullable=False),
        sa.Column("linked_at", _time(), nullable=False),
        sa.UniqueConstraint("incident_id", "ticket_id", name="uq_incident_ticket"),
    )
    op.create_index("ix_incident_tickets_incident_id", "incident_tickets", ["incident_id"])
    op.create_index("ix_incident_tickets_ticket_id", "incident_tickets", ["ticket_id"])
    op.create_table(
        "asked_questions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("ref", _str(160), nullable=False),
        sa.Column("kind", _str(8), nullable=False),
        sa.Column("value", _str(32), nullable=False),
        sa.Column(
            "conversation_id", sa.Integer(), sa.ForeignKey("conversations.id"), nullable=False
        ),
        sa.Column("text", _str(200), nullable=False),
        sa.Column("asked_at", _time(), nullable=False),
    )
    op.create_index("ix_asked_questions_time", "asked_questions", ["asked_at"])
    op.create_table(
        "surges",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("ref", _str(160), nullable=False),
        sa.Column("kind", _str(8), nullable=False),
        sa.Column("value", _str(32), nullable=False),
        sa.Column("questions", sa.Integer(), nullable=False),
        sa.Column("examples", sa.JSON(), nullable=False),
        sa.Column("started_at", _time(), nullable=False),
        sa.Column("ended_at", _time(), nullable=True),
        sa.Column("incident_id", sa.Integer(), sa.ForeignKey("incidents.id"), nullable=True),
    )
    op.create_index("ix_surges_key", "surges", ["ref", "kind", "value", "ended_at"])


def downgrade() -> None:
    op.drop_index("ix_surges_key", table_name="surges")
    op.drop_table("surges")
    op.drop_index("ix_asked_questions_time", table_name="asked_questions")
    op.drop_table("asked_questions")
    op.drop_index("ix_incident_tickets_ticket_id", table_name="incident_tickets")
    op.drop_index("ix_incident_tickets_incident_id", table_name="incident_tickets")
    op.drop_table("incident_tickets")
    op.drop_index("ix_incident_users_incident_id", table_name="incident_users")
    op.drop_table("incident_users")
    op.drop_index("ix_incidents_status", table_name="incidents")
    op.drop_table("incidents")
