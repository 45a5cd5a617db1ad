"""Scheduled broadcasts: one APScheduler date job per broadcast, stored in the bot's
database, so a schedule survives a restart (and ``socialdesk jobs`` lists it).

The job only starts the send (recipient rows, written in batches); starting is
idempotent, so a job that runs twice, or races a manual ``send``, sends once. A start
that a crash interrupted is given a job again when the bot next starts
(:func:`resume_jobs`), which writes the rows still missing.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any

from scheduler.runtime import current

if TYPE_CHECKING:
    from handlers.broadcasts.service import Broadcaster

log = logging.getLogger(__name__)


async def send_broadcast(broadcast_id: int) -> str:
    """Start broadcast ``broadcast_id``; returns the outcome (``started``, ``already``...).

    A module-level function so APScheduler can store the job by reference.
    """
    broadcaster = current().broadcaster
    if broadcaster is None:
        raise RuntimeError("broadcasts are not set up in this runtime")
    outcome, rows = await broadcaster.start(broadcast_id)
    log.info("broadcast %d: %s (%d message(s) queued)", broadcast_id, outcome, rows)
    return outcome


async def unpin_broadcast(broadcast_id: int) -> int:
    """Unpin broadcast ``broadcast_id`` wherever it was pinned (``unpin_after_hours``).

    Running twice only asks the platforms to unpin what is unpinned already.
    """
    broadcaster = current().broadcaster
    if broadcaster is None:
        raise RuntimeError("broadcasts are not set up in this runtime")
    count = await broadcaster.unpin(broadcast_id)
    log.info("broadcast %d: unpinning in %d chat(s)", broadcast_id, count)
    return count


def unpin_job(broadcast_id: int, at: datetime, title: str = "") -> dict[str, Any]:
    """The job options for unpinning a broadcast at ``at``."""
    return {
        "id": f"unpin-{broadcast_id}",
        "name": f"unpin broadcast {broadcast_id}: {title}"[:120],
        "trigger": "date",
        "run_date": at,
        "args": [broadcast_id],
        "misfire_grace_time": None,
        "replace_existing": True,
    }


def job_id(broadcast_id: int) -> str:
    return f"broadcast-{broadcast_id}"


def broadcast_job(broadcast_id: int, at: datetime, title: str = "") -> dict[str, Any]:
    """The job options for a broadcast at ``at``; a later schedule replaces it.

    No misfire grace limit: a notice scheduled while the bot was down goes out when
    it comes back, rather than never.
    """
    return {
        "id": job_id(broadcast_id),
        "name": f"broadcast {broadcast_id}: {title}"[:120],
        "trigger": "date",
        "run_date": at,
        "args": [broadcast_id],
        "misfire_grace_time": None,
        "replace_existing": True,
    }


async def resume_jobs(broadcaster: Broadcaster, now: datetime) -> list[dict[str, Any]]:
    """A job to run now for each broadcast whose start was interrupted."""
    found = await broadcaster.resume()
    for broadcast_id in found:
        log.info("broadcast %d: its start was interrupted; resuming it", broadcast_id)
    return [broadcast_job(i, now, "resumed start") for i in found]
