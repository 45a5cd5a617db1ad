"""What a report holds: the figures of one window, as dataclasses.

``storage.reports`` computes them; the CLI and the API print them through one function
(``bots.report_json``), so both say exactly the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Durations:
    """Seconds from a ticket's opening to an event: nearest-rank p50 and p90."""

    p50: float | None
    p90: float | None
    count: int


@dataclass(frozen=True, slots=True)
class Csat:
    """The users' ratings (1 to 5) of resolved tickets."""

    average: float | None
    count: int
    distribution: dict[str, int]


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


@dataclass(frozen=True, slots=True)
class Counts:
    """How many, in all and by one key (channel, language, category, hour)."""

    total: int
    by: dict[str, dict[str, int]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Report:
    """The figures of one window."""

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
