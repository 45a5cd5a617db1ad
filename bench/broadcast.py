"""A broadcast to 10,000 Telegram subscribers at Telegram's real limits.

The fake Bot API runs in a process of its own with its limits on (30 messages/s,
1/s per chat, 20/min per group, 429 with retry_after beyond them), the bot in
another, so the bot can be killed. Three runs, each against a fresh fake:

1. the whole broadcast, start to end;
2. the same, with the bot process killed (SIGKILL) at 50% and a new one started on
   the same database, which resumes it;
3. a plain python-telegram-bot loop with its AIORateLimiter, for comparison.

Each prints messages/s at the fake (first to last delivery) against the 30/s limit,
the 429s the fake answered, and recipients who got the notice twice or never.

``--in-process``: instead, the fake and the bot in this one process with the limits
raised (fake and bot), the most the bot's own path delivers: wall time, messages/s,
duplicates and misses.

``--start N``: instead, a start to N subscribers with a small write beside it
(``bench/broadcast_start.py``): wall time, peak memory added, the write's waits.

``--processes N`` (N > 1): instead, one broadcast sent by N bot processes on one
PostgreSQL database and one Redis, sharing Telegram's limits (``bench/broadcast_procs.py``):
messages/s, 429s, duplicates, misses, and each process's share of the sends.

Usage: python bench/broadcast.py [--subscribers N] [--in-process | --start N | --processes N]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import os
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TOKEN = "123456:TEST"
FIRST_CHAT = 1_000_000
SPAWN = multiprocessing.get_context("spawn")


def serve_fake(port_out: Any, stop: Any) -> None:
    from tests.fakes.telegram import FakeTelegram

    async def main() -> None:
        async with FakeTelegram(token=TOKEN, limits=True) as tg:
            port_out.put(tg.port)
            await asyncio.to_thread(stop.wait)

    asyncio.run(main())


async def create_broadcast(app: Any, subscribers: int) -> Any:
    """``subscribers`` Telegram subscribers and the benchmark's notice to them, in the
    bot's store; returns the broadcast's record (not started)."""
    from handlers.broadcasts.notice import parse_notice
    from tests.broadcasts.support import add_subscribers

    chats = range(FIRST_CHAT, FIRST_CHAT + subscribers)
    await add_subscribers(app.store, "telegram", chats)
    notice = parse_notice(
        {
            "title": "Benchmark",
            "text": {"en": "NOVA lists on 1 December."},
            "targets": {"subscribers": {}},
        }
    )
    record, _ = await app.broadcaster.create(notice, "bench")
    return record


def run_bot(db: str, port: int, subscribers: int, create: bool) -> None:
    """The bot: on ``create``, subscribers and the broadcast first; then send until done."""
    os.environ["SOCIALDESK_TELEGRAM_TOKEN"] = TOKEN
    from bots.app import App
    from bots.config import parse_config

    config = parse_config(
        {
            "database": {"url": f"sqlite:///{db}"},
            "server": {"port": 0},
            "webchat": {"enabled": False},
            "tickets": {"sweep_seconds": 3600},
            # one person starts it: the benchmark has no second manager to approve
            "broadcasts": {"require_approval": False},
            "telegram": {
                "enabled": True,
                "base_url": f"http://127.0.0.1:{port}/bot",
                "poll_timeout": 1,
            },
        }
    )

    async def main() -> None:
        async with App(config) as app:
            assert app.store is not None and app.broadcaster is not None
            if create:
                record = await create_broadcast(app, subscribers)
                await app.broadcaster.send(record.id)
            for _ in range(7200):  # at most an hour
                if not await app.broadcaster.store.open_rows(1):
                    break
                await asyncio.sleep(0.5)

    asyncio.run(main())


def run_ptb_loop(port: int, subscribers: int) -> None:
    """The comparison: python-telegram-bot's own AIORateLimiter around a send loop."""
    from telegram.error import TelegramError
    from telegram.ext import AIORateLimiter, ApplicationBuilder

    async def main() -> None:
        app = (
            ApplicationBuilder()
            .token(TOKEN)
            .base_url(f"http://127.0.0.1:{port}/bot")
            .rate_limiter(AIORateLimiter(max_retries=5))
            .connection_pool_size(64)
            .build()
        )
        async with app:

            async def one(chat: int) -> None:
                # what the limiter could not save shows as a miss
                with contextlib.suppress(TelegramError):
                    await app.bot.send_message(chat, "NOVA lists on 1 December.")

            chats = range(FIRST_CHAT, FIRST_CHAT + subscribers)
            await asyncio.gather(*(one(c) for c in chats))

    asyncio.run(main())


def fake_state(port: int) -> dict[str, Any]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/_fake/sent", timeout=30) as r:
        data: dict[str, Any] = json.load(r)
    return data


class Fake:
    """A fresh fake Bot API in its own process."""

    def __enter__(self) -> int:
        ports = SPAWN.Queue()
        self.stop = SPAWN.Event()
        self.process = SPAWN.Process(target=serve_fake, args=(ports, self.stop), daemon=True)
        self.process.start()
        self.port: int = ports.get(timeout=60)
        return self.port

    def __exit__(self, *_exc: object) -> None:
        self.stop.set()
        self.process.join(timeout=10)


def wait_for(port: int, count: int, process: Any, progress: Callable[[int], None]) -> None:
    """Until the fake delivered ``count`` messages or ``process`` ended."""
    while True:
        delivered = len(fake_state(port)["sent"])
        progress(delivered)
        if delivered >= count or not process.is_alive():
            return
        time.sleep(0.2)


def report(label: str, state: dict[str, Any], subscribers: int, note: str = "") -> None:
    times = sorted(s["at"] for s in state["sent"])
    got = Counter(s["chat_id"] for s in state["sent"])
    expected = set(range(FIRST_CHAT, FIRST_CHAT + subscribers))
    rate = (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else 0.0
    duplicates = sum(n - 1 for n in got.values() if n > 1)
    misses = len(expected - set(got))
    print(
        f"{label:<34} {len(times):>6} sent  {rate:5.2f} msg/s (limit 30)  "
        f"429s: {state['limited']:<4} duplicates: {duplicates:<3} misses: {misses}{note}"
    )


def in_process(subscribers: int) -> None:
    """The fake and the bot in one process, limits raised: the bot's own ceiling."""
    os.environ["SOCIALDESK_TELEGRAM_TOKEN"] = TOKEN
    from bots.app import App
    from bots.config import parse_config
    from handlers.broadcasts.notice import parse_notice
    from tests.broadcasts.support import add_subscribers
    from tests.fakes.telegram import FakeTelegram

    async def main() -> None:
        async with FakeTelegram(token=TOKEN, limits=False) as tg:
            with tempfile.TemporaryDirectory() as tmp:
                config = parse_config(
                    {
                        "database": {"url": f"sqlite:///{tmp}/bot.db"},
                        "server": {"port": 0},
                        "webchat": {"enabled": False},
                        "broadcasts": {"require_approval": False},
                        "outbox": {"concurrency": 64},
                        "telegram": {
                            "enabled": True,
                            "base_url": tg.base_url,
                            "poll_timeout": 1,
                            "max_per_second": 100_000,
                            "max_per_chat_per_second": 1000,
                        },
                    }
                )
                async with App(config) as app:
                    assert app.store is not None and app.broadcaster is not None
                    chats = range(FIRST_CHAT, FIRST_CHAT + subscribers)
                    await add_subscribers(app.store, "telegram", chats, "de")
                    notice = parse_notice(
                        {
                            "title": "Benchmark",
                            "text": {"en": "NOVA lists on 1 December."},
                            "targets": {"subscribers": {}},
                        }
                    )
                    began = time.perf_counter()
                    record, _ = await app.broadcaster.create(notice, "bench")
                    await app.broadcaster.send(record.id)
                    for _ in range(36_000):  # at most an hour
                        if not await app.broadcaster.store.open_rows(record.id):
                            break
                        await asyncio.sleep(0.1)
                    wall = time.perf_counter() - began
                    _, result = await app.broadcaster.report(record.id)
            got = Counter(int(m["chat_id"]) for m in tg.sent())
        duplicates = sum(n - 1 for n in got.values() if n > 1)
        misses = len(set(chats) - set(got))
        print(
            f"in one process, limits raised: {subscribers:,} subscribers in {wall:.1f} s "
            f"({sum(got.values()) / wall:.0f} msg/s), delivered {result.outcomes['delivered']:,}, "
            f"duplicates: {duplicates}, misses: {misses}"
        )

    asyncio.run(main())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subscribers", type=int, default=10_000)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--in-process", action="store_true", help="one process, limits raised")
    mode.add_argument("--start", type=int, metavar="N", help="measure a start to N subscribers")
    mode.add_argument(
        "--processes", type=int, default=1, metavar="N", help="N bot processes send it"
    )
    args = parser.parse_args()
    n = args.subscribers
    if args.processes > 1:
        from bench.broadcast_procs import run

        run(args.processes, n)
        return
    if args.in_process:
        in_process(n)
        return
    if args.start:
        from bench.broadcast_start import run
        from handlers.broadcasts.batches import BATCH

        run(args.start, BATCH, None)
        return

    def show(label: str) -> Callable[[int], None]:
        def progress(done: int) -> None:
            print(f"\r{label}: {done}/{n}", end="", file=sys.stderr, flush=True)

        return progress

    with tempfile.TemporaryDirectory() as tmp:
        with Fake() as port:
            bot = SPAWN.Process(target=run_bot, args=(f"{tmp}/one.db", port, n, True))
            bot.start()
            wait_for(port, n, bot, show("whole run"))
            bot.join(timeout=60)
            print(file=sys.stderr)
            report("socialdesk, whole run", fake_state(port), n)

        with Fake() as port:
            db = f"{tmp}/two.db"
            bot = SPAWN.Process(target=run_bot, args=(db, port, n, True))
            bot.start()
            wait_for(port, n // 2, bot, show("until the kill"))
            bot.kill()
            bot.join()
            killed_at = time.monotonic()
            before = fake_state(port)
            resumed = SPAWN.Process(target=run_bot, args=(db, port, n, False))
            resumed.start()
            wait_for(port, len(before["sent"]) + 1, resumed, show("restarting"))
            restart = time.monotonic() - killed_at
            wait_for(port, n, resumed, show("resumed"))
            resumed.join(timeout=60)
            print(file=sys.stderr)
            after = fake_state(port)
            resumed_part = {
                "sent": after["sent"][len(before["sent"]) :],
                "limited": after["limited"] - before["limited"],
            }
            report(f"  killed at {len(before['sent'])}", before, n)
            report("  resumed by a new process", resumed_part, n)
            report(
                "socialdesk, killed at 50% + resumed",
                after,
                n,
                f"  (restart took {restart:.1f} s)",
            )

        with Fake() as port:
            loop = SPAWN.Process(target=run_ptb_loop, args=(port, n))
            loop.start()
            wait_for(port, n, loop, show("PTB loop"))
            loop.join(timeout=600)
            print(file=sys.stderr)
            report("python-telegram-bot AIORateLimiter", fake_state(port), n)


if __name__ == "__main__":
    main()
