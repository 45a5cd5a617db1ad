"""The scheduler's leader losing its lock's session: it stops running jobs at once, and
another process leads, so no reminder or broadcast goes out twice."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

import pytest

from scheduler.sla import sweep_sla

T = TypeVar("T")


# Which process ran each run of ``record_run`` (its thread's name: see ``Process``).
RUNS: list[str] = []


async def record_run() -> None:
    """A scheduled job that says where it ran; stored by reference, like the bot's."""
    RUNS.append(threading.current_thread().name)


class Process:
    """One bot process as far as its scheduler goes: its own event loop on its own
    thread, so a run of ``record_run`` names the process whose scheduler started it."""

    def __init__(self, name: str) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name=name, daemon=True)
        self.thread.start()

    async def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coro, self.loop))

    async def close(self) -> None:
        await self.run(self.loop.shutdown_default_executor())
        self.loop.call_soon_threadsafe(self.loop.stop)
        await asyncio.to_thread(self.thread.join)
        self.loop.close()


async def test_a_leader_whose_lock_session_ends_stops_running_the_jobs(
    db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """PostgreSQL ending the leader's lock session (a restart, a network cut, here
    ``pg_terminate_backend``) frees the lock, and a standby takes it: the old leader
    must stop running jobs, or reminders and broadcasts go out twice. It stands by,
    and leads again once the new leader stops."""
    from sqlalchemy import create_engine, text

    from scheduler.service import Scheduler
    from storage.engine import make_engine
    from tests.builders import eventually

    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite serves one process: there is no lock to hand over")
    RUNS.clear()
    jobs = [(record_run, {"id": "record-run", "trigger": "interval", "seconds": 0.1})]
    first_engine, second_engine = make_engine(db_url), make_engine(db_url)
    admin = create_engine(db_url)
    one, two = Process("first"), Process("second")
    options = {"retry_lock_seconds": 0.05, "check_lock_seconds": 0.1}
    first = Scheduler(first_engine, jobs, **options)
    second = Scheduler(second_engine, jobs, **options)

    second_leads = threading.Event()

    async def runs_by(name: str, since: int = 0) -> int:
        return RUNS[since:].count(name)

    try:
        await one.run(first.start())
        await two.run(second.start())
        assert first.running and not second.running
        assert await eventually(lambda: runs_by("first"), bool)
        # Once it has lost the lock, the first process tries it again only after the
        # second has taken it: which one tries first is otherwise up to the machine.
        take_lock = first._take_lock

        def after_the_takeover() -> bool:
            second_leads.wait()
            return take_lock()

        first._take_lock = after_the_takeover  # type: ignore[method-assign]
        pid = first.lock_pid
        assert pid is not None
        with admin.begin() as conn:
            assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()

        leaders = await eventually(
            lambda: _value((first.running, second.running)), lambda now: now == (False, True)
        )
        assert leaders == (False, True)
        second_leads.set()
        # Logged once the old leader's scheduler has stopped: no run of its own after it.
        await eventually(lambda: _value("lost the lock" in caplog.text), bool)
        since = len(RUNS)
        assert await eventually(lambda: runs_by("second", since), lambda n: n >= 3) >= 3
        assert set(RUNS[since:]) == {"second"}
        assert caplog.text.count("lost the lock") == 1

        await two.run(second.stop())
        since = len(RUNS)
        assert await eventually(lambda: _value(first.running), bool)
        assert await eventually(lambda: runs_by("first", since), bool)
        assert set(RUNS[since:]) == {"first"}
    finally:
        second_leads.set()
        await one.run(first.stop())
        await two.run(second.stop())
        await one.close()
        await two.close()
        first_engine.dispose()
        second_engine.dispose()
        admin.dispose()


async def test_a_leader_whose_lock_check_hangs_stops_and_frees_the_lock(
    db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """After a network cut a query can wait minutes for TCP to give up, while PostgreSQL
    may already have ended the session and a standby taken the lock: a check that does
    not answer stops the jobs, and once it returns the session is closed, so the lock
    is free for whichever process tries next (this one included)."""
    from scheduler.service import Scheduler
    from storage.engine import make_engine
    from tests.builders import eventually

    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite serves one process: there is no lock to hand over")
    jobs = [(sweep_sla, {"id": "sla-sweep", "trigger": "interval", "seconds": 60})]
    first_engine, second_engine = make_engine(db_url), make_engine(db_url)
    options = {"retry_lock_seconds": 0.05, "check_lock_seconds": 0.1}
    first = Scheduler(first_engine, jobs, **options)
    second = Scheduler(second_engine, jobs, **options)
    holds_lock, cut, answer = first._holds_lock, threading.Event(), threading.Event()

    def hanging() -> bool:
        if cut.is_set():
            answer.wait()
        return holds_lock()

    first._holds_lock = hanging  # type: ignore[method-assign]
    try:
        await first.start()
        await second.start()
        assert first.running and not second.running
        pid = first.lock_pid
        cut.set()
        # Logged once its scheduler has stopped.
        assert await eventually(lambda: _value("did not answer" in caplog.text), bool)
        assert not first.running
        assert not second.running  # the lock's session, still open, still holds it
        answer.set()

        async def leaders() -> tuple[bool, bool]:
            # Whichever tries first leads: the first process on a new session, or the other.
            new_session = first.lock_pid != pid
            return (first.running and new_session, second.running)

        assert await eventually(leaders, any) in ((True, False), (False, True))
    finally:
        answer.set()
        await first.stop()
        await second.stop()
        first_engine.dispose()
        second_engine.dispose()


async def _value(value: T) -> T:
    return value
