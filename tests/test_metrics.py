"""``/metrics`` in the Prometheus text format, ``/readyz`` and ``/healthz``: what a
monitoring system scrapes and probes, read back with prometheus_client's own parser."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bots.app import App
from tests.builders import bot_config, eventually
from tests.fakes import telegram as fake_telegram
from tests.fakes.telegram import FakeTelegram
from tests.telegram.test_e2e import start_bot
from tests.webchat_client import chat_socket, next_frame


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[App]:
    async with App(bot_config(tmp_path)) as app:
        yield app


async def scrape(bot: App, headers: dict[str, str] | None = None) -> dict[tuple, float]:
    """Every sample as ``{(name, sorted labels): value}``."""
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"{bot.url}/metrics", headers=headers) as response,
    ):
        assert response.status == 200, await response.text()
        assert response.headers["Content-Type"].startswith("text/plain; version=")
        text = await response.text()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def web(name: str) -> tuple:
    return (name, (("channel", "web"),))


async def test_the_inbound_counter_rises_with_web_chat_traffic(bot: App) -> None:
    before = await scrape(bot)
    assert before[web("socialdesk_inbound_messages_total")] == 0
    assert before[("socialdesk_tickets", (("status", "open"),))] == 0
    async with aiohttp.ClientSession() as http, chat_socket(http, bot.url) as ws:
        await ws.send_json({"type": "message", "id": "m1", "text": "hello"})
        await next_frame(ws, "reply")
        await ws.send_json({"type": "message", "id": "m2", "text": "/ticket my deposit is late"})
        await next_frame(ws, "reply")

    def replied(samples: dict[tuple, float]) -> bool:
        return samples.get(web("socialdesk_replies_sent_total"), 0) >= 2

    after = await eventually(lambda: scrape(bot), replied)
    assert after[web("socialdesk_inbound_messages_total")] == 2
    assert after[web("socialdesk_replies_sent_total")] >= 2
    assert after[web("socialdesk_reply_latency_seconds_count")] >= 2
    assert after[web("socialdesk_reply_latency_seconds_sum")] > 0
    assert after[("socialdesk_tickets", (("status", "open"),))] == 1
    assert ("socialdesk_outbox_depth", (("status", "pending"),)) in after
    assert after[("socialdesk_sla_breaches_total", ())] == 0
    assert after[("socialdesk_open_incidents", ())] == 0


async def test_two_bots_in_one_process_count_apart(bot: App, tmp_path: Path) -> None:
    other_dir = tmp_path / "other"
    other_dir.mkdir()
    async with App(bot_config(other_dir)) as other:
        async with aiohttp.ClientSession() as http, chat_socket(http, bot.url) as ws:
            await ws.send_json({"type": "message", "id": "m1", "text": "hello"})
            await next_frame(ws, "reply")
        assert (await scrape(bot))[web("socialdesk_inbound_messages_total")] == 1
        assert (await scrape(other))[web("socialdesk_inbound_messages_total")] == 0


async def test_a_metrics_token_in_the_environment_guards_the_scrape(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOCIALDESK_METRICS_TOKEN", "scrape-secret-123")
    async with App(bot_config(tmp_path)) as bot, aiohttp.ClientSession() as http:
        for headers in ({}, {"Authorization": "Bearer wrong"}):
            async with http.get(f"{bot.url}/metrics", headers=headers) as response:
                assert response.status == 401
        samples = await scrape(bot, {"Authorization": "Bearer scrape-secret-123"})
        assert web("socialdesk_inbound_messages_total") in samples


async def test_metrics_can_be_switched_off(tmp_path: Path) -> None:
    async with (
        App(bot_config(tmp_path, metrics={"enabled": False})) as bot,
        aiohttp.ClientSession() as http,
        http.get(f"{bot.url}/metrics") as response,
    ):
        assert response.status == 404


async def test_a_429_from_telegram_is_counted(
    tmp_path: Path, tg: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the fake allows one message a minute per private chat: the second reply meets a 429
    monkeypatch.setitem(fake_telegram.LIMITS, "private", (1, 60.0))
    bot = await start_bot(tmp_path, tg)
    try:
        tg.private(7, "hello")
        tg.private(7, "hello again")

        def limited(samples: dict[tuple, float]) -> bool:
            key = ("socialdesk_rate_limited_total", (("channel", "telegram"),))
            return samples.get(key, 0) >= 1

        samples = await eventually(lambda: scrape(bot), limited, within=15)
        assert limited(samples) and tg.limited >= 1
        inbound = ("socialdesk_inbound_messages_total", (("channel", "telegram"),))
        assert samples[inbound] == 2
    finally:
        await bot.stop()


async def test_healthz_and_readyz_answer(bot: App) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{bot.url}/healthz") as response:
            assert response.status == 200 and (await response.json())["status"] == "ok"
        async with http.get(f"{bot.url}/readyz") as response:
            assert response.status == 200
            assert await response.json() == {"status": "ready", "checked": ["database"]}


async def test_readyz_is_503_naming_the_database_when_it_is_gone(tmp_path: Path) -> None:
    """PostgreSQL behind a TCP relay the test controls: closing the relay is the
    database going away (a network cut, a stopped server)."""
    from tests.conftest import _postgres_url

    base = _postgres_url()
    async with (
        _Relay(base) as relay,
        _schema(base, relay.port) as url,
        App(bot_config(tmp_path, database={"url": url})) as bot,
        aiohttp.ClientSession() as http,
    ):
        async with http.get(f"{bot.url}/readyz") as response:
            assert response.status == 200
        await relay.cut()
        async with http.get(f"{bot.url}/readyz") as response:
            assert response.status == 503
            assert await response.json() == {"status": "unavailable", "failed": ["database"]}
        async with http.get(f"{bot.url}/healthz") as response:
            assert response.status == 200  # up, only not ready


class _Relay:
    """A TCP relay on 127.0.0.1 to the PostgreSQL server of ``url``, on an event loop
    of its own (the bot makes some database calls on its loop's thread)."""

    def __init__(self, url: str) -> None:
        import threading

        from sqlalchemy.engine import make_url

        parsed = make_url(url)
        self.target = (parsed.host or "127.0.0.1", parsed.port or 5432)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.server: asyncio.Server | None = None
        self.port = 0
        self.writers: list[asyncio.StreamWriter] = []

    async def __aenter__(self) -> _Relay:
        self.thread.start()
        self.server = await self._on_loop(asyncio.start_server(self._pipe, "127.0.0.1", 0))
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.cut()
        self.loop.call_soon_threadsafe(self.loop.stop)
        await asyncio.to_thread(self.thread.join, 10)

    async def _on_loop(self, work: Any) -> Any:
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(work, self.loop))

    async def cut(self) -> None:
        """Refuse new connections and drop the open ones."""
        await self._on_loop(self._cut())

    async def _cut(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None
        for writer in self.writers:
            writer.transport.abort()
        self.writers.clear()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(*self.target)
        self.writers += [writer, up_writer]

        async def copy(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            try:
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                dst.transport.abort()

        await asyncio.gather(copy(reader, up_writer), copy(up_reader, writer))


class _schema:
    """A fresh schema reached through the relay's port; dropped directly afterwards."""

    def __init__(self, base: str, port: int) -> None:
        self.base = base
        self.port = port
        self.name = ""

    async def __aenter__(self) -> str:
        import uuid

        from sqlalchemy.engine import make_url

        from storage.migrate import upgrade

        self.name = f"t_{uuid.uuid4().hex[:12]}"
        await asyncio.to_thread(self._execute, f'CREATE SCHEMA "{self.name}"')
        url = make_url(self.base).set(host="127.0.0.1", port=self.port)
        url = url.update_query_dict({"options": f"-csearch_path={self.name}"})
        rendered = url.render_as_string(hide_password=False)
        await asyncio.to_thread(upgrade, rendered)
        return rendered

    async def __aexit__(self, *_exc: object) -> None:
        await asyncio.to_thread(self._execute, f'DROP SCHEMA "{self.name}" CASCADE')

    def _execute(self, statement: str) -> None:
        from sqlalchemy import create_engine, text

        engine = create_engine(self.base)
        try:
            with engine.begin() as conn:
                conn.execute(text(statement))
        finally:
            engine.dispose()
