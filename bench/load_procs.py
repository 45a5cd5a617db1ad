"""The processes of ``bench/load.py``: the fake Bot API, the bot processes, the database.

Each bot is a process of its own (``python -c`` running :func:`bot` on a config dict,
as ``socialdesk run`` would), so that one can be killed with SIGKILL and replaced. They
share one fresh PostgreSQL database (created here, migrated once before any bot starts,
so that N processes do not race Alembic) and one Redis under a prefix of the run's own.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456:TEST"
SECRET = "load-bench-secret"
ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS_URL = "redis://127.0.0.1:6379/0"


def serve_fake(port_out: Any, stop: Any) -> None:
    """The fake Bot API, limits off: it records every sendMessage with its time."""
    sys.path.insert(0, str(ROOT))
    from tests.fakes.telegram import FakeTelegram

    async def main() -> None:
        async with FakeTelegram(token=TOKEN, limits=False) as tg:
            port_out.put(tg.port)
            await asyncio.to_thread(stop.wait)

    asyncio.run(main())


def fresh_database(name: str) -> str:
    """Create database ``name``, migrate it to head, and return its SQLAlchemy URL."""
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    sys.path.insert(0, str(ROOT))
    from storage.migrate import upgrade

    upgrade(url)
    return url


def drop_database(name: str) -> None:
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Outbox:
    """Reads of the run's outbox, straight from PostgreSQL."""

    def __init__(self, name: str) -> None:
        import psycopg

        self._conn = psycopg.connect(
            f"postgresql://postgres@127.0.0.1:5432/{name}", autocommit=True
        )

    def sending_by(self, pid: int) -> int:
        """Rows in status 'sending' claimed by the process ``pid`` (host:pid:random)."""
        row = self._conn.execute(
            "SELECT count(*) FROM outbox WHERE status = 'sending' AND claimed_by LIKE %s",
            (f"%:{pid}:%",),
        ).fetchone()
        return int(row[0]) if row else 0

    def counts(self) -> dict[str, int]:
        rows = self._conn.execute("SELECT status, count(*) FROM outbox GROUP BY status").fetchall()
        found = {str(s): int(n) for s, n in rows}
        inbound = self._conn.execute(
            "SELECT count(*), count(processed_at) FROM messages WHERE direction = 'in'"
        ).fetchone()
        assert inbound is not None
        found["inbound"], found["inbound_handled"] = int(inbound[0]), int(inbound[1])
        return found

    def close(self) -> None:
        self._conn.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def bot_config(db_url: str, prefix: str, fake_port: int, port: int) -> dict[str, Any]:
    return {
        "database": {"url": db_url},
        "redis": {"url": REDIS_URL, "prefix": prefix},
        "server": {"host": "127.0.0.1", "port": port},
        "webchat": {"enabled": False},
        "tickets": {"sweep_seconds": 3600},
        "telegram": {
            "enabled": True,
            "mode": "webhook",
            "webhook_url": f"http://127.0.0.1:{port}/telegram/webhook",
            "base_url": f"http://127.0.0.1:{fake_port}/bot",
            "max_per_second": 100_000,
            "max_per_chat_per_second": 100_000,
            "max_per_group_per_minute": 1_000_000,
        },
    }


def bot() -> None:
    """One bot process: ``App`` on the config in ``argv[1]`` until SIGTERM (or SIGKILL)."""
    sys.path.insert(0, str(ROOT))
    from bots.app import App
    from bots.config import parse_config
    from bots.logs import setup_logging

    setup_logging("WARNING", [TOKEN, SECRET])
    config = parse_config(json.loads(sys.argv[1]))

    async def main() -> None:
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        async with App(config):
            print("ready", flush=True)
            await stop.wait()

    asyncio.run(main())


class BotProcess:
    """A bot started as ``python -c "from <module> import bot; bot()" ARGS...`` with
    its stderr in ``log_dir/bot<name>.log``: the benchmarks' bots differ only in
    what they print once started and what their arguments say."""

    def __init__(
        self,
        module: str,
        args: list[str],
        env: dict[str, str],
        log_dir: Path,
        name: str,
        stdin: bool = False,
    ) -> None:
        self.name = name
        self._log: IO[bytes] = open(log_dir / f"bot{name}.log", "wb")  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-c", f"from {module} import bot; bot()", *args],
            cwd=ROOT,
            env=dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1", **env),
            stdin=subprocess.PIPE if stdin else None,
            stdout=subprocess.PIPE,
            stderr=self._log,
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def line(self) -> str:
        """The next line the bot prints (blocking)."""
        assert self.process.stdout is not None
        return self.process.stdout.readline().decode().strip()

    async def first_line(self, within: float) -> str:
        """What the bot prints once started; it must begin with "ready"."""
        line = await asyncio.wait_for(asyncio.to_thread(self.line), within)
        if line.partition(" ")[0] != "ready":
            raise RuntimeError(f"bot {self.name} did not start; see its log")
        return line

    def cpu_seconds(self) -> float:
        """CPU time the process has used so far (all its threads), from /proc."""
        try:
            return _cpu_of(Path(f"/proc/{self.pid}/stat").read_text())
        except OSError:
            return 0.0

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()

    def terminate(self) -> None:
        if self.alive:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
        self._log.close()


class Bot(BotProcess):
    """One bot process behind the webhook URL, and its port."""

    def __init__(self, config: dict[str, Any], log_dir: Path, number: int) -> None:
        self.port = int(config["server"]["port"])
        self.number = number
        env = {"SOCIALDESK_TELEGRAM_TOKEN": TOKEN, "SOCIALDESK_TELEGRAM_WEBHOOK_SECRET": SECRET}
        super().__init__("bench.load_procs", [json.dumps(config)], env, log_dir, str(number))
        self.ready = False

    async def wait_ready(self, within: float = 120) -> None:
        """Until the App has started (its channels last): it printed "ready"."""
        await self.first_line(within)
        self.ready = True


class Fleet:
    """The bot processes behind the one webhook URL, and who to POST to next."""

    def __init__(self, db_url: str, prefix: str, fake_port: int, log_dir: Path) -> None:
        self._args = (db_url, prefix, fake_port)
        self._log_dir = log_dir
        self.bots: list[Bot] = []
        self._next = 0
        self.started = 0

    def spawn(self) -> Bot:
        self.started += 1
        config = bot_config(*self._args, port=free_port())
        bot = Bot(config, self._log_dir, self.started)
        self.bots.append(bot)
        return bot

    def live(self) -> list[Bot]:
        return [b for b in self.bots if b.ready and b.alive]

    def pick(self, avoid: int | None = None) -> Bot | None:
        """The next live process, round robin (another than ``avoid`` if there is one)."""
        live = self.live()
        if not live:
            return None
        choices = [b for b in live if b.port != avoid] or live
        self._next += 1
        return choices[self._next % len(choices)]

    def victim(self, rng: random.Random) -> Bot | None:
        live = self.live()
        return rng.choice(live) if live else None

    def stop(self) -> None:
        for b in self.bots:
            b.terminate()


def _cpu_of(stat: str) -> float:
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_sample(fake_pid: int) -> dict[str, float]:
    """CPU seconds so far of the whole machine (busy, all cores), of PostgreSQL's
    processes and of the fake: where the two cores went during a run."""
    ticks = [int(x) for x in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    busy = (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")  # not idle, iowait
    postgres = fake = 0.0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            stat = (proc / "stat").read_text()
        except OSError:
            continue
        if "(postgres)" in stat:
            postgres += _cpu_of(stat)
        elif int(proc.name) == fake_pid:
            fake += _cpu_of(stat)
    return {"machine": busy, "postgres": postgres, "fake": fake}


def loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def now() -> float:
    return time.monotonic()
