"""APScheduler, with its jobs in the bot's own database so schedules survive restarts.

Several processes may run against one PostgreSQL database; only the one holding the
scheduler's advisory lock runs jobs, and another takes over when it goes away. On
SQLite there is one process, so no lock is needed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from apscheduler.jobstores.base import JobLookupError
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

log = logging.getLogger(__name__)
# APScheduler's own chatter ("Adding job tentatively", "Added job", "Scheduler started"):
# one line per job at every start, which says nothing that "scheduler: running N
# job(s)" does not. Its warnings and errors (a job that raised, a missed run) still show.
APS_LOG = logging.getLogger("scheduler.apscheduler")
APS_LOG.setLevel(logging.WARNING)

JOBS_TABLE = "apscheduler_jobs"
# One advisory lock per job store: advisory locks are per database, and deployments (or
# test runs) that share a database in separate schemas each have their own jobs and
# need their own leader. SQL, because the schema is the session's (its search_path).
LOCK_SQL = "hashtextextended('socialdesk-scheduler:' || coalesce(current_schema(), ''), 0)"
RETRY_LOCK_SECONDS = 15.0


class Scheduler:
    """Owns the APScheduler instance and, on PostgreSQL, the leadership lock."""

    def __init__(
        self,
        engine: Engine,
        jobs: list[tuple[Callable[..., Any], dict[str, Any]]],
        *,
        retry_lock_seconds: float = RETRY_LOCK_SECONDS,
    ) -> None:
        self.engine = engine
        self.jobs = jobs
        self.retry_lock_seconds = retry_lock_seconds
        self._scheduler: AsyncIOScheduler | None = None
        self._lock_conn: Connection | None = None
        self._waiter: asyncio.Task[None] | None = None

    def __repr__(self) -> str:
        return f"Scheduler(jobs={[kw.get('id') for _, kw in self.jobs]})"

    @property
    def running(self) -> bool:
        return self._scheduler is not None

    async def start(self) -> None:
        if self.engine.dialect.name != "postgresql" or await asyncio.to_thread(self._take_lock):
            self._start_scheduler()
        else:
            log.info("scheduler: another process holds the lock; standing by")
            self._waiter = asyncio.create_task(self._wait_for_lock(), name="scheduler-lock")

    async def stop(self) -> None:
        if self._waiter is not None:
            self._waiter.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._waiter
        if self._scheduler is not None:
            # AsyncIOScheduler.shutdown only queues the shutdown on the event loop; the
            # loop runs its callbacks in order, so once one queued after it has run, the
            # scheduler has stopped, and no job of ours starts once the lock is gone and
            # another process has taken over.
            loop = asyncio.get_running_loop()
            self._scheduler.shutdown(wait=False)
            stopped = loop.create_future()
            loop.call_soon_threadsafe(stopped.set_result, None)
            await stopped
            self._scheduler = None
        if self._lock_conn is not None:
            await asyncio.to_thread(self._release_lock)

    def _start_scheduler(self) -> None:
        scheduler = AsyncIOScheduler(
            logger=APS_LOG,
            jobstores={"default": SQLAlchemyJobStore(engine=self.engine, tablename=JOBS_TABLE)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300},
        )
        for func, options in self.jobs:
            scheduler.add_job(func, replace_existing=True, **options)
        scheduler.start()
        self._scheduler = scheduler
        log.info("scheduler: running %d job(s)", len(scheduler.get_jobs()))

    def add_job(self, func: Callable[..., Any], options: dict[str, Any]) -> None:
        """Store a job now; the running scheduler wakes for it at once. A process that
        stands by (another holds the lock) writes it for the leader to find."""
        if self._scheduler is not None:
            self._scheduler.add_job(func, **options)
            return
        store_job(self.engine, func, options)

    def remove_job(self, job_id: str) -> None:
        """Drop a stored job (a cancelled broadcast's); a missing one is no error."""
        if self._scheduler is not None:
            with contextlib.suppress(JobLookupError):
                self._scheduler.remove_job(job_id)
            return
        remove_stored_job(self.engine, job_id)

    def _take_lock(self) -> bool:
        """Try the lock once. The connection that holds it leaves the pool: an advisory
        lock lasts as long as its session, and a pooled connection's session outlives
        ``close()`` (it goes back to the pool, or into the old pool that APScheduler's
        job store disposes at shutdown, where it would hold the lock until the garbage
        collector got to it)."""
        conn = self.engine.connect()
        try:
            got = conn.execute(text(f"SELECT pg_try_advisory_lock({LOCK_SQL})")).scalar()
            conn.commit()
        except BaseException:
            conn.close()
            raise
        if not got:
            conn.close()
            return False
        conn.detach()
        self._lock_conn = conn
        return True

    def _release_lock(self) -> None:
        """Unlock before closing, so a standby's next try finds the lock free rather
        than whenever the server has ended the closed session."""
        conn, self._lock_conn = self._lock_conn, None
        if conn is None:
            return
        try:
            conn.execute(text(f"SELECT pg_advisory_unlock({LOCK_SQL})"))
            conn.commit()
        except Exception as exc:  # a broken session has lost its lock already
            log.warning("scheduler: could not unlock (%s); closing the session instead", exc)
        finally:
            conn.close()

    async def _wait_for_lock(self) -> None:
        while True:
            try:
                if await asyncio.to_thread(self._take_lock):
                    break
            except Exception as exc:  # the database away for a while: keep standing by
                log.warning("scheduler: could not try the lock (%s); trying again", exc)
            await asyncio.sleep(self.retry_lock_seconds)
        log.info("scheduler: took over the lock")
        self._start_scheduler()


def list_jobs(engine: Engine) -> list[dict[str, Any]]:
    """The stored jobs with their next run, read without running any (``socialdesk jobs``)."""
    from apscheduler.schedulers.background import BackgroundScheduler

    scheduler = BackgroundScheduler(
        logger=APS_LOG,
        jobstores={"default": SQLAlchemyJobStore(engine=engine, tablename=JOBS_TABLE)},
    )
    scheduler.start(paused=True)
    try:
        return [
            {
                "id": job.id,
                "next_run": job.next_run_time,
                "trigger": str(job.trigger),
                "name": job.name,
            }
            for job in scheduler.get_jobs()
        ]
    finally:
        scheduler.shutdown(wait=False)


def store_job(engine: Engine, func: Callable[..., Any], options: dict[str, Any]) -> None:
    """Write a job into the job store without running anything (the CLI's path).

    The running bot's scheduler finds it at its next wake-up, at most one SLA sweep
    interval (``tickets.sweep_seconds``) later.
    """
    from apscheduler.schedulers.background import BackgroundScheduler

    scheduler = BackgroundScheduler(
        logger=APS_LOG,
        jobstores={"default": SQLAlchemyJobStore(engine=engine, tablename=JOBS_TABLE)},
    )
    scheduler.start(paused=True)
    try:
        scheduler.add_job(func, **options)
    finally:
        scheduler.shutdown(wait=False)


def remove_stored_job(engine: Engine, job_id: str) -> None:
    """Delete a job from the job store without a scheduler (the CLI's path)."""
    store = SQLAlchemyJobStore(engine=engine, tablename=JOBS_TABLE)
    with contextlib.suppress(JobLookupError):
        store.remove_job(job_id)
