"""The clients of ``bench/webchat_procs.py``: web-chat users on one process, an agent
on the other, and the outbox's record of the answers, read from PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from dataclasses import dataclass, field

import aiohttp

AGENT = "bench-agent"
WAIT = 30.0  # seconds after the last answer before a missing frame is called lost
COOKIE = "socialdesk_chat"
Row = tuple[str, str, int, str]  # an answer's outbox row: text, status, attempts, claimed_by


@dataclass
class User:
    """One browser tab on process A: every frame it got, with when."""

    number: int
    cookie: str = ""
    session: str = ""
    ws: aiohttp.ClientWebSocketResponse | None = None
    acked: asyncio.Event = field(default_factory=asyncio.Event)
    live: dict[str, list[float]] = field(default_factory=dict)  # text -> arrival times
    in_history: Counter[str] = field(default_factory=Counter)  # text -> history frames
    closed: bool = False


async def connect(http: aiohttp.ClientSession, base: str, user: User) -> None:
    async with http.get(f"{base}/chat") as response:
        response.raise_for_status()
        user.cookie = response.cookies[COOKIE].value
    user.session = user.cookie.partition(".")[0]
    headers = {"Cookie": f"{COOKIE}={user.cookie}", "Origin": base}
    user.ws = await http.ws_connect(f"{base}/chat/ws", headers=headers)


async def read_frames(user: User, seen: asyncio.Queue[str]) -> None:
    """Every frame of ``user``'s socket, timed on arrival; each live line's text on ``seen``."""
    assert user.ws is not None
    async for message in user.ws:
        at = time.monotonic()
        if message.type != aiohttp.WSMsgType.TEXT:
            break
        frame = json.loads(message.data)
        if frame["type"] == "ack":
            user.acked.set()
        elif frame["type"] == "reply":
            user.live.setdefault(frame["text"], []).append(at)
            seen.put_nowait(frame["text"])
        elif frame["type"] == "history":
            for line in frame["lines"]:
                user.in_history[line["text"]] += 1
    user.closed = True


class Agent:
    """The agent, working through process B's API with a bearer token."""

    def __init__(self, http: aiohttp.ClientSession, base: str, token: str) -> None:
        self.http, self.base = http, base
        self.auth = {"Authorization": f"Bearer {token}"}

    async def tickets(self) -> dict[str, int]:
        """Open tickets' ids by chat."""
        url = f"{self.base}/api/tickets?status=open&limit=500"
        async with self.http.get(url, headers=self.auth) as r:
            assert r.status == 200, await r.text()
            return {t["chat_id"]: int(t["id"]) for t in (await r.json())["tickets"]}

    async def claim(self, ticket: int) -> None:
        async with self.http.post(
            f"{self.base}/api/tickets/{ticket}/claim", headers=self.auth
        ) as r:
            assert r.status == 200, await r.text()

    async def answer(self, ticket: int, text: str) -> float:
        """Answers; the moment the API's 202 was read."""
        url = f"{self.base}/api/tickets/{ticket}/reply"
        async with self.http.post(url, json={"text": text}, headers=self.auth) as r:
            assert r.status == 202, await r.text()
            await r.read()
        return time.monotonic()


def outbox_rows(name: str) -> list[Row]:
    """(text, status, attempts, claimed_by) of every agent's answer in the outbox."""
    import psycopg

    url = f"postgresql://postgres@127.0.0.1:5432/{name}"
    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT action, status, attempts, coalesce(claimed_by, '') FROM outbox "
            "WHERE sender = %s",
            (f"agent:{AGENT}",),
        ).fetchall()
    found = []
    for action, status, attempts, owner in rows:
        data = action if isinstance(action, dict) else json.loads(action)
        found.append((str(data.get("text", "")), str(status), int(attempts), str(owner)))
    return found


async def settled(
    name: str, expected: int, within: float = WAIT
) -> list[tuple[str, str, int, str]]:
    """The answers' rows once none is pending or being sent (or ``within`` s passed)."""
    deadline = time.monotonic() + within
    while True:
        rows = await asyncio.to_thread(outbox_rows, name)
        done = len(rows) >= expected and all(r[1] in ("delivered", "failed") for r in rows)
        if done or time.monotonic() > deadline:
            return rows
        await asyncio.sleep(0.2)  # polling the database for an outcome
