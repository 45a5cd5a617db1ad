"""The incidents' tables: incidents, the users told about them, the tickets linked to
them, the questions counted for surge detection, and the surges found.

Gathered by ``storage.models``, which every table is imported from.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.columns import utc_column


class Incident(SQLModel, table=True):
    """A known problem many users ask about at once (TRON deposits delayed).

    While ``status`` is open, a question the answer engine resolves to one of ``faqs``
    (and naming one of ``networks``/``coins`` when those are given) is answered with
    ``texts`` in the user's language; resolving it follows up with every affected user.
    """

    __tablename__ = "incidents"
    __table_args__ = (Index("ix_incidents_status", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=256)
    texts: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))  # language -> text
    faqs: list[Any] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    networks: list[Any] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    coins: list[Any] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    status: str = Field(default="open", max_length=12)  # open | resolved
    opened_by: str = Field(max_length=128)
    opened_at: datetime = utc_column()
    resolved_by: str | None = Field(default=None, max_length=128)
    resolved_at: datetime | None = None


class IncidentUser(SQLModel, table=True):
    """A user told about an incident, once: they get its follow-up when it is resolved
    (``notified_at`` is set in the transaction that enqueues that follow-up)."""

    __tablename__ = "incident_users"
    __table_args__ = (UniqueConstraint("incident_id", "conversation_id", name="uq_incident_user"),)

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incidents.id", index=True)
    conversation_id: int = Field(foreign_key="conversations.id")
    channel: str = Field(max_length=32)
    chat_id: str = Field(max_length=128)
    language: str = Field(default="en", max_length=8)
    affected_at: datetime = utc_column()
    notified_at: datetime | None = None


class IncidentTicket(SQLModel, table=True):
    """An open ticket about the incident's problem, linked so agents see it belongs."""

    __tablename__ = "incident_tickets"
    __table_args__ = (UniqueConstraint("incident_id", "ticket_id", name="uq_incident_ticket"),)

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incidents.id", index=True)
    ticket_id: int = Field(foreign_key="tickets.id", index=True)
    linked_at: datetime = utc_column()


class AskedQuestion(SQLModel, table=True):
    """A question the answer engine placed on an FAQ, with the network or coin it named:
    what the surge sweep counts. One row per (question, network or coin named)."""

    __tablename__ = "asked_questions"
    __table_args__ = (Index("ix_asked_questions_time", "asked_at"),)

    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(max_length=160)
    kind: str = Field(default="", max_length=8)  # network | coin | "" (named neither)
    value: str = Field(default="", max_length=32)
    conversation_id: int = Field(foreign_key="conversations.id")
    text: str = Field(default="", max_length=200)  # redacted, for the staff's examples
    asked_at: datetime = utc_column()


class Surge(SQLModel, table=True):
    """An unusual number of the same question: alerted once, ended when it calms down."""

    __tablename__ = "surges"
    __table_args__ = (Index("ix_surges_key", "ref", "kind", "value", "ended_at"),)

    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(max_length=160)
    kind: str = Field(default="", max_length=8)
    value: str = Field(default="", max_length=32)
    questions: int = 0  # distinct users in the window when it was noticed
    examples: list[Any] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    started_at: datetime = utc_column()
    ended_at: datetime | None = None
    incident_id: int | None = Field(default=None, foreign_key="incidents.id")
