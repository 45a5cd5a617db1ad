"""Pipeline throughput: record -> route -> outbox -> a no-op channel, on SQLite.

Prints messages/s and the p50/p99 time from dispatch to the reply leaving through the
channel. Usage: python bench/pipeline.py [--messages N] [--users K] [--db URL]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rich.progress import Progress

from bots.app import build_pipeline
from bots.config import parse_config
from channels.base import Action, Capabilities, ChatKind, Dispatch, Message
from handlers.flood import FloodGate
from handlers.outbox import Sender
from handlers.texts import Texts
from storage.migrate import upgrade
from storage.store import Store

TEXTS = [
    "hello",
    "Hallo, ich brauche Hilfe",
    "你好，请问怎么联系客服",
    "xin chào, tôi cần giúp đỡ",
    "/help",
    "/lang",
    "where is my deposit? it has been two hours",
]


class NoopChannel:
    """Delivers instantly and notes when each reply left."""

    name = "bench"
    capabilities = Capabilities(max_length=4096, buttons=True)

    def __init__(self) -> None:
        self.left: dict[str, float] = {}
        self.arrived: dict[str, asyncio.Event] = {}
        self._ids = itertools.count()

    async def start(self, dispatch: Dispatch) -> None: ...

    async def stop(self) -> None: ...

    async def perform(self, action: Action) -> str | None:
        chat = getattr(action, "chat_id", "")
        self.left[chat] = time.perf_counter()
        self.arrived.setdefault(chat, asyncio.Event()).set()
        return str(next(self._ids))


async def run(messages: int, users: int, url: str) -> None:
    upgrade(url)
    store = Store.open(url)
    channel = NoopChannel()
    clock = lambda: datetime.now(UTC)  # noqa: E731
    sender = Sender(store, {"bench": channel}, clock, concurrency=64)
    pipeline = build_pipeline(parse_config({}), store, Texts.load(), clock, {"bench": channel})
    pipeline.wake = sender.wake
    # each bench user writes far faster than a person; flood control would rightly
    # stop answering them after 20 messages, so it is opened wide for the measurement
    pipeline.flood = FloodGate(rate=1_000_000, period=1.0)
    pipeline.detector.detect("warm up the language models")
    await sender.start()
    latencies: list[float] = []
    per_user = messages // users

    async def user(u: int, progress: Progress, task: int) -> None:
        chat = f"user-{u}"
        for i in range(per_user):
            started = time.perf_counter()
            await pipeline.dispatch(
                Message(
                    channel="bench",
                    chat_id=chat,
                    chat_kind=ChatKind.PRIVATE,
                    sender_id=chat,
                    text=TEXTS[(u + i) % len(TEXTS)],
                    platform_message_id=f"{u}-{i}",
                    received_at=clock(),
                )
            )
            arrived = channel.arrived.setdefault(chat, asyncio.Event())
            while channel.left.get(chat, 0) < started:
                arrived.clear()
                await arrived.wait()
            latencies.append(channel.left[chat] - started)
            progress.advance(task)

    began = time.perf_counter()
    with Progress(transient=True) as progress:
        task = progress.add_task("messages", total=per_user * users)
        await asyncio.gather(*(user(u, progress, task) for u in range(users)))
    elapsed = time.perf_counter() - began
    await sender.stop()
    await store.close()
    latencies.sort()
    total = len(latencies)
    print(f"messages: {total}  users: {users}  database: {url.split(':')[0]}")
    print(f"throughput: {total / elapsed:,.0f} messages/s")
    print(
        f"latency p50: {statistics.median(latencies) * 1000:.1f} ms  "
        f"p99: {latencies[int(total * 0.99) - 1] * 1000:.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument(
        "--db", default=None, help="SQLAlchemy URL (default: a temporary SQLite file)"
    )
    args = parser.parse_args()
    if args.messages < args.users or args.users < 1:
        parser.error("--messages must be at least --users, and --users at least 1")
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{tmp}/bench.db"
        asyncio.run(run(args.messages, args.users, url))


if __name__ == "__main__":
    main()
