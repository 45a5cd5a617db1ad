"""What a report holds: the figures of one window, as dataclasses that print as JSON.

``storage.reports`` computes them; the CLI and the API print ``Report.to_json()``, so
both say exactly the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class Durations:
    """Seconds from a ticket's opening to an event: nearest-rank p50 and p90."""

    p50: float | None
    p90: float | None
    count: int

    def to_json(self) -> dict[str, Any]:
        return {"p50": self.p50, "p90": self.p90, "count": self.count}


@dataclass(frozen=True, slots=True)
class Csat:
    """The users' ratings (1 to 5) of resolved tickets."""

    average: float | None
    count: int
    distribution: dict[str, int]

    def to_json(self) -> dict[str, Any]:
        return {"average": self.average, "count": self.count, "distribution": self.distribution}


@dataclass(frozen=True, slots=True)
class AgentFigures:
    """One agent's tickets among those opened in the window."""

    name: str
    tickets: int
    resolved: int
    first_response_p50: float | None
    resolution_p50: float | None
    csat_average: float | None
    csat_count: int

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "tickets": self.tickets,
            "resolved": self.resolved,
            "first_response_p50": self.first_response_p50,
            "resolution_p50": self.resolution_p50,
            "csat_average": self.csat_average,
            "csat_count": self.csat_count,
        }


@dataclass(frozen=True, slots=True)
class LowRatingComment:
    """What a user who rated 1 or 2 wrote when asked what went wrong."""

    ticket_id: int
    rating: int
    comment: str
    at: datetime
    agent: str | None
    channel: str
    language: str

    def to_json(self) -> dict[str, Any]:
        return {
            "ticket": self.ticket_id,
            "rating": self.rating,
            "comment": self.comment,
            "at": self.at.isoformat(),
            "agent": self.agent,
            "channel": self.channel,
            "language": self.language,
        }


@dataclass(frozen=True, slots=True)
class Counts:
    """How many, in all and by one key (channel, language, category, hour)."""

    total: int
    by: dict[str, dict[str, int]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"total": self.total, **{f"by_{k}": v for k, v in self.by.items()}}


@dataclass(frozen=True, slots=True)
class Report:
    """The figures of one window; ``to_json`` is what the CLI and the API print."""

    since: datetime
    until: datetime
    first_response: Durations
    resolution: Durations
    csat: Csat
    conversations: int
    conversations_without_ticket: int
    messages: Counts
    tickets: Counts
    agents: list[AgentFigures]
    incidents_opened: int
    incidents_resolved: int
    low_rating_comments: list[LowRatingComment]

    @property
    def bot_resolved_share(self) -> float | None:
        """Conversations answered without a ticket, of all in the window."""
        if not self.conversations:
            return None
        return round(self.conversations_without_ticket / self.conversations, 4)

    def to_json(self) -> dict[str, Any]:
        return {
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "first_response_seconds": self.first_response.to_json(),
            "resolution_seconds": self.resolution.to_json(),
            "csat": self.csat.to_json(),
            "conversations": {
                "total": self.conversations,
                "without_ticket": self.conversations_without_ticket,
            },
            "bot_resolved_share": self.bot_resolved_share,
            "volume": {"messages": self.messages.to_json(), "tickets": self.tickets.to_json()},
            "agents": [a.to_json() for a in self.agents],
            "incidents": {"opened": self.incidents_opened, "resolved": self.incidents_resolved},
            "low_rating_comments": [c.to_json() for c in self.low_rating_comments],
        }
