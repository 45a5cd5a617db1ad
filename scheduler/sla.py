"""The SLA sweep: staff hear about a ticket before its first answer is late.

Each ticket category (the intake's: ``deposit_missing``, ``wrong_network``, ...) has a
first-response target in minutes (``[tickets] first_response_minutes``); a key that is
no category is refused when the configuration is read. At ``warn_at`` of the target the
staff chats get a warning; at the target the ticket becomes urgent (priority 1) and the
staff chats are told it breached. Each ticket is warned and escalated at most once: the
marks are written in the same transaction as the alerts.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from handlers.intake import TICKET_CATEGORIES
from handlers.requests import AlertStaff
from scheduler.runtime import current

# the targets a new bot starts with (config.example.toml says the same): money that
# has not arrived is answered within half an hour
DEFAULT_TARGETS = {
    "default": 60,
    "deposit_missing": 30,
    "wrong_network": 30,
    "wrong_coin": 30,
    "withdrawal_delayed": 30,
}


class SlaSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    first_response_minutes: dict[str, int] = Field(default_factory=lambda: dict(DEFAULT_TARGETS))
    warn_at: float = Field(default=0.8, gt=0, lt=1)
    sweep_seconds: int = Field(default=60, ge=5, le=3600)
    # queue rules (the [tickets] section holds them too)
    round_robin: bool = False
    max_snooze_days: int = Field(default=30, ge=1, le=365)
    # a user who writes within this many hours of a resolution reopens that ticket
    # (0: never; the bot answers them, and a new ticket opens when one is needed)
    reopen_hours: int = Field(default=72, ge=0, le=24 * 90)

    @field_validator("first_response_minutes")
    @classmethod
    def _has_default(cls, value: dict[str, int]) -> dict[str, int]:
        if "default" not in value:
            raise ValueError("needs a 'default' target")
        unknown = [k for k in value if k != "default" and k not in TICKET_CATEGORIES]
        if unknown:
            # a key no ticket ever has would silently leave its tickets on the default
            raise ValueError(
                f"unknown ticket category {unknown[0]!r}; known: {', '.join(TICKET_CATEGORIES)}"
            )
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
        target = runtime.sla_settings.target(ticket.category)
        waited = (now - ticket.created_at).total_seconds() / 60
        if waited >= target:
            key, breached = "tickets.sla_breached", True
        elif waited >= target * runtime.sla_settings.warn_at and ticket.sla_warned_at is None:
            key, breached = "tickets.sla_warning", False
        else:
            continue
        text = runtime.texts.get(
            key,
            "en",
            number=ticket.id,
            category=ticket.category,
            channel=ticket.channel,
            waited=int(waited),
            target=target,
            summary=ticket.summary[:200],
        )
        rows = runtime.outbox.rows([AlertStaff(text=text)], ticket.channel)
        if await runtime.sla.mark(ticket.id, breached, rows, now):
            raised += 1
    if raised:
        runtime.wake()
    return raised
