"""The reminder sweep: knowledge-base reminders that fell due go to subscribers."""

from __future__ import annotations

from handlers.broadcasts.reminders import due_reminders, reminder_notice
from scheduler.runtime import current


async def send_reminders() -> int:
    """Send every due reminder not sent before; returns how many went out.

    A module-level function so APScheduler can store the job by reference.
    """
    runtime = current()
    if runtime.broadcaster is None or runtime.knowledge is None:
        return 0
    broadcaster = runtime.broadcaster
    sent = 0
    for due in due_reminders(runtime.knowledge.current, runtime.clock()):
        notice = reminder_notice(due, runtime.texts, broadcaster.languages)
        if await broadcaster.remind(notice, due.key) is not None:
            sent += 1
    return sent
