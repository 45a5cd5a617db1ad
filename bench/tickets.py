"""The agents' API under load: 10,000 tickets with transcripts, 20 agents claiming at once.

Seeds a fresh database with tickets (each with a short transcript), serves the agents'
API on 127.0.0.1 as the bot does, and lets concurrent agents list the open queue and
claim tickets near its head, so they often race for the same one: in rounds, the 20
lists of a round leave together, then the 20 claims (``--saturate``: no rounds, each
agent in a tight loop, which measures the server at saturation rather than the latency
an agent sees). Prints p50/p99 of the list and claim calls and checks that no ticket
was claimed twice (target: claim p99 under 50 ms). The API runs in a process of its
own, as in production, and the agents' clients in this one. SQLite always; PostgreSQL
too with --database-url or SOCIALDESK_TEST_DATABASE_URL (in a schema of its own,
dropped afterwards).

Usage: python bench/tickets.py [--tickets N] [--agents K] [--claims C] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp
from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.engine import make_url

from bots.api import AgentApi, token_hash
from bots.server import Server, build_server
from handlers.outbox_rows import Outbox
from handlers.texts import Texts
from scheduler.sla import SlaSettings
from storage.migrate import upgrade
from storage.statements import CONV, IDENT, MSG, TICKET
from storage.store import Store
from storage.tickets import TicketStore

PG_ENV = "SOCIALDESK_TEST_DATABASE_URL"
LINES = [
    "my deposit has not arrived after two hours",
    "txid 5f2c…, 120 USDT on TRC20",
    "Ticket #{n} is open. A colleague will answer you right here.",
    "any news?",
    "I sent it from my Binance wallet",
    "please check, it is urgent",
]


def seed(url: str, tickets: int, per_ticket: int) -> None:
    """Tickets with identities, conversations and transcripts, inserted in bulk."""
    engine = create_engine(url)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(
            insert(IDENT),
            [
                {
                    "channel": "telegram",
                    "platform_user_id": str(100_000 + i),
                    "username": f"user{i}",
                    "display_name": f"User {i}",
                    "created_at": now,
                }
                for i in range(tickets)
            ],
        )
        identities = [r[0] for r in conn.execute(select(IDENT.c.id).order_by(IDENT.c.id))]
        conn.execute(
            insert(CONV),
            [
                {
                    "channel": "telegram",
                    "chat_id": str(100_000 + i),
                    "chat_kind": "private",
                    "identity_id": identity,
                    "created_at": now,
                    "last_message_at": now,
                }
                for i, identity in enumerate(identities)
            ],
        )
        conversations = [r[0] for r in conn.execute(select(CONV.c.id).order_by(CONV.c.id))]
        for start in range(0, tickets, 2000):
            chunk = list(enumerate(conversations))[start : start + 2000]
            conn.execute(
                insert(MSG),
                [
                    {
                        "conversation_id": conv,
                        "direction": "in" if j % 3 != 2 else "out",
                        "channel": "telegram",
                        "chat_id": str(100_000 + i),
                        "platform_message_id": f"{i}-{j}",
                        "sender_id": str(100_000 + i) if j % 3 != 2 else "bot",
                        "text": LINES[j % len(LINES)].format(n=i + 1),
                        "envelope": {},
                        "created_at": now,
                        "processed_at": now,
                    }
                    for i, conv in chunk
                    for j in range(per_ticket)
                ],
            )
        rng = random.Random(7)
        conn.execute(
            insert(TICKET),
            [
                {
                    "conversation_id": conv,
                    "channel": "telegram",
                    "chat_id": str(100_000 + i),
                    "language": "en",
                    "category": rng.choice(["deposit_missing", "withdrawal_delayed", "other"]),
                    "priority": rng.choice([1, 2, 2, 3]),
                    "status": "open",
                    "summary": "my deposit has not arrived",
                    "created_at": now - timedelta(seconds=tickets - i),
                    "tier": 1,
                }
                for i, conv in enumerate(conversations)
            ],
        )
    engine.dispose()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(int(len(ordered) * share) - 1, 0)] * 1000


def serve(url: str, ready: Connection) -> None:
    """The agents' API as the bot serves it, in a process of its own, so the
    benchmark's clients do not share its interpreter."""

    async def run() -> None:
        store = Store.open(url)
        clock = lambda: datetime.now(UTC)  # noqa: E731
        tickets = TicketStore(store)
        texts = Texts.load()
        api = AgentApi(tickets, Outbox(store, clock), texts, clock, lambda: None, SlaSettings())
        server = Server(build_server(api.routes(), lambda: {"status": "ok"}), "127.0.0.1", 0)
        await server.start()
        ready.send(server.port)
        await asyncio.get_running_loop().run_in_executor(None, ready.recv)  # until told
        await server.stop()
        await store.close()

    asyncio.run(run())


async def measure(
    url: str, tickets: int, agents: int, claims: int, per_ticket: int, saturate: bool
) -> None:
    upgrade(url)
    began = time.perf_counter()
    await asyncio.to_thread(seed, url, tickets, per_ticket)
    seeded = time.perf_counter() - began
    store = Store.open(url)
    names = [f"agent{n}" for n in range(agents)]
    for name in names:
        await TicketStore(store).add_agent(
            name, "agent", token_hash(f"token-{name}"), datetime.now(UTC)
        )
    await store.close()
    here, there = multiprocessing.get_context("spawn").Pipe()
    process = multiprocessing.get_context("spawn").Process(target=serve, args=(url, there))
    process.start()
    port = await asyncio.to_thread(here.recv)
    base = f"http://127.0.0.1:{port}/api/tickets"
    lists: list[float] = []
    claim_times: list[float] = []
    won: list[tuple[int, str]] = []
    lost = 0

    together = asyncio.Barrier(agents)

    async def agent(name: str, http: aiohttp.ClientSession) -> None:
        nonlocal lost
        rng = random.Random(name)
        headers = {"Authorization": f"Bearer token-{name}"}
        for _ in range(claims):
            if not saturate:
                await together.wait()  # the 20 lists leave at once
            started = time.perf_counter()
            async with http.get(f"{base}?status=open&assignee=none", headers=headers) as r:
                queue = [t["id"] for t in (await r.json())["tickets"] if t["assignee_id"] is None]
            lists.append(time.perf_counter() - started)
            target = rng.choice(queue[:5])  # near the head: agents race for the same ones
            if not saturate:
                await together.wait()  # ...and then the 20 claims
            started = time.perf_counter()
            async with http.post(f"{base}/{target}/claim", headers=headers) as r:
                status = r.status
                await r.read()
            claim_times.append(time.perf_counter() - started)
            if status == 200:
                won.append((target, name))
            elif status == 409:
                lost += 1
            else:
                raise RuntimeError(f"claim answered {status}")

    connector = aiohttp.TCPConnector(limit=agents)
    async with aiohttp.ClientSession(connector=connector) as http:
        began = time.perf_counter()
        await asyncio.gather(*(agent(name, http) for name in names))
        elapsed = time.perf_counter() - began
    here.send("stop")
    await asyncio.to_thread(process.join)

    engine = create_engine(url)
    with engine.connect() as conn:
        assigned = dict(
            conn.execute(
                text("SELECT t.id, a.name FROM tickets t JOIN agents a ON a.id = t.assignee_id")
            ).all()
        )
    engine.dispose()
    twice = [ticket for ticket, count in Counter(t for t, _ in won).items() if count > 1]
    mismatched = [t for t, name in won if assigned.get(t) != name]
    backend = make_url(url).get_backend_name()
    mode = "saturating" if saturate else "in rounds"
    print(f"{backend}: {tickets:,} tickets x {per_ticket} messages seeded in {seeded:.1f} s")
    print(
        f"  {agents} agents {mode}, {len(claim_times)} claims in {elapsed:.1f} s: "
        f"{len(won)} won, {lost} lost to another agent"
    )
    list_p50 = statistics.median(lists) * 1000
    print(f"  list  p50 {list_p50:6.1f} ms  p99 {percentile(lists, 0.99):6.1f} ms")
    print(
        f"  claim p50 {statistics.median(claim_times) * 1000:6.1f} ms  "
        f"p99 {percentile(claim_times, 0.99):6.1f} ms  (target p99 < 50 ms)"
    )
    verdict = "none" if not twice and not mismatched else f"{twice or mismatched}"
    print(f"  double claims: {verdict}")
    if twice or mismatched:
        raise SystemExit(1)


def postgres_schema(base: str) -> tuple[str, str]:
    """A fresh schema on ``base`` and a URL whose connections use it."""
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    engine = create_engine(base)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False), schema


def drop_schema(base: str, schema: str) -> None:
    engine = create_engine(base)
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--agents", type=int, default=20)
    parser.add_argument("--claims", type=int, default=25, help="claims per agent")
    parser.add_argument("--messages", type=int, default=6, help="transcript lines per ticket")
    parser.add_argument("--database-url", default=os.environ.get(PG_ENV), help="PostgreSQL")
    parser.add_argument(
        "--saturate",
        action="store_true",
        help="no rounds: each agent lists and claims in a tight loop (throughput at saturation)",
    )
    args = parser.parse_args()
    if args.tickets < args.agents * args.claims:
        parser.error("--tickets must cover --agents x --claims")
    run = (args.tickets, args.agents, args.claims, args.messages, args.saturate)
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(measure(f"sqlite:///{tmp}/bench.db", *run))
    if args.database_url:
        url, schema = postgres_schema(args.database_url)
        try:
            asyncio.run(measure(url, *run))
        finally:
            drop_schema(args.database_url, schema)


if __name__ == "__main__":
    main()
