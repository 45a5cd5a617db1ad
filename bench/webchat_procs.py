"""An agent's answer through one process, to a web-chat user whose socket another holds.

Two bot processes (``bots.app.App`` on a config dict, as ``socialdesk run`` starts it,
``OMP_NUM_THREADS=1``) share one fresh PostgreSQL database and one Redis under a
prefix of the run's own, each on a port of its own. N web-chat users load ``/chat``
from process A, keep their socket open to A and open a ticket each (``/ticket ...``).
An agent (a token of the ``agent`` role, as ``socialdesk agents add`` makes it) claims
each ticket through process B's API and answers them there, at R answers a second,
round robin over the users. B's sender claims the answer's outbox row, keeps the line
in the chat's history and publishes the frame on Redis; A writes it to the socket
(``channels/webchat_fanout.py``).

By default A's own sender is stopped once it has started, so every answer has to cross
from B to A (``--both-send`` keeps it: the outbox row may then be claimed by either,
and the split is reported).

Measured, for every answer: the time from the API call's return (its 202) to the
frame's arrival on the user's socket; how many answers arrived exactly once, live
(a ``reply`` frame, not only in a history sent again); and from the outbox, how many
rows were delivered on the first attempt (``attempts`` is counted at each claim, so 1
is one send, no bounce or retry) and by which process (``claimed_by`` stays on a
delivered row). Target (issue #14): every answer once, on the first delivery, within
3 s.

Usage: python bench/webchat_procs.py [--users 50] [--answers 200] [--rate 20] [--both-send]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import statistics
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import aiohttp
from rich.progress import Progress

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.load_procs import (
    REDIS_URL,
    ROOT,
    BotProcess,
    drop_database,
    free_port,
    fresh_database,
    loadavg,
)
from bench.webchat_clients import AGENT, WAIT, Agent, User, connect, read_frames, settled

SECRET = "webchat-bench-signing-key-0123456789abcdef"  # both processes sign alike
TARGET = 3.0  # seconds (issue #14's Done-when)


def bot_config(db_url: str, prefix: str) -> dict[str, Any]:
    """The web chat alone, on PostgreSQL and Redis; one client address (this bench)
    may open every user's session and socket."""
    return {
        "database": {"url": db_url},
        "redis": {"url": REDIS_URL, "prefix": prefix},
        "server": {"host": "127.0.0.1", "port": free_port()},
        "tickets": {"sweep_seconds": 3600},
        "webchat": {
            "sessions_per_address_per_hour": 100_000,
            "sockets_per_address": 100_000,
            "messages_per_address_per_minute": 100_000,
        },
    }


def bot() -> None:
    """One bot process: ``App`` on the config in ``argv[1]`` until SIGTERM; with
    ``argv[2] == "quiet"`` its sender is stopped once it has started (it sends nothing)."""
    sys.path.insert(0, str(ROOT))
    from bots.app import App
    from bots.config import parse_config
    from bots.logs import setup_logging

    setup_logging("WARNING", [SECRET])
    config = parse_config(json.loads(sys.argv[1]))

    async def main() -> None:
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        async with App(config) as app:
            if sys.argv[2] == "quiet":
                assert app.sender is not None
                await app.sender.stop()
            print(f"ready {app.url}", flush=True)
            await stop.wait()

    asyncio.run(main())


class Bot(BotProcess):
    """One bot process; ``quiet`` stops its sender, so another process sends."""

    def __init__(self, config: dict[str, Any], log_dir: Path, name: str, quiet: bool) -> None:
        args = [json.dumps(config), "quiet" if quiet else "sends"]
        env = {"SOCIALDESK_WEBCHAT_SECRET": SECRET}
        super().__init__("bench.webchat_procs", args, env, log_dir, name)
        self.url = ""

    async def ready(self, within: float = 180) -> None:
        self.url = (await self.first_line(within)).partition(" ")[2]


async def add_agent(db_url: str) -> str:
    """An agent of the ``agent`` role, as ``socialdesk agents add`` makes one; its token."""
    from bots.agents_api import new_token
    from bots.api import token_hash
    from bots.routing import system_clock
    from storage.store import Store
    from storage.tickets import TicketStore

    token = new_token()
    store = Store.open(db_url)
    try:
        await TicketStore(store).add_agent(AGENT, "agent", token_hash(token), system_clock())
    finally:
        await store.close()
    return token


async def drive(args: argparse.Namespace, a: Bot, b: Bot, token: str) -> dict[str, Any]:
    """The users on A, the agent on B; what arrived when."""
    users = [User(n) for n in range(args.users)]
    seen: asyncio.Queue[str] = asyncio.Queue()
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as http:
        await asyncio.gather(*(connect(http, a.url, u) for u in users))
        readers = [asyncio.create_task(read_frames(u, seen)) for u in users]
        for u in users:
            assert u.ws is not None
            await u.ws.send_json(
                {"type": "message", "id": "t1", "text": f"/ticket bench {u.number}"}
            )
        await asyncio.wait_for(asyncio.gather(*(u.acked.wait() for u in users)), 120)
        agent = Agent(http, b.url, token)
        tickets: dict[str, int] = {}
        deadline = time.monotonic() + 60
        while len(tickets) < len(users) and time.monotonic() < deadline:
            tickets = await agent.tickets()  # the tickets are opened by A as it handles /ticket
            if len(tickets) < len(users):
                await asyncio.sleep(0.2)
        missing = [u.number for u in users if u.session not in tickets]
        if missing:
            raise RuntimeError(f"no ticket for users {missing[:5]}...")
        await asyncio.gather(*(agent.claim(tickets[u.session]) for u in users))
        nonce = uuid.uuid4().hex[:6]
        plan = [
            (users[i % len(users)], f"answer {i} to user {i % len(users)} ({nonce})")
            for i in range(args.answers)
        ]
        returned: dict[str, float] = {}
        load_before = loadavg()
        cpu_before = (a.cpu_seconds(), b.cpu_seconds())
        started = time.monotonic()
        calls: list[asyncio.Task[None]] = []

        async def one(user: User, text: str) -> None:
            returned[text] = await agent.answer(tickets[user.session], text)

        with Progress(transient=True) as progress:
            sent_bar = progress.add_task("answers sent", total=len(plan))
            got_bar = progress.add_task("frames arrived", total=len(plan))
            pending = {text for _, text in plan}

            async def arrivals() -> None:
                while pending:
                    text = await seen.get()
                    if text in pending:
                        pending.discard(text)
                        progress.advance(got_bar)

            watcher = asyncio.create_task(arrivals())
            for i, (user, text) in enumerate(plan):
                due = started + i / args.rate
                await asyncio.sleep(max(0.0, due - time.monotonic()))
                call = asyncio.create_task(one(user, text))
                call.add_done_callback(lambda _t: progress.advance(sent_bar))
                calls.append(call)
            await asyncio.gather(*calls)
            with_time = time.monotonic() - started
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(watcher, WAIT)
        rows = await settled(args.db_name, len(plan))
        cpu = (a.cpu_seconds() - cpu_before[0], b.cpu_seconds() - cpu_before[1])
        busy = time.monotonic() - started
        await asyncio.sleep(args.linger)  # late duplicates, had there been any
        load_after = loadavg()
        for u in users:
            assert u.ws is not None
            await u.ws.close()
        await asyncio.gather(*readers, return_exceptions=True)
    return {
        "plan": plan,
        "returned": returned,
        "rows": rows,
        "load": (load_before, load_after),
        "sent_in": with_time,
        "cpu": cpu,
        "busy": busy,
        "pids": {"A": a.process.pid, "B": b.process.pid},
    }


def report(args: argparse.Namespace, run: dict[str, Any]) -> dict[str, Any]:
    plan, returned, rows = run["plan"], run["returned"], run["rows"]
    latencies: list[float] = []
    live_once = duplicated = missing = 0
    for user, text in plan:
        times = user.live.get(text, [])
        if not times:
            missing += 1
            continue
        latencies.append(times[0] - returned[text])
        if len(times) == 1:
            live_once += 1
        else:
            duplicated += 1
    by_text = {r[0]: r for r in rows}
    first = sum(1 for _, text in plan if (r := by_text.get(text)) and r[1:3] == ("delivered", 1))
    within = sum(1 for x in latencies if x <= TARGET)
    once = sum(
        1
        for user, text in plan
        if len(user.live.get(text, [])) == 1
        and (r := by_text.get(text))
        and r[1:3] == ("delivered", 1)
    )
    owners: Counter[str] = Counter()
    for _text, _status, _attempts, owner in rows:
        pid = int(owner.split(":")[-2]) if owner.count(":") >= 2 else 0
        owners["B" if pid == run["pids"]["B"] else "A" if pid == run["pids"]["A"] else "?"] += 1
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000 if ordered else 0.0

    summary = {
        "users": args.users,
        "answers": len(plan),
        "rate": args.rate,
        "both_send": args.both_send,
        "arrived": len(latencies),
        "missing": missing,
        "duplicated": duplicated,
        "live_once": live_once,
        "first_delivery": first,
        "once_and_first": once,
        "within_target": within,
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "max_ms": max(latencies) * 1000 if latencies else 0.0,
        "min_ms": min(latencies) * 1000 if latencies else 0.0,
        "mean_ms": statistics.fmean(latencies) * 1000 if latencies else 0.0,
        "sent_by": dict(owners),
        "answers_sent_in_s": run["sent_in"],
        "cpu_s_a": run["cpu"][0],
        "cpu_s_b": run["cpu"][1],
        "wall_s": run["busy"],
        "load_before": run["load"][0],
        "load_after": run["load"][1],
    }
    senders = "both processes send" if args.both_send else "A's sender stopped"
    print(
        f"{args.users} users on A, {len(plan)} answers through B at {args.rate}/s "
        f"({senders}); "
        f"load average before {summary['load_before']}, after {summary['load_after']}"
    )
    print(
        f"  from the API's 202 to the frame on the socket: p50 {summary['p50_ms']:.0f} ms, "
        f"p95 {summary['p95_ms']:.0f} ms, p99 {summary['p99_ms']:.0f} ms, "
        f"max {summary['max_ms']:.0f} ms (min {summary['min_ms']:.0f} ms)"
    )
    print(
        f"  arrived {len(latencies)}/{len(plan)} (missing {missing}, more than once {duplicated}); "
        f"live once {live_once}; delivered on the first attempt {first}; "
        f"once and on the first attempt {once}; within {TARGET:.0f} s {within}"
    )
    print(
        f"  rows sent by process: {dict(owners)}; CPU s A {run['cpu'][0]:.1f}, "
        f"B {run['cpu'][1]:.1f} in {run['busy']:.1f} s (answers sent in {run['sent_in']:.1f} s)"
    )
    return summary


async def run(args: argparse.Namespace, db_url: str, log_dir: Path, prefix: str) -> None:
    bots: list[Bot] = []
    try:
        token = await add_agent(db_url)
        a = Bot(bot_config(db_url, prefix), log_dir, "A", quiet=not args.both_send)
        b = Bot(bot_config(db_url, prefix), log_dir, "B", quiet=False)
        bots = [a, b]
        await asyncio.gather(a.ready(), b.ready())
        summary = report(args, await drive(args, a, b, token))
        if args.json:
            print(json.dumps(summary))
        print(f"  logs: {log_dir}")
    finally:
        for one in bots:
            one.terminate()


def main(args: argparse.Namespace) -> None:
    stamp = f"{int(time.time())}_{uuid.uuid4().hex[:6]}"
    args.db_name = f"socialdesk_webchat_{stamp}"
    db_url = fresh_database(args.db_name)
    log_dir = Path(f"/tmp/socialdesk-webchat-{stamp}")
    log_dir.mkdir()
    try:
        asyncio.run(run(args, db_url, log_dir, f"wcbench{stamp}"))
    finally:
        drop_database(args.db_name)


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50, help="web-chat users on process A")
    parser.add_argument("--answers", type=int, default=200, help="answers in all, round robin")
    parser.add_argument("--rate", type=float, default=20.0, help="answers a second through B")
    parser.add_argument("--both-send", action="store_true", help="A's sender runs too")
    parser.add_argument("--linger", type=float, default=2.0, help="s to wait for duplicates")
    parser.add_argument("--json", action="store_true", help="the figures as JSON too")
    return parser.parse_args()


if __name__ == "__main__":
    main(parse())
