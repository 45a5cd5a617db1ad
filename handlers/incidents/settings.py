"""``[incidents]``: when the surge sweep calls a burst of one question unusual."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class IncidentSettings(BaseModel):
    """A surge is at least ``surge_min_questions`` users asking the same question
    (same entry, same network or coin) within ``surge_window_minutes``, and at least
    ``surge_factor`` times as many as in an ordinary window of the last
    ``baseline_hours``: a busy FAQ is not an outage."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    surge_sweep_seconds: int = Field(default=60, ge=5, le=3600)
    surge_window_minutes: int = Field(default=5, ge=1, le=120)
    surge_min_questions: int = Field(default=20, ge=2, le=100_000)
    surge_factor: float = Field(default=3.0, ge=1.0, le=1000.0)
    baseline_hours: int = Field(default=24, ge=1, le=24 * 14)
    surge_examples: int = Field(default=3, ge=1, le=10)
