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
from tests.builders import bot_config, message
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


async def test_search_finds_a_ticket_by_tx_hash_and_uid_and_sign_out_forgets_the_token(
    bot: App,
) -> None:
    from playwright.async_api import async_playwright, expect

    assert bot.tickets is not None and bot.pipeline is not None
    await bot.tickets.add_agent("sue", "supervisor", token_hash("token-sue"), system_clock())
    tx = "0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060"
    for chat, text in (("u1", "/ticket deposit missing"), ("u2", "/ticket account locked")):
        await bot.pipeline.dispatch(message(text, chat_id=chat, sender_id=chat))
    await bot.tickets.update_fields(1, tx_hash=tx)
    await bot.tickets.update_fields(2, uid="87654321")
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = await browser.new_page()
        await page.goto(f"{bot.url}/console")
        await page.fill("#token", "token-sue")
        await page.click("text=Sign in")
        await page.wait_for_selector("tr.ticket >> text=#2")
        await page.fill("#q", tx[:16])
        await expect(page.locator("tr.ticket td >> nth=0")).to_have_text("#1")
        await expect(page.locator("tr.ticket")).to_have_count(1)
        await page.fill("#q", "87654321")
        await expect(page.locator("tr.ticket td >> nth=0")).to_have_text("#2")
        await expect(page.locator("tr.ticket")).to_have_count(1)
        await page.fill("#q", "no such thing")
        await page.wait_for_selector("text=No ticket matches the search.")
        await page.fill("#q", "87654321")
        await page.click("tr.ticket >> text=#2")
        await page.click("#actions >> text=Claim")
        # the audit log, in the ticket's timeline
        await page.wait_for_selector(".msg.audit >> text=sue claimed assignee: none → sue")
        await page.click("#signout")
        await page.wait_for_selector("text=Sign in to see the queue.")
        await expect(page.locator("tr.ticket")).to_have_count(0)
        assert await page.is_visible("#token") and not await page.is_visible("#signout")
        assert await page.evaluate("sessionStorage.getItem('socialdesk-token')") is None
        await page.reload()  # nothing brings the session back
        await page.wait_for_selector("text=Sign in to see the queue.")
        assert await page.locator("tr.ticket").count() == 0
        await browser.close()
