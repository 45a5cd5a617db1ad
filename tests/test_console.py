"""The agents' console in a real browser: headless Chromium driven by Playwright.

Chromium comes from the system (Debian's ``chromium`` package, installed by
``.ci/run``); nothing is downloaded. Without it the test is skipped, saying so.
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
from tests.builders import bot_config
from tests.chromium import ARGS, CHROMIUM, needs_chromium
from tests.webchat_client import chat_socket

pytestmark = needs_chromium("the console test")


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[App]:
    async with App(bot_config(tmp_path)) as app:
        assert app.tickets is not None
        await app.tickets.add_agent("ana", "agent", token_hash("token-ana"), system_clock())
        yield app


async def receive(ws: aiohttp.ClientWebSocketResponse) -> dict:
    while True:
        frame = json.loads((await asyncio.wait_for(ws.receive(), timeout=10)).data)
        if frame["type"] == "reply":
            return frame


async def test_an_agent_answers_a_ticket_from_the_console(bot: App, tmp_path: Path) -> None:
    from playwright.async_api import async_playwright

    async with (
        aiohttp.ClientSession() as http,
        chat_socket(http, bot.url) as ws,
    ):
        await ws.send_json({"type": "message", "id": "c1", "text": "/ticket withdrawal stuck"})
        await receive(ws)
        question = await receive(ws)  # the intake: what is it about?
        assert any(
            b["data"] == "intake:category:account_kyc" for row in question["buttons"] for b in row
        )
        await ws.send_json({"type": "button", "id": "c1b", "data": "intake:category:account_kyc"})
        assert "UID" in (await receive(ws))["text"]
        await ws.send_json({"type": "message", "id": "c1c", "text": "12345678"})
        assert "everything" in (await receive(ws))["text"]
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = await browser.new_page()
            await page.goto(f"{bot.url}/console")
            await page.fill("#token", "token-ana")
            await page.click("text=Sign in")
            await page.click("tr.ticket >> text=#1")
            await page.wait_for_selector("text=withdrawal stuck")
            await page.wait_for_selector("dd:text-is('12345678')")  # the intake's UID
            await page.click("#actions >> text=Claim")
            await page.wait_for_selector("dd:text-is('ana')")  # the assignee
            await page.select_option("#canned", label="Looking into it")
            assert "looking into this" in await page.input_value("#reply")
            await page.fill("#reply", "Your withdrawal is on its way.")
            await page.click("#send")
            assert (await receive(ws))["text"] == "Your withdrawal is on its way."
            # the user writes again: it appears without a reload
            await ws.send_json({"type": "message", "id": "c2", "text": "thanks, got it"})
            await page.wait_for_selector(".msg.in >> text=thanks, got it", timeout=10_000)
            await page.click("#actions >> text=Resolve")
            assert "resolved" in (await receive(ws))["text"]
            await page.screenshot(path=str(tmp_path / "console.png"))
            await browser.close()
