"""Several bot processes on one PostgreSQL and one Redis, under load and faults.

The fake Bot API runs in a process of its own (limits off) and records every
``sendMessage``. N bot processes (``bench/load_procs.py``) run in webhook mode on one
fresh PostgreSQL database and one Redis prefix, each on its own port. This script plays
the load balancer and Telegram's webhook sender: it makes M private messages from K
users at R per second and POSTs each (with the secret token header) to the next
process, round robin; a POST that fails or is answered anything but 200 is POSTed
again, to another live process, until one answers 200 (as Telegram does).

At the end it waits until every update was answered 200 and the outbox holds nothing
pending or being sent, then counts, per user, replies against messages: missing ones
are lost, extra ones duplicates (a user's loss and duplicate would cancel out: keep
each user's messages few, ``--users``). Latency is from an update's injection to its
reply's ``sendMessage`` at the fake (a user's i-th message paired with their i-th
reply); throughput is replies over first injection to last reply.

Faults: ``--kill-every S`` SIGKILLs a random process every S seconds while updates are
injected, reads from PostgreSQL how many rows it had in status 'sending' (sends that
may have reached the fake unrecorded), and starts a replacement;
``--start-under-load`` starts one more process halfway through the injection.
``--faults P`` has the fake fail a share P of all ``sendMessage`` calls, retries
included, in equal parts: a 500, a 429 with ``retry_after`` 1, a hang (never
answered: the bot's read timeout, 10 s), and an answer lost after delivery (the
connection reset at once, or never answered), reported per kind. Each lost answer's
retry shows the user the reply twice: duplicates beyond the lost answers are the
faults' fault; the window is from the first copy to the second.

Usage: python bench/load.py [--processes N] [--messages M] [--users K] [--rate R]
    [--kill-every S] [--start-under-load] [--faults P] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import random
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp

from bench.load_procs import (
    SECRET,
    Fleet,
    Outbox,
    cpu_sample,
    drop_database,
    fresh_database,
    loadavg,
    now,
    serve_fake,
)

SPAWN = multiprocessing.get_context("spawn")
TEXTS = ["hello", "/help", "xin chào", "hi there", "/start", "Hallo"]
POST_TIMEOUT = 30.0  # Telegram gives a webhook about this long before it tries again


@dataclass
class Run:
    """What one run did and found; printed as a table, or as JSON with ``--json``."""

    processes: int
    messages: int
    users: int
    rate: float
    date: str = ""
    started: int = 0  # processes started in all (replacements included)
    load_before: str = ""
    load_after: str = ""
    injected_s: float = 0.0
    answered_s: float = 0.0  # until the last update's webhook was answered 200
    replies: int = 0
    lost: int = 0
    duplicates: int = 0
    replies_per_s: float = 0.0
    # the first 90% of messages answered over the time to the last of them: a measure
    # the slow tail of retries (hangs, lost answers) does not dominate
    replies_per_s_90: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    reposts: int = 0  # webhook POSTs that had to be made again
    repost_causes: dict[str, int] = field(default_factory=dict)
    kills: list[dict[str, Any]] = field(default_factory=list)  # at, pid, in-flight rows
    started_under_load_at: float | None = None
    ready_under_load_at: float | None = None  # when it began taking webhooks
    outbox: dict[str, int] = field(default_factory=dict)
    bot_cpu_s: list[float] = field(
        default_factory=list
    )  # during the run, of those alive at the end
    bench_cpu_s: float = 0.0  # this process: the webhook sender
    cpu_s: dict[str, float] = field(default_factory=dict)  # machine (2 cores), postgres, fake
    drained: bool = False
    logs: str = ""
    faults: float = 0.0  # share of sendMessage calls failed (--faults)
    injected_faults: dict[str, int] = field(default_factory=dict)  # by kind
    lost_answers: int = 0  # delivered, answer lost: each one a reply shown twice
    # seconds from a lost answer's copy to the next, by kind: p50 / max
    lost_window_s: dict[str, list[float]] = field(default_factory=dict)


def update(n: int, user: int, message_id: int, text: str) -> dict[str, Any]:
    """A private message as Telegram POSTs it to a webhook."""
    message: dict[str, Any] = {
        "message_id": message_id,
        "date": int(time.time()),
        "chat": {"id": user, "type": "private", "first_name": "User"},
        "from": {"id": user, "is_bot": False, "first_name": "User"},
        "text": text,
    }
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text)}]
    return {"update_id": n, "message": message}


class Sender:
    """Telegram's webhook sender behind a round-robin balancer: retried until a 200."""

    def __init__(self, fleet: Fleet, http: aiohttp.ClientSession, connections: int) -> None:
        self.fleet, self.http = fleet, http
        self.slots = asyncio.Semaphore(connections)
        self.causes: Counter[str] = Counter()

    async def deliver(self, body: dict[str, Any]) -> None:
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        last: int | None = None
        first = True
        while True:
            bot = self.fleet.pick(avoid=last)
            if bot is None:
                await asyncio.sleep(0.1)
                continue
            if not first:
                await asyncio.sleep(0.05)
            first, last = False, bot.port
            url = f"http://127.0.0.1:{bot.port}/telegram/webhook"
            try:
                async with self.slots, self.http.post(url, json=body, headers=headers) as r:
                    await r.read()
                    if r.status == 200:
                        return
                    self.causes[f"HTTP {r.status}"] += 1
            except (aiohttp.ClientError, TimeoutError) as exc:
                self.causes[type(exc).__name__] += 1


async def inject(args: argparse.Namespace, sender: Sender, run: Run) -> list[tuple[int, float]]:
    """M updates at R per second; each user's i-th message in order of injection."""
    injected: list[tuple[int, float]] = []
    tasks: list[asyncio.Task[None]] = []
    message_ids: Counter[int] = Counter()
    began = now()
    for i in range(args.messages):
        user = 10_000 + i % args.users
        message_ids[user] += 1
        # Telegram numbers a private chat's messages in one sequence, both ways; the
        # fake numbers the bot's from 1, so the users' come from far above
        body = update(i + 1, user, 1_000_000 + message_ids[user], TEXTS[i % len(TEXTS)])
        injected.append((user, now()))
        tasks.append(asyncio.create_task(sender.deliver(body)))
        await asyncio.sleep(max(0.0, began + (i + 1) / args.rate - now()))
    run.injected_s = round(now() - began, 1)
    await asyncio.gather(*tasks)
    run.answered_s = round(now() - began, 1)
    return injected


async def faults(args: argparse.Namespace, fleet: Fleet, outbox: Outbox, run: Run) -> None:
    """Kills every S seconds (with replacements), or one start halfway; until cancelled."""
    rng = random.Random(7)
    began = now()
    if args.start_under_load:
        await asyncio.sleep(args.messages / args.rate / 2)
        run.started_under_load_at = round(now() - began, 1)
        await fleet.spawn().wait_ready()
        run.ready_under_load_at = round(now() - began, 1)
        return
    replacements: list[asyncio.Task[None]] = []
    while args.kill_every:
        await asyncio.sleep(args.kill_every)
        victim = fleet.victim(rng)
        if victim is None:
            continue
        victim.kill()
        in_flight = await asyncio.to_thread(outbox.sending_by, victim.pid)
        run.kills.append({"at_s": round(now() - began, 1), "pid": victim.pid, "sending": in_flight})
        replacements.append(asyncio.create_task(fleet.spawn().wait_ready()))


async def drain(outbox: Outbox, within: float) -> bool:
    """Until the outbox holds nothing pending or being sent (leases of killed processes
    run out first, and their rows are sent again), or ``within`` seconds."""
    deadline = now() + within
    while now() < deadline:
        counts = await asyncio.to_thread(outbox.counts)
        if not counts.get("pending") and not counts.get("sending"):
            return True
        await asyncio.sleep(0.5)
    return False


def score(run: Run, injected: list[tuple[int, float]], sent: list[dict[str, Any]]) -> None:
    asked: dict[int, list[float]] = defaultdict(list)
    for user, at in injected:
        asked[user].append(at)
    got: dict[int, list[float]] = defaultdict(list)
    for s in sent:
        got[int(s["chat_id"])].append(float(s["at"]))
    run.replies = len(sent)
    run.lost = sum(max(0, len(t) - len(got[u])) for u, t in asked.items())
    run.duplicates = sum(max(0, len(t) - len(asked.get(u, []))) for u, t in got.items())
    # each message's first reply: a resend after a kill comes later and is left out
    pairs = [
        (a, b) for u, times in asked.items() for a, b in zip(times, sorted(got[u]), strict=False)
    ]
    latencies = sorted(b - a for a, b in pairs)
    if latencies:
        elapsed = max(b for _, b in pairs) - injected[0][1]
        run.replies_per_s = round(len(latencies) / elapsed, 1)
        firsts = sorted(b for _, b in pairs)
        n90 = max(1, int(len(firsts) * 0.9))
        run.replies_per_s_90 = round(n90 / (firsts[n90 - 1] - injected[0][1]), 1)
        run.p50_ms = round(statistics.median(latencies) * 1000, 1)
        run.p99_ms = round(latencies[max(0, int(len(latencies) * 0.99) - 1)] * 1000, 1)


async def measure(args: argparse.Namespace, fake: tuple[int, int], run: Run) -> None:
    fake_port, fake_pid = fake
    stamp = f"{int(time.time())}_{random.randrange(10**6)}"
    name = f"socialdesk_load_{stamp}"
    db_url = await asyncio.to_thread(fresh_database, name)
    outbox = Outbox(name)
    log_dir = Path(tempfile.mkdtemp(prefix="socialdesk-load-"))
    run.logs = str(log_dir)
    fleet = Fleet(db_url, f"load{stamp}", fake_port, log_dir)
    timeout = aiohttp.ClientTimeout(total=POST_TIMEOUT)
    try:
        await asyncio.gather(*(fleet.spawn().wait_ready() for _ in range(args.processes)))
        run.load_before = loadavg()
        async with aiohttp.ClientSession(timeout=timeout) as http:
            sender = Sender(fleet, http, args.connections)
            if args.faults:
                await http.post(
                    f"http://127.0.0.1:{fake_port}/_fake/faults", json={"rate": args.faults}
                )
            chaos = asyncio.create_task(faults(args, fleet, outbox, run))
            began, cpu = now(), time.process_time()
            base = {b.pid: b.cpu_seconds() for b in fleet.live()}
            machine = cpu_sample(fake_pid)
            injected = await inject(args, sender, run)
            chaos.cancel()
            run.drained = await drain(outbox, args.drain)
            await asyncio.sleep(1.0)  # the last sends' records reach the fake's list
            async with http.get(f"http://127.0.0.1:{fake_port}/_fake/sent") as r:
                state = await r.json()
            async with http.get(f"http://127.0.0.1:{fake_port}/_fake/faults") as r:
                lost_answers(run, await r.json())
            run.bot_cpu_s = [round(b.cpu_seconds() - base.get(b.pid, 0.0), 1) for b in fleet.live()]
            run.bench_cpu_s = round(time.process_time() - cpu, 1)
            after = cpu_sample(fake_pid)
            run.cpu_s = {k: round(after[k] - machine[k], 1) for k in after}
            run.cpu_s["wall"] = round(now() - began, 1)
            run.reposts = sum(sender.causes.values())
            run.repost_causes = dict(sender.causes)
        run.load_after = loadavg()
        run.outbox = await asyncio.to_thread(outbox.counts)
        score(run, injected, state["sent"])
    finally:
        fleet.stop()
        outbox.close()
        await asyncio.to_thread(drop_database, name)


def lost_answers(run: Run, report: dict[str, Any]) -> None:
    """The fake's count of injected faults, and how long each lost answer's reply
    took to come again."""
    run.injected_faults = dict(sorted(report["injected"].items()))
    run.lost_answers = len(report["lost"])
    windows: dict[str, list[float]] = defaultdict(list)
    for lost in report["lost"]:
        if lost["again_s"] is not None:
            windows[lost["kind"]].append(lost["again_s"])
    run.lost_window_s = {
        kind: [round(statistics.median(w), 1), round(max(w), 1)]
        for kind, w in sorted(windows.items())
    }


def show(run: Run) -> None:
    rows = [
        ("date", run.date),
        ("load average before / after", f"{run.load_before} / {run.load_after}"),
        ("processes (started in all)", f"{run.processes} ({run.started})"),
        ("offered", f"{run.messages} updates from {run.users} users at {run.rate:g}/s"),
        ("injection took", f"{run.injected_s} s ({run.messages / run.injected_s:.0f}/s)"),
        ("last webhook answered 200 at", f"{run.answered_s} s"),
        ("replies", f"{run.replies}"),
        ("lost (no reply)", f"{run.lost}"),
        ("duplicates (extra replies)", f"{run.duplicates}"),
        ("throughput: all / first 90%", f"{run.replies_per_s} / {run.replies_per_s_90} replies/s"),
        ("latency p50 / p99", f"{run.p50_ms} ms / {run.p99_ms} ms"),
        ("webhook re-POSTs", f"{run.reposts} {run.repost_causes or ''}"),
        ("CPU s: bots alive at the end / bench", f"{run.bot_cpu_s} / {run.bench_cpu_s}"),
        ("CPU s: machine, postgres, fake; wall s", json.dumps(run.cpu_s)),
        ("outbox at the end", json.dumps(run.outbox)),
        ("drained", str(run.drained)),
    ]
    if run.faults:
        rows.append(("faults injected (share of sends)", f"{run.faults:g}: {run.injected_faults}"))
        rows.append(("answers lost after delivery", f"{run.lost_answers}"))
        windows = {k: f"{a} / {b}" for k, (a, b) in run.lost_window_s.items()}
        rows.append(("lost answer to its copy, p50 / max s", f"{windows}"))
    if run.kills:
        total = sum(k["sending"] for k in run.kills)
        rows.append(("SIGKILLs (at s: rows sending)", f"{len(run.kills)}, in flight {total}"))
        rows += [(f"  kill at {k['at_s']} s", f"pid {k['pid']}: {k['sending']}") for k in run.kills]
    if run.started_under_load_at is not None:
        rows.append(
            (
                "second process started / ready at",
                f"{run.started_under_load_at} s / {run.ready_under_load_at} s",
            )
        )
    rows.append(("bot logs", run.logs))
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--rate", type=float, default=150.0, help="updates injected per second")
    parser.add_argument("--connections", type=int, default=100, help="POSTs in flight at most")
    parser.add_argument("--kill-every", type=float, default=0.0, metavar="S")
    parser.add_argument("--start-under-load", action="store_true")
    parser.add_argument("--faults", type=float, default=0.0, metavar="P", help="share of sends")
    parser.add_argument("--drain", type=float, default=120.0, help="seconds to wait at the end")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if min(args.processes, args.messages, args.users, args.connections) < 1 or args.rate <= 0:
        parser.error("--processes, --messages, --users, --connections and --rate must be positive")
    if not 0 <= args.faults < 1:
        parser.error("--faults: a share of sends, from 0 to below 1")
    if args.kill_every and args.start_under_load:
        parser.error("--kill-every and --start-under-load are separate runs")
    run = Run(args.processes, args.messages, args.users, args.rate, faults=args.faults)
    run.date = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    ports = SPAWN.Queue()
    stop = SPAWN.Event()
    fake = SPAWN.Process(target=serve_fake, args=(ports, stop), daemon=True)
    fake.start()
    try:
        asyncio.run(measure(args, (ports.get(timeout=60), fake.pid or 0), run))
    finally:
        stop.set()
        fake.join(timeout=10)
    run.started = run.processes + len(run.kills) + (1 if run.started_under_load_at else 0)
    if args.json:
        print(json.dumps(asdict(run), indent=2))
    else:
        show(run)


if __name__ == "__main__":
    main()
