"""APScheduler, with its jobs in the bot's own database so schedules survive restarts.

Several processes may run against one PostgreSQL database; only the one holding the
scheduler's advisory lock runs jobs, and another takes over when it goes away. The
leader checks its lock's session every few seconds: when PostgreSQL has ended it (a
restart, ``pg_terminate_backend``, a network cut), the lock is free for a standby, so
the leader stops running jobs and stands by itself. On SQLite there is one process, so
no lock is needed.
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
# How often the leader asks its lock's session whether it still holds the lock, and how
# long it waits for the answer. A lost session frees the lock for a standby at once, so
# until the leader notices, both may run a job: this bounds how long that can last.
CHECK_LOCK_SECONDS = 3.0
# Still ours? Asked of the lock's own session, which holds no other advisory lock. A
# query that names the lock, rather than ``SELECT 1``, stays right should the session
# ever be a new one that does not hold it.
HELD_SQL = (
    "SELECT EXISTS (SELECT FROM pg_locks WHERE locktype = 'advisory'"
    " AND pid = pg_backend_pid() AND granted)"
)


class Scheduler:
    """Owns the APScheduler instance and, on PostgreSQL, the leadership lock."""

    def __init__(
        self,
        engine: Engine,
        jobs: list[tuple[Callable[..., Any], dict[str, Any]]],
        *,
        retry_lock_seconds: float = RETRY_LOCK_SECONDS,
        check_lock_seconds: float = CHECK_LOCK_SECONDS,
    ) -> None:
        self.engine = engine
        self.jobs = jobs
        self.retry_lock_seconds = retry_lock_seconds
        self.check_lock_seconds = check_lock_seconds
        self._scheduler: AsyncIOScheduler | None = None
        self._lock_conn: Connection | None = None
        self._lock_pid: int | None = None
        self._waiter: asyncio.Task[None] | None = None

    def __repr__(self) -> str:
        return f"Scheduler(jobs={[kw.get('id') for _, kw in self.jobs]})"

    @property
    def running(self) -> bool:
        return self._scheduler is not None

    @property
    def lock_pid(self) -> int | None:
        """The PostgreSQL backend pid of the session holding the lock, while this process
        leads: the session to look for in ``pg_stat_activity`` (or to end)."""
        return self._lock_pid if self._lock_conn is not None else None

    async def start(self) -> None:
        if self.engine.dialect.name != "postgresql":
            self._start_scheduler()
            return
        if await asyncio.to_thread(self._take_lock):
            self._start_scheduler()
        else:
            log.info("scheduler: another process holds the lock; standing by")
        self._waiter = asyncio.create_task(self._lead(), name="scheduler-lock")

    async def stop(self) -> None:
        if self._waiter is not None:
            self._waiter.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._waiter
            self._waiter = None
        await self._stop_scheduler()
        if self._lock_conn is not None:
            await asyncio.to_thread(self._release_lock)

    async def _stop_scheduler(self) -> None:
        scheduler, self._scheduler = self._scheduler, None
        if scheduler is None:
            return
        # AsyncIOScheduler.shutdown only queues the shutdown on the event loop; the loop
        # runs its callbacks in order, so once one queued after it has run, the scheduler
        # has stopped, and no job of ours starts once the lock is gone and another
        # process has taken over.
        loop = asyncio.get_running_loop()
        scheduler.shutdown(wait=False)
        stopped = loop.create_future()
        loop.call_soon_threadsafe(stopped.set_result, None)
        await stopped

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
            row = conn.execute(
                text(f"SELECT pg_try_advisory_lock({LOCK_SQL}), pg_backend_pid()")
            ).one()
            conn.commit()
        except BaseException:
            conn.close()
            raise
        if not row[0]:
            conn.close()
            return False
        conn.detach()
        self._lock_conn, self._lock_pid = conn, int(row[1])
        return True

    def _holds_lock(self) -> bool:
        """Ask the lock's session; an error (the session ended) raises. Committed, so
        the session never idles in a transaction between checks."""
        conn = self._lock_conn
        if conn is None:
            return False
        held = bool(conn.execute(text(HELD_SQL)).scalar())
        conn.commit()
        return held

    def _drop_lock(self) -> None:
        """Close a lock session that is lost or in doubt: if PostgreSQL still keeps it,
        closing ends it and frees the lock, so a standby (or this process) can lead."""
        conn, self._lock_conn = self._lock_conn, None
        if conn is not None:
            with contextlib.suppress(Exception):  # a broken session is gone already
                conn.close()

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

    async def _lead(self) -> None:
        """Stand by until the lock is ours, run the jobs while it stays ours, and stand
        by again once it is lost; until stop()."""
        while True:
            if self._scheduler is None:
                await self._wait_for_lock()
                log.info("scheduler: took over the lock")
                self._start_scheduler()
            reason, pending = await self._watch_lock()
            # Stop before anything else: a standby may already hold the lock and run jobs.
            await self._stop_scheduler()
            log.warning("scheduler: lost the lock (%s); stopped running jobs, standing by", reason)
            if pending is not None:
                # Closing the session now would race the thread still waiting on it; it
                # is closed once that thread returns, whatever the answer.
                with contextlib.suppress(Exception):
                    await pending
            await asyncio.to_thread(self._drop_lock)
            # A standby has the first go: this session was ended for a reason (its
            # network, or an operator moving the jobs to another process).
            await asyncio.sleep(self.retry_lock_seconds)

    async def _watch_lock(self) -> tuple[str, asyncio.Task[bool] | None]:
        """Return once the lock is lost or in doubt: why (for the log), and a check still
        under way. A check that hangs (after a network cut a query waits until TCP gives
        up) counts as lost after one period: stopping is safe, running on maybe is not."""
        while True:
            await asyncio.sleep(self.check_lock_seconds)
            check = asyncio.create_task(asyncio.to_thread(self._holds_lock))
            done, _ = await asyncio.wait({check}, timeout=self.check_lock_seconds)
            if not done:
                return f"its session did not answer within {self.check_lock_seconds:g} s", check
            try:
                if check.result():
                    continue
                return "its session no longer holds it", None
            except Exception as exc:
                return f"its session ended: {str(exc).splitlines()[0]}", None

    async def _wait_for_lock(self) -> None:
        while True:
            try:
                if await asyncio.to_thread(self._take_lock):
                    return
            except Exception as exc:  # the database away for a while: keep standing by
                log.warning("scheduler: could not try the lock (%s); trying again", exc)
            await asyncio.sleep(self.retry_lock_seconds)


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
