"""Engines: SQLite by default (one file, WAL), any SQLAlchemy URL for PostgreSQL."""

from __future__ import annotations

import select
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DisconnectionError
from sqlmodel import create_engine


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def ensure_sqlite_folder(url: str) -> None:
    """Create the folder of a SQLite file URL (``./var/`` on a fresh checkout)."""
    parsed = make_url(url)
    database = parsed.database or ""
    if parsed.get_backend_name() == "sqlite" and database not in ("", ":memory:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def make_engine(url: str) -> Engine:
    """An engine for ``url``; creates the SQLite file's folder when it is missing.

    SQLite runs in WAL mode with ``synchronous=NORMAL``: a crash loses no committed
    transaction, and readers never block the writer. On PostgreSQL a pooled connection
    the server has closed (a restart, ``pg_terminate_backend``, an idle timeout) is
    replaced when it is next taken from the pool (:func:`_drop_if_closed`), without
    the round trip a ping on every checkout would cost.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        engine = create_engine(url, pool_size=10, max_overflow=10)
        event.listen(engine, "checkout", _drop_if_closed)
        return engine
    database = parsed.database or ""
    in_memory = database in ("", ":memory:")
    ensure_sqlite_folder(url)
    kwargs: dict[str, Any] = {"connect_args": {"check_same_thread": False}}
    if in_memory:
        from sqlalchemy.pool import StaticPool

        kwargs["poolclass"] = StaticPool
    engine = create_engine(url, **kwargs)
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _drop_if_closed(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """Refuse a pooled connection the server has closed; the pool then opens another.

    A server that ends a session (a restart, ``pg_terminate_backend``, an idle
    timeout) sends its last message and closes the socket, so an idle connection's
    socket has something to read only then: one ``poll`` with no wait tells, where
    ``pool_pre_ping`` would send a query to the server on every checkout. Raising
    ``DisconnectionError`` is SQLAlchemy's way to have the pool discard it and check
    out a fresh one. A connection cut without the server closing it (its host gone)
    is not seen here: its transaction fails, SQLAlchemy invalidates the pool, and the
    next one reconnects.
    """
    if getattr(dbapi_connection, "closed", False) or getattr(dbapi_connection, "broken", False):
        raise DisconnectionError("the connection is closed")
    try:
        fd = dbapi_connection.fileno()
    except Exception as exc:  # the driver has no socket any more
        raise DisconnectionError("the connection has no socket") from exc
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLERR | select.POLLHUP)
    if poller.poll(0):
        raise DisconnectionError("the server closed the connection")
