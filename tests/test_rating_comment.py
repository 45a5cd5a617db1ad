"""A low rating asks for one line, and the user's next message is that line.

Through the web chat end to end: the comment is stored on the ticket (what agents read
in its data) instead of opening a ticket or reopening the resolved one, and the bot
answers normally again afterwards.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bots.api import token_hash
from bots.app import App, system_clock
from tests.builders import bot_config, eventually
from tests.webchat_client import chat_socket

API = "/api/tickets"


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[App]:
    async with App(bot_config(tmp_path)) as app:
        assert app.tickets is not None
        await app.tickets.add_agent("ana", "agent", token_hash("token-ana"), system_clock())
        yield app


AUTH = {"Authorization": "Bearer token-ana"}


async def receive(ws: aiohttp.ClientWebSocketResponse) -> dict:
    while True:
        frame = json.loads((await asyncio.wait_for(ws.receive(), timeout=10)).data)
        if frame["type"] == "reply":
            return frame


async def resolved_ticket(
    bot: App, http: aiohttp.ClientSession, ws: aiohttp.ClientWebSocketResponse
) -> None:
    """Ticket #1, asked for in the chat, claimed, answered and resolved by ana."""
    await ws.send_json({"type": "message", "id": "a1", "text": "/ticket my withdrawal is stuck"})
    assert "Ticket #1" in (await receive(ws))["text"]
    await receive(ws)  # the intake's first question
    await ws.send_json({"type": "button", "id": "a2", "data": "intake:category:skip"})
    await receive(ws)
    async with http.post(f"{bot.url}{API}/1/claim", headers=AUTH) as r:
        assert r.status == 200
    body = {"text": "It is on its way."}
    async with http.post(f"{bot.url}{API}/1/reply", json=body, headers=AUTH) as r:
        assert r.status == 202
    assert (await receive(ws))["text"] == body["text"]
    async with http.post(f"{bot.url}{API}/1/resolve", headers=AUTH) as r:
        assert r.status == 200
    assert "resolved" in (await receive(ws))["text"]


async def ticket(bot: App, http: aiohttp.ClientSession) -> dict:
    async with http.get(f"{bot.url}{API}/1", headers=AUTH) as r:
        assert r.status == 200
        return await r.json()


async def test_a_low_rating_asks_for_a_line_and_keeps_the_next_message(bot: App) -> None:
    async with aiohttp.ClientSession() as http, chat_socket(http, bot.url) as ws:
        await resolved_ticket(bot, http, ws)
        await ws.send_json({"type": "button", "id": "a3", "data": "rate:1:2"})
        assert "what went wrong" in (await receive(ws))["text"]
        data = await ticket(bot, http)
        assert data["rating"] == 2 and data["rating_comment"] is None

        comment = "The first answer took two days and nobody said why"
        await ws.send_json({"type": "message", "id": "a4", "text": comment})
        assert "your comment is with our support team" in (await receive(ws))["text"]
        data = await ticket(bot, http)
        assert data["rating_comment"] == comment
        assert data["rating_comment_at"] is not None
        # stored as the comment: the ticket stays resolved, no other ticket was opened
        assert data["status"] == "resolved"
        async with http.get(f"{bot.url}{API}", headers=AUTH) as r:
            assert [t["id"] for t in (await r.json())["tickets"]] == [1]

        # the line was the comment; what comes next is a question again
        await ws.send_json({"type": "message", "id": "a5", "text": "hello"})
        assert "support assistant" in (await receive(ws))["text"]
        assert (await ticket(bot, http))["rating_comment"] == comment


async def test_a_good_rating_asks_nothing_more(bot: App) -> None:
    async with aiohttp.ClientSession() as http, chat_socket(http, bot.url) as ws:
        await resolved_ticket(bot, http, ws)
        await ws.send_json({"type": "button", "id": "b3", "data": "rate:1:4"})
        assert "Thank you for your rating" in (await receive(ws))["text"]
        await ws.send_json({"type": "message", "id": "b4", "text": "hello"})
        assert "support assistant" in (await receive(ws))["text"]
        data = await ticket(bot, http)
        assert data["rating"] == 4 and data["rating_comment"] is None


async def test_a_command_instead_of_a_comment_keeps_its_meaning(bot: App) -> None:
    async with aiohttp.ClientSession() as http, chat_socket(http, bot.url) as ws:
        await resolved_ticket(bot, http, ws)
        await ws.send_json({"type": "button", "id": "c3", "data": "rate:1:1"})
        assert "what went wrong" in (await receive(ws))["text"]
        await ws.send_json({"type": "message", "id": "c4", "text": "/help"})
        help_text = (await receive(ws))["text"]
        assert "your comment" not in help_text
        # the bot stopped waiting: a later message is not taken as the comment
        await ws.send_json({"type": "message", "id": "c5", "text": "hello"})
        assert "support assistant" in (await receive(ws))["text"]
        data = await eventually(lambda: ticket(bot, http), lambda t: t["rating"] == 1)
        assert data["rating_comment"] is None and data["rating_comment_asked_at"] is None
