"""What became of a broadcast: per recipient, per channel and language.

A recipient whose text was split into parts counts as delivered only when every part
was; one failed part makes the recipient failed, with that part's reason.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from storage.store import is_blocked

OUTCOMES = ("delivered", "failed", "blocked", "cancelled", "pending")


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

    def to_json(self) -> dict[str, Any]:
        return {
            "recipients": self.total,
            **{name: self.outcomes[name] for name in OUTCOMES},
            "by_channel_language": [
                {"channel": c, "language": lang, **{n: counts[n] for n in OUTCOMES}}
                for (c, lang), counts in sorted(self.by_place.items())
            ],
            "failure_reasons": dict(self.reasons.most_common()),
        }


def build_report(rows: list[dict[str, Any]]) -> Report:
    """Fold outbox rows (``BroadcastStore.rows``) into a per-recipient report."""
    recipients: dict[tuple[str, str], tuple[str, str, str | None]] = {}
    for row in rows:
        key = (row["channel"], row["chat_id"])
        outcome = _outcome(row["status"], row["last_error"])
        previous = recipients.get(key)
        if previous is None or _rank(outcome) > _rank(previous[1]):
            recipients[key] = (row["language"] or "en", outcome, row["last_error"])
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
