"""End to end: a person in the browser talks to the bot over a real websocket."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bots.app import App
from tests.builders import bot_config

SEED = "abandon ability able about above absent absorb abstract absurd abuse access accident"


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[App]:
    async with App(bot_config(tmp_path)) as app:
        yield app


async def receive(ws: aiohttp.ClientWebSocketResponse, kind: str) -> dict:
    while True:
        frame = json.loads((await asyncio.wait_for(ws.receive(), timeout=10)).data)
        if frame["type"] == kind:
            return frame


async def test_a_person_gets_a_localized_reply_in_the_browser(bot: App) -> None:
    async with (
        aiohttp.ClientSession() as http,
        http.ws_connect(f"{bot.url}/chat/ws?session=browser-session-1") as ws,
    ):
        await ws.send_json(
            {"type": "message", "id": "m1", "text": "Hallo, ich brauche Hilfe", "lang": "de-DE"}
        )
        assert (await receive(ws, "ack"))["id"] == "m1"
        reply = await receive(ws, "reply")
        assert "Support-Assistent" in reply["text"]


async def test_buttons_round_trip_through_the_page(bot: App) -> None:
    async with (
        aiohttp.ClientSession() as http,
        http.ws_connect(f"{bot.url}/chat/ws?session=browser-session-2") as ws,
    ):
        await ws.send_json({"type": "message", "id": "m1", "text": "/lang"})
        menu = await receive(ws, "reply")
        datas = [b["data"] for row in menu["buttons"] for b in row]
        assert "lang:vi" in datas
        await ws.send_json({"type": "button", "id": "m2", "data": "lang:vi"})
        assert "tiếng Việt" in (await receive(ws, "reply"))["text"]
        await ws.send_json({"type": "message", "id": "m3", "text": "hello"})
        assert "Xin chào" in (await receive(ws, "reply"))["text"]  # the choice sticks


async def test_a_message_resent_after_a_reconnect_is_answered_once(bot: App) -> None:
    url = f"{bot.url}/chat/ws?session=browser-session-3"
    frame = {"type": "message", "id": "same-id", "text": "hello"}
    async with aiohttp.ClientSession() as http:
        async with http.ws_connect(url) as ws:
            await ws.send_json(frame)
            await receive(ws, "ack")
            await receive(ws, "reply")
        async with http.ws_connect(url) as ws:  # the page resends what it thinks unacked
            await ws.send_json(frame)
            await receive(ws, "ack")
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(ws.receive(), timeout=1.0)
    assert bot.store is not None
    assert len(await bot.store.outbox()) == 1


async def test_a_reply_waits_for_the_browser_to_come_back(bot: App) -> None:
    url = f"{bot.url}/chat/ws?session=browser-session-4"
    assert bot.sender is not None
    await bot.sender.stop()  # hold replies, so the tab surely closes before this one
    async with aiohttp.ClientSession() as http:
        async with http.ws_connect(url) as ws:
            await ws.send_json({"type": "message", "id": "x1", "text": "/help"})
            await receive(ws, "ack")
            await ws.close()  # the tab is closed before the reply goes out
        await bot.sender.start()
        await asyncio.sleep(0.5)  # the reply finds no tab open and waits
        async with http.ws_connect(url) as ws:
            reply = await receive(ws, "reply")
            assert "/lang" in reply["text"]


async def test_bad_frames_get_a_clear_error_and_the_chat_goes_on(bot: App) -> None:
    async with (
        aiohttp.ClientSession() as http,
        http.ws_connect(f"{bot.url}/chat/ws?session=browser-session-5") as ws,
    ):
        await ws.send_str("not json")
        assert "unreadable" in (await receive(ws, "error"))["error"]
        await ws.send_json({"type": "message", "id": "bad id!", "text": "x"})
        assert "id" in (await receive(ws, "error"))["error"]
        await ws.send_json({"type": "message", "id": "ok1", "text": SEED})
        reply = await receive(ws, "reply")
        assert "seed phrase" in reply["text"]
    assert bot.store is not None
    assert "abandon" not in " ".join(m.text for m in await bot.store.messages())


async def test_the_page_and_health_are_served(bot: App) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{bot.url}/chat", headers={"Accept-Language": "zh-CN,zh;q=0.9"}) as r:
            page = await r.text()
            assert r.status == 200 and "在线客服" in page and 'lang="zh"' in page
        async with http.get(f"{bot.url}/healthz") as r:
            assert r.status == 200 and (await r.json())["status"] == "ok"
        async with http.get(f"{bot.url}/chat/ws?session=x") as r:
            assert r.status == 400


async def test_a_wrong_network_deposit_gets_a_warning_and_an_answer(bot: App) -> None:
    async with (
        aiohttp.ClientSession() as http,
        http.ws_connect(f"{bot.url}/chat/ws?session=browser-session-6") as ws,
    ):
        text = "I sent USDT to TT67rPNwgmpeimvHUMVzFfKsjL9GZ1wGw8 on ERC20, it has not arrived"
        await ws.send_json({"type": "message", "id": "w1", "text": text})
        warning = await receive(ws, "reply")
        assert "TRON" in warning["text"] and "lost" in warning["text"]
        answer = await receive(ws, "reply")  # the question itself is still answered
        assert answer["text"] != warning["text"]
