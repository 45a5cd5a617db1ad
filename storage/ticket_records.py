"""Tickets as the layers above storage read them: frozen records, not rows or dicts.

A :class:`TicketRow` has one field per column of the tickets table, in the table's
order (a test holds the two together), so the API can answer it field by field and a
new column is a new field here, on purpose. The records are read-only: a change goes
through a repository's write, never through a record handed up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Row


@dataclass(frozen=True, slots=True)
class TicketRow:
    """One ticket, every column (what the queue lists)."""

    id: int
    conversation_id: int
    channel: str
    chat_id: str
    language: str
    category: str
    priority: int  # 1 urgent, 2 normal, 3 low
    status: str  # open | pending | resolved
    summary: str
    assignee_id: int | None
    created_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None
    rating: int | None
    rating_comment_asked_at: datetime | None
    rating_comment: str | None
    rating_comment_at: datetime | None
    sla_warned_at: datetime | None
    sla_breached_at: datetime | None
    intake_step: str | None
    coin: str | None
    network: str | None
    amount: str | None
    tx_hash: str | None
    address: str | None
    uid: str | None
    reward: str | None
    snoozed_until: datetime | None
    tier: int

    def snoozed(self, now: datetime) -> bool:
        """Hidden from the queue at ``now`` (a snooze that ran out hides nothing)."""
        return self.snoozed_until is not None and self.snoozed_until > now


@dataclass(frozen=True, slots=True)
class TicketUser:
    """Who wrote: the identity behind the ticket's conversation."""

    channel: str
    platform_user_id: str
    username: str | None
    display_name: str


@dataclass(frozen=True, slots=True)
class TranscriptLine:
    """One stored (redacted) message of a conversation; ``direction``: in | out."""

    direction: str
    sender_id: str
    text: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class NoteLine:
    """An agent's internal note on a ticket (the user never sees it)."""

    agent_id: int
    text: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class TicketView(TicketRow):
    """A ticket with who wrote it, its agent's name, its transcript and notes (the
    agent's ticket view; both lists oldest first)."""

    user: TicketUser
    assignee: str | None
    transcript: tuple[TranscriptLine, ...]
    notes: tuple[NoteLine, ...]


@dataclass(frozen=True, slots=True)
class TicketBrief:
    """What a refused claim is explained by: the ticket's status, tier and owner."""

    status: str
    tier: int
    assignee_id: int | None


@dataclass(frozen=True, slots=True)
class TicketAccess:
    """Enough of a ticket to apply the visibility rule (:meth:`AgentRecord.may_see`)."""

    assignee_id: int | None
    tier: int


@dataclass(frozen=True, slots=True)
class TicketFilters:
    """What the queue's list is narrowed to (``None``: not narrowed by it).

    ``status`` may also be ``"snoozed"``: only the snoozed ones, which every other
    list leaves out; ``search`` finds tickets by number, user, words, hash or UID
    (:mod:`storage.ticket_query`) in every status; ``limit``: the page size."""

    status: str | None = None
    category: str | None = None
    priority: int | None = None
    tier: int | None = None
    channel: str | None = None
    language: str | None = None
    assignee: int | None = None
    unassigned: bool = False
    search: str = ""
    limit: int | None = None


@dataclass(frozen=True, slots=True)
class TicketFields:
    """The fields a supervisor may change; ``None`` leaves a field as it is."""

    category: str | None = None
    priority: int | None = None
    tier: int | None = None

    def given(self) -> dict[str, str | int]:
        """The fields to change, by column, in the order above."""
        values = {"category": self.category, "priority": self.priority, "tier": self.tier}
        return {key: value for key, value in values.items() if value is not None}


def ticket_row(row: Row[Any]) -> TicketRow:
    """A row of ``select(TICKET)`` as a record."""
    return TicketRow(**row._mapping)
