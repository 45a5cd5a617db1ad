"""On PostgreSQL, the sender's claim right after a broadcast's recipients are written
walks ``ix_outbox_claim`` in (priority, id) order and stops at its limit.

The planner chooses from the table's statistics. An outbox never analyzed (a new
database, or autovacuum not yet round) made it take ``ix_outbox_chat`` and sort every
pending row instead: 98 ms a claim with 12,000 recipients pending, for as long as the
broadcast lasted. The broadcast's start refreshes the statistics once it has written
enough rows for them to matter.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection

from handlers.broadcasts.notice import parse_notice
from handlers.broadcasts.service import Broadcaster
from handlers.broadcasts.settings import BroadcastSettings
from handlers.texts import Texts
from storage import statements as sql
from storage.broadcasts import BroadcastStore
from storage.store import Store
from storage.subscriptions import SubscriptionStore
from tests.broadcasts.support import add_subscribers

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
NOTICE = parse_notice(
    {"title": "Listing", "text": {"en": "NOVA lists today."}, "targets": {"subscribers": {}}}
)


def claim_plan(conn: Connection, channels: list[str]) -> str:
    """The plan PostgreSQL makes for the sender's claim of 32 rows."""
    bound = sql.CLAIMABLE.params(now=NOW, channels=channels, limit=32)
    compiled = bound.compile(
        dialect=postgresql.psycopg.dialect(), compile_kwargs={"render_postcompile": True}
    )
    rows = conn.exec_driver_sql(f"EXPLAIN (COSTS OFF) {compiled}", compiled.params)
    return "\n".join(r[0] for r in rows)


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
async def test_the_claim_walks_its_index_right_after_a_broadcast_start(db_url: str) -> None:
    store = Store.open(db_url)
    try:
        await add_subscribers(store, "telegram", range(1, 12_001))
        broadcaster = Broadcaster(
            BroadcastStore(store),
            SubscriptionStore(store),
            Texts.load(),
            channels={"telegram"},
            languages=("en",),
            clock=lambda: NOW,
            settings=BroadcastSettings(require_approval=False),
        )
        record, _ = await broadcaster.create(NOTICE, "mia")
        assert await broadcaster.start(record.id) == ("started", 12_000)
        plan = await store.read(claim_plan, ["telegram"])
    finally:
        await store.close()
    outer = plan.splitlines()[:5]  # Limit, LockRows, the join, and the claimed rows' scan
    assert any("Index Scan using ix_outbox_claim on outbox" in line for line in outer), plan
    assert "Sort" not in plan, plan  # walked in order, not every pending row sorted
