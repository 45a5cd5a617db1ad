"""Reminders from the knowledge base: "starts in 1 hour", "snapshot tomorrow".

An activity or airdrop may list ``reminders`` (event and minutes before it). Each one
falls due at ``event time - before_minutes`` and is sent to every subscriber, in their
language, once: its key (entry, event, minutes) is unique among broadcasts. A
reminder that fell due while the bot was down is still sent if its event is ahead.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from handlers.answers.knowledge import Knowledge
from handlers.broadcasts.notice import Notice, parse_notice
from handlers.texts import Texts

LATE_MINUTES = 5  # later than this (the bot was down), the text says what is left
_EVENT_FIELD = {
    "start": "starts_at",
    "end": "ends_at",
    "snapshot": "snapshot_at",
    "distribution": "distribution_at",
}


@dataclass(frozen=True, slots=True)
class DueReminder:
    """One reminder to send now."""

    key: str
    name: dict[str, str]
    event: str
    at: datetime
    in_minutes: int  # what the text says: as configured, or what is left if late
    url: str | None = None


def due_reminders(knowledge: Knowledge, now: datetime) -> Iterator[DueReminder]:
    """Reminders whose time has come and whose event is still ahead."""
    for kind, entries in (("activity", knowledge.activities), ("airdrop", knowledge.airdrops)):
        for entry in entries:
            for reminder in entry.reminders:
                at: datetime = getattr(entry, _EVENT_FIELD[reminder.event])
                left = (at - now).total_seconds() / 60
                if not 0 < left <= reminder.before_minutes:
                    continue
                on_time = reminder.before_minutes - left <= LATE_MINUTES
                yield DueReminder(
                    key=f"{kind}:{entry.id}:{reminder.event}:{reminder.before_minutes}",
                    name=dict(entry.name),
                    event=reminder.event,
                    at=at,
                    in_minutes=reminder.before_minutes if on_time else max(round(left), 1),
                    url=getattr(entry, "url", None),
                )


def reminder_notice(due: DueReminder, texts: Texts, languages: tuple[str, ...]) -> Notice:
    """The reminder as a notice to every subscriber, one text per bot language."""
    text = {}
    for language in dict.fromkeys(("en", *languages)):
        text[language] = texts.get(
            f"broadcasts.reminder_{due.event}",
            language,
            name=due.name.get(language, due.name["en"]),
            when=_when(due.in_minutes, texts, language),
            time=due.at.strftime("%Y-%m-%d %H:%M UTC"),
        )
    buttons = [{"label": texts.get("broadcasts.details", "en"), "url": due.url}] if due.url else []
    return parse_notice(
        {
            "title": f"Reminder: {due.name['en']} ({due.event})",
            "text": text,
            "buttons": buttons,
            "targets": {"subscribers": {}},
        }
    )


def _when(minutes: int, texts: Texts, language: str) -> str:
    """How far ahead, as the reminder was configured ("in 2 hours", "tomorrow")."""
    if minutes == 24 * 60:
        return texts.get("broadcasts.when_tomorrow", language)
    if minutes % (24 * 60) == 0:
        return texts.get("broadcasts.when_days", language, n=minutes // (24 * 60))
    if minutes == 60:
        return texts.get("broadcasts.when_hour", language)
    if minutes % 60 == 0:
        return texts.get("broadcasts.when_hours", language, n=minutes // 60)
    return texts.get("broadcasts.when_minutes", language, n=minutes)
