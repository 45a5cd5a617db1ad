"""Telegram end to end: updates injected into the fake Bot API, replies out, for
socialdesk and for a bare python-telegram-bot echo bot on the same fake.

Each run starts a fresh fake Bot API in a process of its own (as Telegram would) and
one bot in another, so neither's work is counted against the other and this process
only orchestrates. The bots, in turn:

- ``socialdesk``: the real python-telegram-bot polls the fake, and every reply goes
  through the whole pipeline (inbox, router, answers, outbox, SQLite). The fake's
  limits are off, and so are the bot's own (``telegram.max_per_*``), to measure
  socialdesk rather than Telegram's flood rules.
- ``echo``: python-telegram-bot and nothing else: ``concurrent_updates(64)`` and a
  handler that answers each text with a plain ``send_message`` of it. It is the
  ceiling of the library on this machine, which no bot built on it passes.

Per run it prints replies/s (replies over the time from the first injection to the
last reply), the p50/p99 time from an update's injection to its reply arriving at the
fake, and the bot process's CPU time per reply (all its threads, from when it was up
to when the last reply arrived). With both bots, each round ends with socialdesk's
replies/s as a fraction of the echo bot's. The order of the bots alternates between
rounds, and the load average is printed before each run: the machine may be shared.
With ``BENCH_PROFILE=<folder>`` each bot's event loop is profiled (cProfile) into it,
and the CPU seconds of each of its threads are written beside (``<bot>.threads``);
``BENCH_THREADS=<folder>`` writes only the latter, undisturbed by the profiler.

``--hang-rate 0.06`` makes the fake accept 6% of all sendMessage calls and never
answer them (socialdesk only: the echo bot never retries): what one stuck chat, or a
stuck Telegram front end, costs everyone else.

Usage: python bench/telegram_e2e.py [--messages M] [--users K] [--rate PER_SECOND]
                                    [--bots socialdesk,echo] [--rounds N] [--hang-rate S]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict, deque
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TOKEN = "123456:TEST"
TEXTS = [
    "hello",
    "/help",
    "Wann kommt der NOVA Airdrop?",
    "充值没到账怎么办",
    "how long does KYC take?",
    "xin chào",
]
BOTS = ("socialdesk", "echo")
SPAWN = multiprocessing.get_context("spawn")  # no process inherits another's event loop


def serve_fake(port_out: Any, stop: Any) -> None:
    """The fake Bot API, until ``stop`` is set (a process of its own)."""
    from tests.fakes.telegram import FakeTelegram

    async def main() -> None:
        async with FakeTelegram(limits=False) as tg:
            port_out.put(tg.port)
            await asyncio.to_thread(stop.wait)

    asyncio.run(main())


def run_bot(kind: str, fake: str, conn: Connection) -> None:
    """One bot against the fake (a process of its own): says "ready" once it polls,
    then, when told to stop, the CPU seconds it used since."""
    os.environ.setdefault("SOCIALDESK_TELEGRAM_TOKEN", TOKEN)
    profile = os.environ.get("BENCH_PROFILE")  # a folder: cProfile stats per bot
    threads_to = os.environ.get("BENCH_THREADS") or profile  # a folder: CPU per thread

    async def main() -> None:
        starting = socialdesk(fake) if kind == "socialdesk" else echo(fake)
        stop = await starting.__anext__()
        profiler = cProfile.Profile() if profile else None
        began, threads = time.process_time(), thread_times()
        if profiler is not None:
            profiler.enable()
        conn.send("ready")
        await asyncio.to_thread(conn.recv)
        conn.send(time.process_time() - began)
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(Path(str(profile)) / f"{kind}.prof")
        if threads_to:
            report = thread_report(threads, thread_times())
            (Path(threads_to) / f"{kind}.threads").write_text(report)
        await stop()
        await starting.aclose()

    asyncio.run(main())


def thread_times() -> dict[str, float]:
    """CPU seconds of each of this process's threads so far, by name: the event loop's
    profile does not show the store's threads, whose work holds the interpreter lock."""
    import threading

    names = {t.native_id: t.name for t in threading.enumerate()}
    ticks = os.sysconf("SC_CLK_TCK")
    times: dict[str, float] = defaultdict(float)
    for task in Path("/proc/self/task").iterdir():
        fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        name = names.get(int(task.name), "(native)")
        times[name] += (int(fields[11]) + int(fields[12])) / ticks
    return times


def thread_report(before: dict[str, float], after: dict[str, float]) -> str:
    used = {name: after[name] - before.get(name, 0.0) for name in after}
    return "".join(f"{n:<28} {s:8.2f}\n" for n, s in sorted(used.items(), key=lambda i: -i[1]))


async def socialdesk(fake: str) -> Any:
    from bots.app import App
    from bots.config import parse_config

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
        app = App(config)
        await app.start()
        yield app.stop


async def echo(fake: str) -> Any:
    from telegram import Update
    from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

    async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_chat is not None and update.effective_message is not None
        await context.bot.send_message(update.effective_chat.id, update.effective_message.text)

    app = ApplicationBuilder().token(TOKEN).base_url(f"{fake}/bot").concurrent_updates(64).build()
    app.add_handler(MessageHandler(filters.TEXT, answer))
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(timeout=1)

    async def stop() -> None:
        assert app.updater is not None
        await app.updater.stop()
        await app.stop()
        await app.shutdown()

    yield stop


async def drive(
    fake: str, messages: int, users: int, rate: float, hang_rate: float
) -> dict[str, Any]:
    """Inject the load, wait for every reply; what the fake recorded."""
    import aiohttp

    async with aiohttp.ClientSession() as http:
        load = {
            "count": messages,
            "users": users,
            "rate": rate,
            "texts": TEXTS,
            "hang_rate": hang_rate,
        }
        async with http.post(f"{fake}/_fake/load", json=load) as r:
            assert r.status == 200
        began = time.monotonic()
        while time.monotonic() - began < 300:
            async with http.get(f"{fake}/_fake/count") as r:
                if (await r.json())["sent"] >= messages:
                    break
            await asyncio.sleep(0.05)
        async with http.get(f"{fake}/_fake/sent") as r:
            state: dict[str, Any] = await r.json()
    return state


def one_run(
    kind: str, messages: int, users: int, rate: float, hang_rate: float = 0.0
) -> dict[str, float]:
    """A fresh fake and one bot: replies/s, p50, p99 (ms), CPU ms per reply."""
    ports = SPAWN.Queue()
    stop = SPAWN.Event()
    fake_process = SPAWN.Process(target=serve_fake, args=(ports, stop), daemon=True)
    fake_process.start()
    ours, theirs = SPAWN.Pipe()
    try:
        fake = f"http://127.0.0.1:{ports.get(timeout=60)}"
        bot = SPAWN.Process(target=run_bot, args=(kind, fake, theirs), daemon=True)
        bot.start()
        if not ours.poll(300) or ours.recv() != "ready":
            raise RuntimeError(f"{kind} did not start")
        load = os.getloadavg()[0]
        state = asyncio.run(drive(fake, messages, users, rate, hang_rate))
        ours.send("stop")
        cpu = float(ours.recv())
        bot.join(timeout=30)
    finally:
        stop.set()
        fake_process.join(timeout=10)
    result = figures(state)
    result.update(load=load, cpu_ms=cpu * 1000 / max(len(state["sent"]), 1))
    return result


def figures(state: dict[str, Any]) -> dict[str, float]:
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
    return {
        "replies": len(sent),
        "per_second": len(latencies) / elapsed,
        "p50": statistics.median(latencies) * 1000,
        "p99": latencies[max(int(len(latencies) * 0.99) - 1, 0)] * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--users", type=int, default=300)
    parser.add_argument("--rate", type=float, default=1000.0, help="updates injected per second")
    parser.add_argument("--bots", default=",".join(BOTS), help="socialdesk, echo or both")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument(
        "--hang-rate",
        type=float,
        default=0.0,
        help="share of sendMessage calls the fake accepts and never answers (socialdesk only)",
    )
    args = parser.parse_args()
    bots = [b.strip() for b in args.bots.split(",") if b.strip()]
    if min(args.messages, args.users, args.rounds) < 1 or args.rate <= 0:
        parser.error("--messages, --users, --rounds and --rate must be positive")
    if not bots or any(b not in BOTS for b in bots):
        parser.error(f"--bots: a comma-separated choice of {', '.join(BOTS)}")
    if not 0 <= args.hang_rate < 1 or (args.hang_rate and "echo" in bots):
        parser.error("--hang-rate: below 1, with --bots socialdesk (the echo bot never retries)")
    print(
        f"updates: {args.messages}  users: {args.users}  injected at {args.rate:.0f}/s"
        f"  sends hanging: {args.hang_rate:.0%}"
    )
    print("round  bot         load  replies/s    p50 ms    p99 ms  CPU ms/reply")
    ratios = []
    for round_ in range(1, args.rounds + 1):
        order = bots if round_ % 2 else bots[::-1]
        results = {}
        for kind in order:
            r = one_run(kind, args.messages, args.users, args.rate, args.hang_rate)
            results[kind] = r
            print(
                f"{round_:>5}  {kind:<10} {r['load']:>5.1f}  {r['per_second']:>9,.0f}"
                f"  {r['p50']:>8,.0f}  {r['p99']:>8,.0f}  {r['cpu_ms']:>12.2f}",
                flush=True,
            )
        if len(results) == 2:
            ratio = results["socialdesk"]["per_second"] / results["echo"]["per_second"]
            ratios.append(ratio)
            print(f"{round_:>5}  socialdesk / echo: {ratio:.2f}x", flush=True)
    if len(ratios) > 1:
        median = statistics.median(ratios)
        print(f"median socialdesk / echo over {len(ratios)} rounds: {median:.2f}x")


if __name__ == "__main__":
    main()
