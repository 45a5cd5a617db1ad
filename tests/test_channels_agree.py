"""One bot on every channel at once: the same question gets the same answer wherever it
is asked, because the answer comes from the shared handlers and never from an adapter."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import aiohttp

from bots.app import App
from tests.builders import bot_config
from tests.fakes.discord import GUILD, FakeDiscord
from tests.fakes.telegram import FakeTelegram
from tests.fakes.x import FakeX
from tests.webchat_client import chat_socket

QUESTION = "When is the NOVA airdrop?"


async def test_a_knowledge_question_gets_one_answer_on_every_channel(
    tmp_path: Path, tg: FakeTelegram, dc: FakeDiscord, x: FakeX
) -> None:
    config = bot_config(
        tmp_path,
        telegram={"enabled": True, "base_url": tg.base_url, "poll_timeout": 1},
        discord={
            "enabled": True,
            **dc.settings,
            "guild_ids": [int(GUILD)],
        },
        x={
            "enabled": True,
            "api_base": x.base_url,
            "poll_min_seconds": 0.02,
            "poll_max_seconds": 0.3,
        },
    )
    async with App(config) as bot:
        before = len(x.calls_to("GET /2/dm_events"))
        await x.wait_until(lambda: len(x.calls_to("GET /2/dm_events")) > before)
        tg.private(42, QUESTION)
        dc.dm("42", QUESTION)
        x.dm("222", QUESTION)
        async with (
            aiohttp.ClientSession() as http,
            chat_socket(http, bot.url) as ws,
        ):
            await ws.send_json({"type": "message", "id": "m1", "text": QUESTION})
            web = await _reply(ws)
        telegram = (await tg.wait_sent(1, chat_id=42))[0]["text"]
        discord = (await dc.wait_sent(1, channel_id=dc.dm_channel("42")))[0]["content"]
        await x.wait_until(lambda: len(x.dms_sent) >= 1, what="the answer by DM")
    assert "NOVA" in web
    assert telegram == discord == x.dms_sent[0]["text"] == web


async def _reply(ws: aiohttp.ClientWebSocketResponse) -> str:
    while True:
        frame = json.loads((await asyncio.wait_for(ws.receive(), timeout=10)).data)
        if frame["type"] == "reply":
            return str(frame["text"])
