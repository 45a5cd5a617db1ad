"""The SLA sweep: staff hear about a ticket before its first answer is late.

Each category has a first-response target in minutes (``[tickets]
first_response_minutes``). At ``warn_at`` of the target the staff chats get a warning;
at the target the ticket becomes urgent (priority 1) and the staff chats are told it
breached. Each ticket is warned and escalated at most once: the marks are written in
the same transaction as the alerts.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from channels.base import AlertStaff
from scheduler.runtime import current


class SlaSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    first_response_minutes: dict[str, int] = Field(default_factory=lambda: {"default": 60})
    warn_at: float = Field(default=0.8, gt=0, lt=1)
    sweep_seconds: int = Field(default=60, ge=5, le=3600)
    # queue rules (the [tickets] section holds them too)
    round_robin: bool = False
    max_snooze_days: int = Field(default=30, ge=1, le=365)

    @field_validator("first_response_minutes")
    @classmethod
    def _has_default(cls, value: dict[str, int]) -> dict[str, int]:
        if "default" not in value:
            raise ValueError("needs a 'default' target")
        if any(m <= 0 for m in value.values()):
            raise ValueError("targets are positive minutes")
        return value

    def target(self, category: str) -> int:
        return self.first_response_minutes.get(category, self.first_response_minutes["default"])


async def sweep_sla() -> int:
    """Warn about and escalate tickets; returns how many alerts were raised.

    A module-level function so APScheduler can store the job by reference.
    """
    runtime = current()
    now = runtime.clock()
    raised = 0
    for ticket in await runtime.sla.awaiting_first_response(now):
        target = runtime.sla_settings.target(ticket["category"])
        waited = (now - ticket["created_at"]).total_seconds() / 60
        if waited >= target:
            key, breached = "tickets.sla_breached", True
        elif waited >= target * runtime.sla_settings.warn_at and ticket["sla_warned_at"] is None:
            key, breached = "tickets.sla_warning", False
        else:
            continue
        text = runtime.texts.get(
            key,
            "en",
            number=ticket["id"],
            category=ticket["category"],
            channel=ticket["channel"],
            waited=int(waited),
            target=target,
            summary=ticket["summary"][:200],
        )
        rows = runtime.pipeline.outbound([AlertStaff(text=text)], ticket["channel"])
        if await runtime.sla.mark(ticket["id"], breached, rows, now):
            raised += 1
    if raised:
        runtime.wake()
    return raised
