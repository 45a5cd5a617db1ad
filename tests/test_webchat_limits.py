"""Oversized input: the web chat says why it refuses a frame, and the inbox keeps a
bounded text for every channel."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bots.app import App
from channels.webchat import MAX_FRAME
from handlers.conversation import MAX_TEXT
from handlers.pipeline import STORED_TEXT
from tests.builders import bot_config, message
from tests.webchat_client import chat_socket, new_session, next_frame


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[App]:
    async with App(bot_config(tmp_path)) as app:
        yield app


async def test_a_3mb_paste_is_refused_with_a_reason_and_the_chat_goes_on(bot: App) -> None:
    async with aiohttp.ClientSession() as http:
        cookie = await new_session(http, bot.url)
        async with chat_socket(http, bot.url, cookie) as ws:
            await next_frame(ws, "history")
            await ws.send_json({"type": "message", "id": "big", "text": "x" * 3_000_000})
            closing = await asyncio.wait_for(ws.receive(), timeout=10)
            assert closing.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
            assert ws.close_code == 1009
            assert "too big" in str(closing.extra) and str(MAX_FRAME) in str(closing.extra)
        async with chat_socket(http, bot.url, cookie) as ws:  # the same chat, later
            await ws.send_json({"type": "message", "id": "after", "text": "/help"})
            assert (await next_frame(ws, "ack"))["id"] == "after"
            assert "/lang" in (await next_frame(ws, "reply"))["text"]
    assert bot.store is not None
    assert [m.text for m in await bot.store.messages("in")] == ["/help"]


async def test_a_megabyte_message_is_stored_bounded_and_marked_truncated(bot: App) -> None:
    assert bot.pipeline is not None and bot.store is not None
    for channel in ("telegram", "web"):  # the bound is the inbox's, whatever the channel
        huge = "Where is my deposit? " + "a" * 1_000_000
        decision = await bot.pipeline.dispatch(message(huge, channel=channel))
        assert decision is not None and str(MAX_TEXT) in decision.reply  # told it is too long
    stored = await bot.store.messages("in")
    assert [len(m.text) for m in stored] == [STORED_TEXT, STORED_TEXT]
    assert stored[0].text.startswith("Where is my deposit?")
    assert [m.envelope["truncated"] for m in stored] == [len(huge), len(huge)]
    short = await bot.pipeline.dispatch(message("hello", channel="telegram"))
    assert short is not None
    assert "truncated" not in (await bot.store.messages("in"))[-1].envelope
