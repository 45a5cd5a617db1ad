"""What became of a broadcast: per recipient, per channel and language.

A recipient whose text was split into parts counts as delivered only when every part
was; one failed part makes the recipient failed, with that part's reason.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TypedDict

from storage.broadcast_records import RecipientOutcome
from storage.store import is_blocked

OUTCOMES = ("delivered", "failed", "blocked", "cancelled", "pending")


class PlaceCounts(TypedDict):
    """One (channel, language) line of the report's JSON form."""

    channel: str
    language: str
    delivered: int
    failed: int
    blocked: int
    cancelled: int
    pending: int


class ReportJson(TypedDict):
    """The report as the API and ``broadcast status --json`` give it."""

    recipients: int
    delivered: int
    failed: int
    blocked: int
    cancelled: int
    pending: int
    by_channel_language: list[PlaceCounts]
    failure_reasons: dict[str, int]


@dataclass(slots=True)
class Report:
    """Recipient counts by outcome, by (channel, language), and failure reasons."""

    total: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    by_place: dict[tuple[str, str], Counter[str]] = field(default_factory=dict)
    reasons: Counter[str] = field(default_factory=Counter)

    @property
    def finished(self) -> int:
        return self.total - self.outcomes["pending"]

    def to_json(self) -> ReportJson:
        counts = self.outcomes
        return {
            "recipients": self.total,
            "delivered": counts["delivered"],
            "failed": counts["failed"],
            "blocked": counts["blocked"],
            "cancelled": counts["cancelled"],
            "pending": counts["pending"],
            "by_channel_language": [
                {
                    "channel": c,
                    "language": lang,
                    "delivered": place["delivered"],
                    "failed": place["failed"],
                    "blocked": place["blocked"],
                    "cancelled": place["cancelled"],
                    "pending": place["pending"],
                }
                for (c, lang), place in sorted(self.by_place.items())
            ],
            "failure_reasons": dict(self.reasons.most_common()),
        }


def build_report(rows: Iterable[RecipientOutcome]) -> Report:
    """Fold outbox rows (``BroadcastStore.rows``) into a per-recipient report."""
    recipients: dict[tuple[str, str], tuple[str, str, str | None]] = {}
    for row in rows:
        key = (row.channel, row.chat_id)
        outcome = _outcome(row.status, row.last_error)
        previous = recipients.get(key)
        if previous is None or _rank(outcome) > _rank(previous[1]):
            recipients[key] = (row.language or "en", outcome, row.last_error)
    report = Report(total=len(recipients))
    for (channel, _chat), (language, outcome, error) in recipients.items():
        report.outcomes[outcome] += 1
        report.by_place.setdefault((channel, language), Counter())[outcome] += 1
        if outcome == "failed" and error:
            report.reasons[error.split(":")[0][:80]] += 1
    return report


def _outcome(status: str, error: str | None) -> str:
    if status == "failed":
        return "blocked" if is_blocked(error) else "failed"
    if status in ("pending", "sending"):
        return "pending"
    return status  # delivered | cancelled


def _rank(outcome: str) -> int:
    """The worst part decides a recipient's outcome."""
    return {"delivered": 0, "cancelled": 1, "pending": 2, "failed": 3, "blocked": 4}[outcome]
