"""PostgreSQL connections the server closed (a restart, an administrator's
``pg_terminate_backend``) are replaced when next used: the store keeps working, and no
write or read fails for having found a dead connection in the pool."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from channels.base import Reply, action_to_dict
from storage.outbox_queue import NewOutbound
from storage.store import Store
from tests.builders import eventually


def backends(admin_url: str, name: str, terminate: bool = False) -> list[int]:
    """The server processes of the connections named ``name``; ended, with ``terminate``."""
    query = "SELECT pid FROM pg_stat_activity WHERE application_name = :name"
    if terminate:
        query = f"SELECT pg_terminate_backend(pid) FROM ({query}) AS named"
    engine = create_engine(admin_url)
    try:
        with engine.begin() as conn:
            return list(conn.execute(text(query), {"name": name}).scalars())
    finally:
        engine.dispose()


def row(chat: str) -> NewOutbound:
    return NewOutbound("telegram", chat, action_to_dict(Reply(chat_id=chat, text="hello")))


async def test_connections_the_server_closed_are_replaced_on_next_use(db_url: str, clock) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("only PostgreSQL connections are closed by a server")
    # only this store's connections are ended: other tests share the server
    name = f"socialdesk-cut-{uuid.uuid4().hex[:8]}"
    url = make_url(db_url).update_query_dict({"application_name": name})
    store = Store.open(url.render_as_string(hide_password=False))
    try:
        # several writes and reads at once, so the pool holds several connections
        await asyncio.gather(*(store.enqueue([row(str(i))], clock()) for i in range(6)))
        await asyncio.gather(*(store.outbox() for _ in range(4)))
        healthy = set(backends(db_url, name))
        await asyncio.gather(*(store.outbox() for _ in range(4)))
        assert set(backends(db_url, name)) == healthy  # a live connection is kept
        cut = backends(db_url, name, terminate=True)
        assert cut

        async def still_there() -> list[int]:
            return await asyncio.to_thread(backends, db_url, name)

        left = await eventually(still_there, lambda pids: not set(pids) & set(cut))
        assert not set(left) & set(cut)
        # every pooled connection is dead now: each use still goes through
        await asyncio.gather(*(store.enqueue([row(f"after{i}")], clock()) for i in range(6)))
        rows = await asyncio.gather(*(store.outbox() for _ in range(4)))
        assert all(len(r) == 12 for r in rows)
        assert not set(await still_there()) & set(cut)  # on new connections
    finally:
        await store.close()
