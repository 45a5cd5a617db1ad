"""Running write transactions off the event loop, with group commit on SQLite.

Each write job is a function of a connection. On PostgreSQL a job gets a transaction
of its own on one of several threads. On SQLite there is one writer, and a commit costs
more than most statements, so jobs that queue up while the writer is busy are run
together in one transaction: a thousand messages a second cost tens of commits, not
thousands. A job's caller hears of its result only after the commit, so nothing is
reported done that is not on disk. If one job of a group fails, the group is rolled
back and each job is run alone, so only the failing one fails.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any, TypeVar

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, IntegrityError

T = TypeVar("T")
Job = tuple[Callable[..., Any], tuple[Any, ...], asyncio.Future[Any], asyncio.AbstractEventLoop]


class TransactionRunner:
    """Runs ``fn(conn, *args)`` jobs in transactions on ``executor``'s threads."""

    def __init__(self, engine: Engine, executor: Executor, *, group_commit: bool) -> None:
        self.engine = engine
        self.executor = executor
        self.group_commit = group_commit
        self._lock = threading.Lock()
        self._jobs: list[Job] = []
        self._scheduled = False

    def __repr__(self) -> str:
        return f"TransactionRunner(group_commit={self.group_commit})"

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        if not self.group_commit:
            return await loop.run_in_executor(self.executor, self._alone, fn, args)
        future: asyncio.Future[T] = loop.create_future()
        with self._lock:
            self._jobs.append((fn, args, future, loop))
            schedule, self._scheduled = not self._scheduled, True
        if schedule:
            self.executor.submit(self._flush)
        return await future

    def _alone(self, fn: Callable[..., T], args: tuple[Any, ...]) -> T:
        try:
            with self.engine.begin() as conn:
                return fn(conn, *args)
        except IntegrityError:
            # another process inserted the same key between our read and write;
            # run once more, now that its row is visible
            pass
        except DBAPIError as exc:
            if not exc.connection_invalidated:
                raise
            # the server ended this pooled session (a restart, pg_terminate_backend)
            # while it sat idle, which the job meets at its first statement: nothing
            # was committed, and SQLAlchemy has emptied the pool, so run it once more
            # on a new connection rather than fail a user's message over it
        with self.engine.begin() as conn:
            return fn(conn, *args)

    def _flush(self) -> None:
        with self._lock:
            jobs, self._jobs = self._jobs, []
            self._scheduled = False
        if not jobs:
            return
        try:
            with self.engine.begin() as conn:
                results = [_call(fn, conn, args) for fn, args, _, _ in jobs]
        except Exception:
            for fn, args, future, loop in jobs:
                try:
                    result = self._alone(fn, args)
                except Exception as exc:
                    loop.call_soon_threadsafe(_fail, future, exc)
                else:
                    loop.call_soon_threadsafe(_succeed, future, result)
            return
        for (_, _, future, loop), result in zip(jobs, results, strict=True):
            loop.call_soon_threadsafe(_succeed, future, result)


def _call(fn: Callable[..., Any], conn: Connection, args: tuple[Any, ...]) -> Any:
    return fn(conn, *args)


def _succeed(future: asyncio.Future[Any], result: Any) -> None:
    if not future.done():
        future.set_result(result)


def _fail(future: asyncio.Future[Any], exc: BaseException) -> None:
    if not future.done():
        future.set_exception(exc)
