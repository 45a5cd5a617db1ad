"""Telegram end to end: updates injected into the fake Bot API, replies out.

The fake runs in a process of its own (as Telegram would), the bot in this one: the
real python-telegram-bot polls the fake, and every reply goes through the inbox, router
and outbox. Prints replies/s and the p50/p99 time from an update's injection to its
reply arriving at the fake. The fake's limits are off, and so are the bot's own
(``telegram.max_per_*``), to measure socialdesk rather than Telegram's flood rules.

Usage: python bench/telegram_e2e.py [--messages M] [--users K] [--rate PER_SECOND]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict, deque
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp
from rich.progress import Progress

from bots.app import App
from bots.config import parse_config
from tests.fakes.telegram import FakeTelegram

TEXTS = [
    "hello",
    "/help",
    "Wann kommt der NOVA Airdrop?",
    "充值没到账怎么办",
    "how long does KYC take?",
    "xin chào",
]


def serve_fake(port_out: multiprocessing.Queue, stop: multiprocessing.Event) -> None:  # type: ignore[type-arg]
    async def main() -> None:
        async with FakeTelegram(limits=False) as tg:
            port_out.put(tg.port)
            await asyncio.to_thread(stop.wait)

    asyncio.run(main())


async def run(messages: int, users: int, rate: float, port: int) -> None:
    os.environ.setdefault("SOCIALDESK_TELEGRAM_TOKEN", "123456:TEST")
    fake = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        config = parse_config(
            {
                "database": {"url": f"sqlite:///{tmp}/bench.db"},
                "server": {"port": 0},
                "tickets": {"sweep_seconds": 3600},
                "telegram": {
                    "enabled": True,
                    "base_url": f"{fake}/bot",
                    "poll_timeout": 1,
                    "max_per_second": 100_000,
                    "max_per_chat_per_second": 100_000,
                    "max_per_group_per_minute": 1_000_000,
                },
            }
        )
        async with App(config), aiohttp.ClientSession() as http:
            load = {"count": messages, "users": users, "rate": rate, "texts": TEXTS}
            async with http.post(f"{fake}/_fake/load", json=load) as r:
                assert r.status == 200
            began = time.perf_counter()
            with Progress(transient=True) as progress:
                task = progress.add_task("replies", total=messages)
                while True:
                    async with http.get(f"{fake}/_fake/sent") as r:
                        state = await r.json()
                    progress.update(task, completed=len(state["sent"]))
                    if len(state["sent"]) >= messages or time.perf_counter() - began > 300:
                        break
                    await asyncio.sleep(0.25)
    sent, injected = state["sent"], defaultdict(deque)
    for user, at in state["injected"]:
        injected[user].append(at)
    elapsed = max(s["at"] for s in sent) - min(at for _, at in state["injected"])
    replies: dict[int, list[float]] = defaultdict(list)
    for s in sent:
        replies[s["chat_id"]].append(s["at"])
    latencies = sorted(
        arrived - at
        for user, times in replies.items()
        for at, arrived in zip(injected[user], sorted(times), strict=False)
    )
    print(f"updates: {messages}  users: {users}  injected at {rate:.0f}/s  replies: {len(sent)}")
    print(f"throughput: {len(latencies) / elapsed:,.0f} replies/s")
    print(
        f"latency p50: {statistics.median(latencies) * 1000:.1f} ms  "
        f"p99: {latencies[int(len(latencies) * 0.99) - 1] * 1000:.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--users", type=int, default=300)
    parser.add_argument("--rate", type=float, default=350.0, help="updates injected per second")
    args = parser.parse_args()
    if min(args.messages, args.users) < 1 or args.rate <= 0:
        parser.error("--messages, --users and --rate must be positive")
    ports: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    stop = multiprocessing.Event()
    process = multiprocessing.Process(target=serve_fake, args=(ports, stop), daemon=True)
    process.start()
    try:
        asyncio.run(run(args.messages, args.users, args.rate, ports.get(timeout=30)))
    finally:
        stop.set()
        process.join(timeout=5)


if __name__ == "__main__":
    main()
