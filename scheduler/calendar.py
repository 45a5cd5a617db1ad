"""The broadcasts' calendar: a scheduled notice, or its unpinning, as a stored job.

The broadcaster is given this calendar when it is built (``schedule``, ``unschedule``,
``schedule_unpin``); the calendar stores a date job through the bot's
:class:`~scheduler.service.Scheduler`, which wakes for it at once when it runs jobs and
otherwise writes it to the job store for the process that does.
"""

from __future__ import annotations

from datetime import datetime

from scheduler.broadcasts import (
    broadcast_job,
    job_id,
    send_broadcast,
    unpin_broadcast,
    unpin_job,
)
from scheduler.service import Scheduler
from storage.broadcasts import BroadcastStore


class BroadcastCalendar:
    """Stores and drops broadcasts' date jobs on one scheduler."""

    def __init__(self, scheduler: Scheduler, broadcasts: BroadcastStore) -> None:
        self.scheduler = scheduler
        self.broadcasts = broadcasts

    def __repr__(self) -> str:
        return f"BroadcastCalendar({self.scheduler!r})"

    async def schedule(self, broadcast_id: int, at: datetime) -> None:
        """Start broadcast ``broadcast_id`` at ``at`` (a later schedule replaces it)."""
        title = await self._title(broadcast_id)
        self.scheduler.add_job(send_broadcast, broadcast_job(broadcast_id, at, title))

    async def schedule_unpin(self, broadcast_id: int, at: datetime) -> None:
        """Unpin broadcast ``broadcast_id`` wherever it was pinned, at ``at``."""
        title = await self._title(broadcast_id)
        self.scheduler.add_job(unpin_broadcast, unpin_job(broadcast_id, at, title))

    async def unschedule(self, broadcast_id: int) -> None:
        """Drop a cancelled broadcast's job; one never scheduled is no error."""
        self.scheduler.remove_job(job_id(broadcast_id))

    async def _title(self, broadcast_id: int) -> str:
        record = await self.broadcasts.get(broadcast_id)
        return record.title if record is not None else ""
