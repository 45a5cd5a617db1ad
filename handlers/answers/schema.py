"""The knowledge base format: what community managers write in TOML, validated.

Models are strict (``extra="forbid"``) so a misspelt field is an error naming it rather
than a silently ignored line. Localized fields are ``{language: text}`` tables that must
hold English: English is every other language's fallback.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

AirdropStatus = Literal["scheduled", "distributing", "distributed", "delayed", "cancelled"]


def _needs_english(value: dict[str, str]) -> dict[str, str]:
    if "en" not in value:
        raise ValueError("needs an English text (en): it is the fallback for every language")
    empty = [code for code, text in value.items() if not text.strip()]
    if empty:
        raise ValueError(f"empty text for {', '.join(empty)}")
    return value


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("needs a time zone offset, e.g. 2026-12-01T00:00:00Z")
    return value


Localized = Annotated[dict[str, str], AfterValidator(_needs_english)]
Instant = Annotated[datetime, AfterValidator(_aware)]
EntryId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=64)]


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Reminder(_Entry):
    """A notice to subscribers ``before_minutes`` ahead of an entry's ``event``
    ("starts in 1 hour", "snapshot tomorrow"); sent once, by the scheduler."""

    event: Literal["start", "end", "snapshot", "distribution"]
    before_minutes: int = Field(gt=0, le=60 * 24 * 30)


def _events(reminders: list[Reminder], allowed: tuple[str, ...], kind: str) -> None:
    for reminder in reminders:
        if reminder.event not in allowed:
            raise ValueError(
                f"reminders: an {kind} has no {reminder.event!r}; use {' or '.join(allowed)}"
            )


class Activity(_Entry):
    """A trading competition, deposit campaign, referral reward..."""

    id: EntryId
    name: Localized
    aliases: list[str] = []
    starts_at: Instant
    ends_at: Instant
    reward: Localized
    how_to_join: Localized
    eligibility: Localized
    regions_excluded: list[str] = []
    url: str | None = None
    reminders: list[Reminder] = []

    @model_validator(mode="after")
    def _ordered(self) -> Activity:
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        _events(self.reminders, ("start", "end"), "activity")
        return self


class Airdrop(_Entry):
    """A token distribution: snapshot, then distribution, with a status the team sets."""

    id: EntryId
    token: Annotated[str, Field(min_length=1, max_length=20)]
    name: Localized
    aliases: list[str] = []
    snapshot_at: Instant
    distribution_at: Instant
    status: AirdropStatus = "scheduled"
    status_note: Localized | None = None
    eligibility: Localized
    how_to_claim: Localized
    official_contract: str | None = None
    reminders: list[Reminder] = []

    @model_validator(mode="after")
    def _ordered(self) -> Airdrop:
        if self.distribution_at < self.snapshot_at:
            raise ValueError("distribution_at must not be before snapshot_at")
        _events(self.reminders, ("snapshot", "distribution"), "airdrop")
        return self


def _questions_ok(value: dict[str, list[str]]) -> dict[str, list[str]]:
    if not any(value.values()):
        raise ValueError("needs at least one question")
    return value


class Faq(_Entry):
    """A frequent question, the ways users ask it, and the answer."""

    id: EntryId
    questions: Annotated[dict[str, list[str]], AfterValidator(_questions_ok)]
    answer: Localized
    category: str = "other"
    offer_ticket: bool = False


class KnowledgeFile(_Entry):
    """One TOML file; a base is made of several."""

    activities: list[Activity] = []
    airdrops: list[Airdrop] = []
    faqs: list[Faq] = []
