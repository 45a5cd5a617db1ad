"""Starting a broadcast to a million subscribers: memory, time, and who waits for it.

The subscribers are written first (in bulk, outside the measurement). Then, in a
fresh process so that its memory says what the start costs, a notice to every
subscriber is started while a probe writes a small outbox row (what answering a
user writes) every 20 ms. Printed: the start's wall time and rows/s, the peak RSS
added during the start, and the probe's waits (the longest and p99): how long a
user's answer waited for the writer while the start ran.

Usage: python bench/broadcast_start.py [--subscribers N] [--batch N] [--database URL]
(``bench/broadcast.py --start N`` runs the same.) Without ``--database`` a fresh
SQLite file in a temporary folder; a PostgreSQL URL gets a fresh schema.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import resource
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SPAWN = multiprocessing.get_context("spawn")
PROBE_EVERY = 0.02


def rss_mb() -> float:
    """The process's resident memory now, in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def prepare(url: str, subscribers: int) -> None:
    """Migrate and write ``subscribers`` Telegram subscribers, 20,000 per statement."""
    from sqlalchemy import insert, literal, select

    from storage.engine import make_engine
    from storage.migrate import upgrade
    from storage.models import Identity, Subscription, table_of

    upgrade(url)
    ident, sub = table_of(Identity), table_of(Subscription)
    engine = make_engine(url)
    now = datetime.now(UTC)
    step = 20_000
    with engine.begin() as conn:
        for first in range(0, subscribers, step):
            chats = range(1_000_000 + first, 1_000_000 + min(first + step, subscribers))
            conn.execute(
                insert(ident),
                [
                    {"channel": "telegram", "platform_user_id": str(c), "created_at": now}
                    for c in chats
                ],
            )
        conn.execute(
            insert(sub).from_select(
                ["identity_id", "channel", "chat_id", "language", "created_at"],
                select(
                    ident.c.id,
                    ident.c.channel,
                    ident.c.platform_user_id,
                    literal("en"),
                    ident.c.created_at,
                ).order_by(ident.c.id),
            )
        )
    engine.dispose()


def measure(url: str, batch: int, results: Any) -> None:
    """The start, in this (fresh) process, with the probe writing beside it."""
    from channels.base import Reply, action_to_dict
    from handlers.broadcasts.notice import parse_notice
    from handlers.broadcasts.service import Broadcaster
    from handlers.broadcasts.settings import BroadcastSettings
    from handlers.texts import Texts
    from storage.broadcasts import BroadcastStore
    from storage.store import NewOutbound, Store
    from storage.subscriptions import SubscriptionStore

    async def main() -> dict[str, float]:
        store = Store.open(url)
        broadcaster = Broadcaster(
            BroadcastStore(store),
            SubscriptionStore(store),
            Texts.load(),
            channels={"telegram"},
            languages=("en",),
            clock=lambda: datetime.now(UTC),
            settings=BroadcastSettings(require_approval=False),
            batch=batch,
        )
        notice = parse_notice(
            {
                "title": "Benchmark",
                "text": {"en": "NOVA lists on 1 December."},
                "targets": {"subscribers": {}},
            }
        )
        record, _ = await broadcaster.create(notice, "bench")
        reply = action_to_dict(Reply(chat_id="42", text="Your deposit arrived."))
        answer = [NewOutbound("telegram", "42", reply)]
        await store.enqueue(answer, datetime.now(UTC))  # warm: every statement compiled once
        before = rss_mb()
        waits: list[float] = []
        done = asyncio.Event()

        async def probe() -> None:
            while not done.is_set():
                began = time.perf_counter()
                await store.enqueue(answer, datetime.now(UTC))
                waits.append(time.perf_counter() - began)
                await asyncio.sleep(PROBE_EVERY)

        prober = asyncio.create_task(probe())
        began = time.perf_counter()
        outcome, rows = await broadcaster.start(record.id)
        wall = time.perf_counter() - began
        done.set()
        await prober
        await store.close()
        assert outcome == "started", outcome
        waits.sort()
        return {
            "rows": rows,
            "wall": wall,
            "added_mb": peak_rss_mb() - before,
            "before_mb": before,
            "probes": len(waits),
            "max_wait_ms": waits[-1] * 1000,
            "p99_wait_ms": waits[int(len(waits) * 0.99)] * 1000,
            "p50_wait_ms": waits[len(waits) // 2] * 1000,
        }

    results.put(asyncio.run(main()))


def fresh_postgres(base: str) -> str:
    """A new schema on ``base``, as the tests make one."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


def drop_postgres(url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    schema = make_url(url).query["options"].split("=", 1)[1]  # type: ignore[union-attr]
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


def run(subscribers: int, batch: int, database: str | None) -> None:
    """Prepare, measure in a fresh process, print one line."""
    with tempfile.TemporaryDirectory() as tmp:
        url = fresh_postgres(database) if database else f"sqlite:///{tmp}/start.db"
        try:
            began = time.perf_counter()
            prepare(url, subscribers)
            print(f"{subscribers:,} subscribers written in {time.perf_counter() - began:.1f} s")
            results = SPAWN.Queue()
            process = SPAWN.Process(target=measure, args=(url, batch, results))
            process.start()
            figures = results.get(timeout=3600)
            process.join()
        finally:
            if database:
                drop_postgres(url)
    engine = "PostgreSQL" if database else "SQLite"
    print(
        f"{engine}, batches of {batch:,}: {figures['rows']:,.0f} rows in "
        f"{figures['wall']:.1f} s ({figures['rows'] / figures['wall']:,.0f} rows/s); "
        f"peak RSS added {figures['added_mb']:.0f} MB (process at {figures['before_mb']:.0f} MB "
        f"before); a small write every {PROBE_EVERY * 1000:.0f} ms ({figures['probes']:,.0f}) "
        f"waited p50 {figures['p50_wait_ms']:.1f} ms, p99 {figures['p99_wait_ms']:.1f} ms, "
        f"longest {figures['max_wait_ms']:.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subscribers", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=None, help="default: the bot's own")
    parser.add_argument("--database", default=None, help="a PostgreSQL URL (default SQLite)")
    args = parser.parse_args()
    from handlers.broadcasts.batches import BATCH

    run(args.subscribers, args.batch or BATCH, args.database)


if __name__ == "__main__":
    main()
