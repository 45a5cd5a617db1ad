"""The window a report covers, from what a person types: ISO dates or date-times.

A date alone is a whole UTC day: ``--since 2026-11-01 --until 2026-11-30`` covers
November 1st to 30th, both included. A date-time without an offset is UTC. With
neither bound the window is the last :data:`DEFAULT_DAYS` days up to now.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

DEFAULT_DAYS = 7
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class WindowError(ValueError):
    """A bound that cannot be read, or a window that ends before it starts; the
    message names the option."""


def _instant(value: str, name: str, *, end: bool) -> datetime:
    text = value.strip()
    try:
        if _DATE.match(text):
            day = date.fromisoformat(text)
            return datetime.combine(day + timedelta(days=1 if end else 0), time(), UTC)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise WindowError(
            f"{name}: not an ISO date or date-time (e.g. 2026-11-01 or 2026-11-01T09:00Z),"
            f" got {value!r}"
        ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def parse_window(
    since: str | None,
    until: str | None,
    now: datetime,
    *,
    names: tuple[str, str] = ("--since", "--until"),
) -> tuple[datetime, datetime]:
    """``[since, until)`` in UTC; raises :class:`WindowError` naming the option."""
    end = _instant(until, names[1], end=True) if until else now.astimezone(UTC)
    start = _instant(since, names[0], end=False) if since else end - timedelta(days=DEFAULT_DAYS)
    if start >= end:
        raise WindowError(f"{names[0]}: the window must start before {names[1]} ends")
    return start, end
