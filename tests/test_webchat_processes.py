"""The web chat with several processes: two bots on one database and one Redis.

Each bot is a process behind a load balancer: the browser's socket is held by one, the
agent's answer may be sent by the other. These need a real Redis
(SOCIALDESK_TEST_REDIS_URL), except the one where Redis cannot be reached at all.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import aiohttp
import pytest

from bots.api import token_hash
from bots.app import App, system_clock
from bots.config import Config, parse_config
from storage.models import OutboxItem
from tests.builders import bot_config, eventually
from tests.conftest import REDIS_ENV
from tests.fakes.tcp_link import TcpLink
from tests.settling import settled
from tests.webchat_client import chat_socket, new_session, next_frame

ANSWER = "Your card issuer declined it; try another card."
FANOUT_LOG = "channels.webchat_fanout"


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get(REDIS_ENV)
    if not url:
        pytest.skip(
            f"the web chat's fan-out tests need {REDIS_ENV} (e.g. redis://127.0.0.1:6379/0)"
        )
    return url


@pytest.fixture
def prefix() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"  # this test's own channel and keys


def _config(db_url: str, redis_url: str, prefix: str) -> Config:
    return parse_config(
        {
            "database": {"url": db_url},
            "server": {"port": 0},
            "redis": {"url": redis_url, "prefix": prefix},
        }
    )


@pytest.fixture
async def pair(db_url: str, redis_url: str, prefix: str) -> AsyncIterator[tuple[App, App]]:
    """Two bots sharing one database and one Redis, each on a port of its own."""
    async with (
        App(_config(db_url, redis_url, prefix)) as a,
        App(_config(db_url, redis_url, prefix)) as b,
    ):
        assert a.tickets is not None
        await a.tickets.add_agent("ana", "agent", token_hash("token-ana"), system_clock())
        yield a, b


async def _open_ticket(ws: aiohttp.ClientWebSocketResponse, bot: App, cookie: str) -> None:
    """The user opens ticket 1 on ``bot``, which sends everything that causes."""
    await ws.send_json({"type": "message", "id": "t1", "text": "/ticket card declined"})
    await settled(bot, "web", cookie.partition(".")[0], "in-t1")


async def _answer(http: aiohttp.ClientSession, bot: App) -> None:
    """Ana takes ticket 1 and answers it through ``bot``'s API."""
    api, auth = f"{bot.url}/api/tickets/1", {"Authorization": "Bearer token-ana"}
    async with http.post(f"{api}/claim", headers=auth) as r:
        assert r.status == 200, await r.text()
    async with http.post(f"{api}/reply", json={"text": ANSWER}, headers=auth) as r:
        assert r.status == 202, await r.text()


async def _answer_row(bot: App) -> OutboxItem:
    """The answer's outbox row, once it is no longer pending or being sent."""
    store = bot.store
    assert store is not None

    async def row() -> OutboxItem | None:
        rows = [r for r in await store.outbox() if r.action.get("text") == ANSWER]
        return rows[0] if len(rows) == 1 else None

    found = await eventually(row, lambda r: r is not None and r.status in ("delivered", "failed"))
    assert found is not None, "the answer was never queued"
    return found


async def _frame_showing(
    ws: aiohttp.ClientWebSocketResponse, text: str, within: float = 5.0
) -> dict[str, Any]:
    """The first frame (a reply, or a history) that shows a line with ``text``."""
    async with asyncio.timeout(within):
        while True:
            message = await ws.receive()
            assert message.type == aiohttp.WSMsgType.TEXT, f"the socket closed: {message}"
            frame = json.loads(message.data)
            lines = frame.get("lines", [frame] if frame["type"] == "reply" else [])
            if any(line["text"] == text for line in lines):
                return frame


async def _history(http: aiohttp.ClientSession, bot: App, cookie: str) -> list[dict[str, Any]]:
    async with chat_socket(http, bot.url, cookie) as ws:
        lines: list[dict[str, Any]] = (await next_frame(ws, "history"))["lines"]
    return lines


async def test_an_answer_sent_by_the_other_process_reaches_the_open_tab_once(
    pair: tuple[App, App],
) -> None:
    a, b = pair
    assert a.sender is not None
    async with aiohttp.ClientSession() as http:
        cookie = await new_session(http, a.url)
        async with chat_socket(http, a.url, cookie) as ws:  # the browser is on A
            await next_frame(ws, "history")
            await _open_ticket(ws, a, cookie)
            await a.sender.stop()  # from here on only B sends
            await _answer(http, b)
            frame = await _frame_showing(ws, ANSWER)
            assert frame["type"] == "reply"  # live, not on a reload
            row = await _answer_row(b)
            assert (row.status, row.attempts) == ("delivered", 1)  # the first send did it
            assert frame["id"] == row.platform_message_id
        history = await _history(http, b, cookie)
    assert [line["text"] for line in history].count(ANSWER) == 1
    assert b.tickets is not None
    ticket = await b.tickets.get(1)
    assert ticket is not None and ticket.first_response_at is not None


async def test_a_user_offline_everywhere_finds_the_answer_on_either_process(
    pair: tuple[App, App],
) -> None:
    a, b = pair
    assert a.sender is not None
    async with aiohttp.ClientSession() as http:
        cookie = await new_session(http, a.url)
        async with chat_socket(http, a.url, cookie) as ws:
            await _open_ticket(ws, a, cookie)
        await a.sender.stop()
        await _answer(http, b)  # nobody holds the chat's socket now
        row = await _answer_row(b)
        assert (row.status, row.attempts) == ("delivered", 1)
        on_a = await _history(http, a, cookie)  # back, through the other process
        on_b = await _history(http, b, cookie)
    for history in (on_a, on_b):
        assert [line["text"] for line in history].count(ANSWER) == 1
        assert history[-1]["text"] == ANSWER and not history[-1]["mine"]


@pytest.mark.parametrize("cut", ["sender", "holder"])
async def test_an_open_tab_catches_up_after_a_redis_link_failed(
    cut: str, db_url: str, redis_url: str, prefix: str, caplog: pytest.LogCaptureFixture
) -> None:
    """B sends while its own link to Redis is down ("sender"), or while A's is, A
    holding the browser's socket ("holder"); the tab gets the answer once the link is
    back, without a reload, and the row was sent once."""
    parts = urlsplit(redis_url)
    async with TcpLink(parts.hostname or "127.0.0.1", parts.port or 6379) as link:
        netloc = parts.netloc.rsplit("@", 1)
        netloc[-1] = f"127.0.0.1:{link.port}"
        through_link = urlunsplit(parts._replace(netloc="@".join(netloc)))
        url_a, url_b = (redis_url, through_link) if cut == "sender" else (through_link, redis_url)
        async with (
            App(_config(db_url, url_a, prefix)) as a,
            App(_config(db_url, url_b, prefix)) as b,
            aiohttp.ClientSession() as http,
        ):
            assert a.sender is not None and a.tickets is not None
            await a.tickets.add_agent("ana", "agent", token_hash("token-ana"), system_clock())
            cookie = await new_session(http, a.url)
            async with chat_socket(http, a.url, cookie) as ws:
                await _open_ticket(ws, a, cookie)
                await a.sender.stop()
                with caplog.at_level(logging.WARNING, logger=FANOUT_LOG):
                    await link.cut()  # one of them loses Redis; the browser keeps its socket
                    await _answer(http, b)
                    row = await _answer_row(b)
                    assert (row.status, row.attempts) == ("delivered", 1)  # kept: not retried
                    await link.mend()
                    frame = await _frame_showing(ws, ANSWER, within=15.0)
            assert frame["type"] == "history"  # caught up, without a reload
            assert [line["text"] for line in frame["lines"]].count(ANSWER) == 1
    down = [r for r in caplog.records if r.name == FANOUT_LOG and r.levelno >= logging.WARNING]
    assert len(down) == 1 and "unavailable" in down[0].getMessage()


async def test_without_redis_the_chat_still_works_in_its_own_process(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with socket.socket() as probe:  # a port of this machine where nothing answers
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    nowhere = f"redis://:hunter2-secret@127.0.0.1:{port}/0"
    config = bot_config(tmp_path, redis={"url": nowhere, "prefix": "test-down"})
    with caplog.at_level(logging.DEBUG):
        async with App(config) as bot, aiohttp.ClientSession() as http:
            assert bot.tickets is not None
            await bot.tickets.add_agent("ana", "agent", token_hash("token-ana"), system_clock())
            cookie = await new_session(http, bot.url)
            async with chat_socket(http, bot.url, cookie) as ws:
                await ws.send_json({"type": "message", "id": "h1", "text": "/help"})
                assert "/lang" in (await next_frame(ws, "reply"))["text"]
                await _open_ticket(ws, bot, cookie)
                await _answer(http, bot)
                frame = await _frame_showing(ws, ANSWER)
                assert frame["type"] == "reply"
            row = await _answer_row(bot)
            assert (row.status, row.attempts) == ("delivered", 1)
    down = [r for r in caplog.records if r.name == FANOUT_LOG and r.levelno >= logging.WARNING]
    assert len(down) == 1  # one line for the outage, not one per send
    assert all("hunter2" not in r.getMessage() for r in caplog.records)
