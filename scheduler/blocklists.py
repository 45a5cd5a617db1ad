"""The block-list refresh: phishing lists are read again from their configured paths.

Whatever fetches new lists (a cron job, a sidecar) only has to replace the files; the
bot picks them up here, and a broken file leaves the lists in service untouched.
"""

from __future__ import annotations

import asyncio

from scheduler.runtime import current


async def refresh_blocklists() -> int:
    """Reload every guard's lists; returns how many guards took new ones.

    A module-level function so APScheduler can store the job by reference.
    """
    refreshed = 0
    for guard in current().guards:
        refreshed += await asyncio.to_thread(guard.reload)
    return refreshed
