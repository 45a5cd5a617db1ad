"""The guard end to end: what a new user writes reaches the web chat and Telegram as a
warning (and an urgent ticket when the money is gone), and what storage keeps holds no
key: the database file and its write-ahead log are read byte by byte."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bots.app import App
from bots.config import parse_config
from handlers.understanding import shared_engine
from tests.builders import bot_config
from tests.fakes.telegram import FakeTelegram
from tests.webchat_client import chat_socket

KEY = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"
TX = "9fa3c0d2e1b4a5968778695a4b3c2d1e0f1e2d3c4b5a69788796a5b4c3d2e1f0"
PAID = "I already sent 0.5 ETH to the giveaway address, when do I get 1 ETH back?"
# what a new user writes, and a few words the warning they get must hold
CASES = [
    ("a guy from support wants my recovery phrase", "this is a scam"),
    ("admin DMed me asking for my seed phrase", "this is a scam"),
    ("is it safe to give my private key to the moderator?", "this is a scam"),
    ("my password is Sup3rSecret99", "change it now"),
]

pytestmark = pytest.mark.skipif(
    shared_engine().engine is None, reason="the embedding model is not available here"
)


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[App]:
    async with App(bot_config(tmp_path)) as app:
        yield app


async def receive(ws: aiohttp.ClientWebSocketResponse, kind: str = "reply") -> dict:
    while True:
        frame = json.loads((await asyncio.wait_for(ws.receive(), timeout=20)).data)
        if frame["type"] == kind:
            return frame


async def until(ws: aiohttp.ClientWebSocketResponse, words: str) -> dict:
    """The first reply that holds ``words`` (a warning is followed by the answer)."""
    while True:
        reply = await receive(ws)
        if words in reply["text"]:
            return reply


async def test_each_case_is_warned_in_the_web_chat(bot: App) -> None:
    for number, (text, words) in enumerate(CASES):
        async with (
            aiohttp.ClientSession() as http,
            chat_socket(http, bot.url) as ws,
        ):
            await ws.send_json({"type": "message", "id": f"g{number}", "text": text})
            warning = await receive(ws)
            assert words in warning["text"], (text, warning["text"])
            assert "Sup3rSecret99" not in warning["text"]


async def test_a_user_who_already_paid_gets_the_urgent_ticket_in_the_web_chat(bot: App) -> None:
    async with (
        aiohttp.ClientSession() as http,
        chat_socket(http, bot.url) as ws,
    ):
        await ws.send_json({"type": "message", "id": "p1", "text": PAID})
        warning = await receive(ws)
        assert "urgent anti-fraud ticket" in warning["text"]
        assert "Ticket #1" in (await receive(ws))["text"]
    assert bot.tickets is not None
    ticket = await bot.tickets.get(1)
    assert ticket is not None
    assert ticket.category == "anti_fraud" and ticket.priority == 1


async def test_a_bare_key_never_reaches_the_database_file_but_an_asked_hash_does(
    tmp_path: Path,
) -> None:
    async with App(bot_config(tmp_path)) as bot:
        async with (
            aiohttp.ClientSession() as http,
            chat_socket(http, bot.url) as ws,
        ):
            await ws.send_json({"type": "message", "id": "k1", "text": f"0x{KEY}"})
            assert "private key" in (await receive(ws))["text"]
            await ws.send_json({"type": "message", "id": "k2", "text": "/ticket deposit missing"})
            await until(ws, "Ticket #1")
            await until(ws, "what is it about")
            answers = [
                ("button", "intake:category:deposit_missing", "Which coin"),
                ("button", "intake:coin:USDT", "network"),
                ("button", "intake:network:ERC20", "How much"),
                ("message", "50", "transaction hash"),
                ("message", f"0x{TX}", "Which address"),
            ]
            for number, (kind, value, next_question) in enumerate(answers):
                key = "data" if kind == "button" else "text"
                await ws.send_json({"type": kind, "id": f"i{number}", key: value})
                reply = await receive(ws)
                assert next_question in reply["text"], reply["text"]
                assert "private key" not in reply["text"]  # the hash asked for is no key
        assert bot.tickets is not None
        ticket = await bot.tickets.get(1)
        assert ticket is not None and ticket.tx_hash == f"0x{TX}"
        stored = database_bytes(tmp_path)
        assert KEY.encode() not in stored and KEY.upper().encode() not in stored
        assert TX.encode() in stored


def database_bytes(folder: Path) -> bytes:
    """The SQLite file and its write-ahead log, as the disk holds them."""
    files = {p.name: p.read_bytes() for p in folder.iterdir() if p.name.startswith("bot.db")}
    assert "bot.db-wal" in files  # the log is read too, not only the main file
    return b"".join(files.values())


async def start_telegram_bot(tmp_path: Path, tg: FakeTelegram) -> App:
    config = parse_config(
        {
            "database": {"url": f"sqlite:///{tmp_path / 'bot.db'}"},
            "server": {"port": 0},
            "telegram": {"enabled": True, "base_url": tg.base_url, "poll_timeout": 1},
        }
    )
    app = App(config)
    await app.start()
    return app


async def test_each_case_is_warned_on_telegram(tmp_path: Path, tg: FakeTelegram) -> None:
    app = await start_telegram_bot(tmp_path, tg)
    try:
        for number, (text, words) in enumerate(CASES):
            user = 500 + number
            tg.private(user, text)
            first = (await tg.wait_sent(1, chat_id=user, within=30))[0]
            assert words in first["text"], (text, first["text"])
        user = 600
        tg.private(user, PAID)
        sent = await tg.wait_sent(2, chat_id=user, within=30)
        assert "urgent anti-fraud ticket" in sent[0]["text"]
        number = re.search(r"Ticket #(\d+)", sent[1]["text"])
        assert number is not None, sent[1]["text"]
        assert app.tickets is not None
        ticket = await app.tickets.get(int(number.group(1)))
        assert ticket is not None
        assert ticket.category == "anti_fraud" and ticket.priority == 1
    finally:
        await app.stop()
