"""One broadcast sent by N bot processes together, at Telegram's real limits.

``bench/broadcast.py --processes N`` runs this. A bot that scales out to several
processes must keep Telegram's 30 messages/s for all of them together: each counts its
sends in the shared buckets in Redis (``handlers.shared_limits``), and each claims
recipient rows from the one outbox. Here the fake Bot API runs in a process of its own
with its limits on (30/s over any sliding second, 1/s per chat, 429 with
``retry_after``); N bot processes (webhook mode, as ``bench/load_procs.py`` starts
them) share one fresh PostgreSQL database and one Redis prefix of the run's own. The
first process writes the subscribers and the notice; once every process has started,
it starts the broadcast, once, and every process sends it.

Reported: messages/s at the fake (first to last delivery), the 429s it answered,
recipients who got the notice twice or never, and each process's share of the
deliveries (from the outbox: the claim that delivered a row stays on it).
"""

from __future__ import annotations

import json
import signal
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from bench.broadcast import TOKEN, Fake, create_broadcast, fake_state, report
from bench.load_procs import (
    ROOT,
    SECRET,
    BotProcess,
    drop_database,
    free_port,
    fresh_database,
    loadavg,
)
from bench.load_procs import (
    bot_config as load_bot_config,
)

STALL = 120.0  # seconds without a new delivery before the run is called stuck


def bot_config(db_url: str, prefix: str, fake_port: int) -> dict[str, Any]:
    """The load benchmark's webhook bot, at Telegram's default limits (30/s, 1/s per
    chat) instead of raised ones, sharing them through Redis under ``prefix``, and
    sending a broadcast without a second person's approval."""
    config = load_bot_config(db_url, prefix, fake_port, port=free_port())
    for limit in ("max_per_second", "max_per_chat_per_second", "max_per_group_per_minute"):
        del config["telegram"][limit]
    config["broadcasts"] = {"require_approval": False}
    return config


def bot() -> None:
    """One bot process: ``App`` on the config in ``argv[1]`` until SIGTERM. With
    ``argv[2]`` > 0 it first writes that many subscribers and the notice, and starts
    the broadcast when a line comes on stdin (every process is up by then)."""
    sys.path.insert(0, str(ROOT))
    import asyncio

    from bots.app import App
    from bots.config import parse_config
    from bots.logs import setup_logging

    setup_logging("WARNING", [TOKEN, SECRET])
    config = parse_config(json.loads(sys.argv[1]))
    subscribers = int(sys.argv[2])

    async def main() -> None:
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        async with App(config) as app:
            assert app.store is not None and app.broadcaster is not None
            record = None
            if subscribers:
                record = await create_broadcast(app, subscribers)
            print("ready", flush=True)
            if record is not None:
                await asyncio.to_thread(sys.stdin.readline)
                outcome, rows = await app.broadcaster.send(record.id)
                print(f"{outcome} {rows}", flush=True)
            await stop.wait()

    asyncio.run(main())


class Bot(BotProcess):
    """One bot process; the first plans the broadcast and sends on "go"."""

    def __init__(self, config: dict[str, Any], log_dir: Path, number: int, subs: int) -> None:
        self.number = number
        env = {"SOCIALDESK_TELEGRAM_TOKEN": TOKEN, "SOCIALDESK_TELEGRAM_WEBHOOK_SECRET": SECRET}
        args = [json.dumps(config), str(subs)]
        super().__init__("bench.broadcast_procs", args, env, log_dir, str(number), stdin=True)

    def go(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(b"go\n")
        self.process.stdin.flush()


def shares(name: str) -> dict[int, int]:
    """Delivered rows per process id, from the claim each delivered row keeps
    (``claimed_by`` is host:pid:random)."""
    import psycopg

    url = f"postgresql://postgres@127.0.0.1:5432/{name}"
    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT claimed_by, count(*) FROM outbox WHERE status = 'delivered' "
            "AND broadcast_id IS NOT NULL GROUP BY claimed_by"
        ).fetchall()
    found: dict[int, int] = {}
    for owner, count in rows:
        pid = int(str(owner).split(":")[-2])
        found[pid] = found.get(pid, 0) + int(count)
    return found


def wait_delivered(port: int, count: int, bots: list[Bot]) -> None:
    """Until the fake delivered ``count``, a process died, or nothing came for STALL s."""
    last, since = -1, time.monotonic()
    while True:
        delivered = len(fake_state(port)["sent"])
        print(f"\r{len(bots)} processes: {delivered}/{count}", end="", file=sys.stderr, flush=True)
        if delivered != last:
            last, since = delivered, time.monotonic()
        dead = [b.number for b in bots if b.process.poll() is not None]
        if delivered >= count or dead or time.monotonic() - since > STALL:
            print(f"  dead: {dead}" if dead else "", file=sys.stderr)
            return
        time.sleep(2.0)  # the fake answers with every delivery so far: not too often


def run(processes: int, subscribers: int) -> None:
    stamp = f"{int(time.time())}_{uuid.uuid4().hex[:6]}"
    name = f"socialdesk_bcast_{stamp}"
    db_url = fresh_database(name)
    log_dir = Path(f"/tmp/socialdesk-bcast-{stamp}")
    log_dir.mkdir()
    bots: list[Bot] = []
    try:
        with Fake() as port:
            for number in range(1, processes + 1):
                config = bot_config(db_url, f"bcast{stamp}", port)
                bots.append(Bot(config, log_dir, number, subscribers if number == 1 else 0))
            for b in bots:
                if b.line() != "ready":
                    raise RuntimeError(f"bot {b.number} did not start; see {log_dir}")
            load_before = loadavg()
            bots[0].go()
            started = bots[0].line()
            wait_delivered(port, subscribers, bots)
            time.sleep(2.0)  # the last deliveries are committed to the outbox
            state = fake_state(port)
            load_after = loadavg()
            by_pid = shares(name)
            report(f"socialdesk, {processes} processes", state, subscribers)
            total = sum(by_pid.values()) or 1
            parts = ", ".join(
                f"#{b.number} {by_pid.get(b.process.pid, 0):,} "
                f"({100 * by_pid.get(b.process.pid, 0) / total:.1f}%)"
                for b in bots
            )
            print(f"  start: {started}; deliveries per process: {parts}")
            print(f"  load average before: {load_before}; after: {load_after}; logs: {log_dir}")
    finally:
        for b in bots:
            b.terminate()
        drop_database(name)
