"""Where an activity or airdrop stands at an instant, and how to say when.

Everything is computed from the instant it is given (``ctx.now``), never from the
system clock, so ``socialdesk ask --at`` and tests can ask "as of" any moment.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Literal

from babel.dates import format_datetime, format_timedelta

from handlers.answers.schema import Activity, Airdrop

ActivityPhase = Literal["upcoming", "running", "ended"]
AirdropPhase = Literal[
    "before_snapshot",
    "after_snapshot",
    "due",
    "distributing",
    "distributed",
    "delayed",
    "cancelled",
]


def activity_phase(activity: Activity, now: datetime) -> ActivityPhase:
    if now < activity.starts_at:
        return "upcoming"
    if now <= activity.ends_at:
        return "running"
    return "ended"


def airdrop_phase(airdrop: Airdrop, now: datetime) -> AirdropPhase:
    """The team's status wins; a ``scheduled`` airdrop is placed by its dates.

    ``due`` is a scheduled airdrop whose distribution time has passed while the team
    has not yet marked it distributed: the bot says so rather than claim it arrived.
    """
    if airdrop.status != "scheduled":
        return airdrop.status
    if now < airdrop.snapshot_at:
        return "before_snapshot"
    if now < airdrop.distribution_at:
        return "after_snapshot"
    return "due"


def babel_locale(language: str) -> str:
    return {"zh": "zh_Hans"}.get(language, language)


def show_time(moment: datetime, zone: tzinfo, language: str) -> str:
    """An absolute time with its zone as an offset from UTC ("2026-12-01 08:00 UTC+08:00"),
    the same shape in every language and unambiguous, unlike zone abbreviations."""
    locale = babel_locale(language)
    shown = format_datetime(moment, "yyyy-MM-dd HH:mm", tzinfo=zone, locale=locale)
    offset = moment.astimezone(zone).utcoffset()
    suffix = format_datetime(moment, "xxx", tzinfo=zone, locale=locale) if offset else ""
    return f"{shown} UTC{suffix}"


def relative(moment: datetime, now: datetime, language: str) -> str:
    """ "in 3 days" / "5 hours ago", in ``language``."""
    return format_timedelta(
        moment - now, add_direction=True, threshold=1.5, locale=babel_locale(language)
    )
