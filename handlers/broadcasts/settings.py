"""The ``[broadcasts]`` configuration section."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class BroadcastSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # a second manager (not the creator) must approve a notice before it is sent
    require_approval: bool = True
    # outbox priority of a broadcast's rows; interactive replies are 0 and go first
    priority: int = Field(default=10, ge=1, le=1000)
    # how often the knowledge base's reminders are checked for ones that fell due
    reminder_check_seconds: int = Field(default=60, ge=5, le=3600)
