"""The web chat page in a real browser: headless Chromium driven by Playwright.

Chromium comes from the system (Debian's ``chromium`` package); nothing is downloaded.
Without it the tests are skipped, saying so.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bots.api import token_hash
from bots.app import App, system_clock
from tests.builders import bot_config, eventually
from tests.chromium import ARGS, CHROMIUM, needs_chromium

pytestmark = needs_chromium("the web chat browser tests")
WAIT = 10_000  # ms a page may take to show an outcome


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[App]:
    async with App(bot_config(tmp_path)) as app:
        assert app.tickets is not None
        await app.tickets.add_agent("ana", "agent", token_hash("token-ana"), system_clock())
        yield app


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        chromium = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        await chromium.close()


async def write(page: Any, text: str) -> None:
    await page.fill("#text", text)
    await page.press("#text", "Enter")


async def test_a_reload_shows_the_chat_so_far(bot: App, browser: Any) -> None:
    context = await browser.new_context(locale="en-US")
    page = await context.new_page()
    await page.goto(f"{bot.url}/chat")
    await page.wait_for_selector("#status:text-is('online')", timeout=WAIT)
    await write(page, "/help")
    await page.wait_for_selector(".msg.bot >> text=/lang", timeout=WAIT)
    assert "socialdesk_chat" not in await page.evaluate("document.cookie")  # HttpOnly
    await page.reload()
    await page.wait_for_selector(".msg.me:text-is('/help')", timeout=WAIT)
    await page.wait_for_selector(".msg.bot >> text=/lang", timeout=WAIT)
    assert await page.locator(".msg").count() == 2  # history shown once, not doubled
    await context.close()


async def test_an_answer_sent_while_the_page_was_closed_appears_when_it_is_back(
    bot: App, browser: Any
) -> None:
    context = await browser.new_context(locale="en-US")
    page = await context.new_page()
    await page.goto(f"{bot.url}/chat")
    await page.wait_for_selector("#status:text-is('online')", timeout=WAIT)
    await write(page, "/ticket my withdrawal is stuck")
    await page.wait_for_selector(".msg.bot >> text=Ticket #1", timeout=WAIT)
    await page.close()  # the user leaves; an agent answers
    api, auth = f"{bot.url}/api/tickets/1", {"Authorization": "Bearer token-ana"}
    answer = "Your withdrawal went out at 10:42; it needs 12 confirmations."
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{api}/claim", headers=auth) as r:
            assert r.status == 200
        async with http.post(f"{api}/reply", json={"text": answer}, headers=auth) as r:
            assert r.status == 202
    assert bot.tickets is not None
    tickets = bot.tickets
    await eventually(lambda: tickets.get(1), lambda t: bool(t.first_response_at))
    page = await context.new_page()  # the user comes back
    await page.goto(f"{bot.url}/chat")
    await page.wait_for_selector(f".msg.bot:text-is('{answer}')", timeout=WAIT)
    texts = await page.locator(".msg").all_inner_texts()
    assert texts[0] == "/ticket my withdrawal is stuck" and texts[-1] == answer
    await context.close()


async def test_an_oversized_paste_gets_a_clear_line_and_later_messages_still_go(
    bot: App, browser: Any
) -> None:
    context = await browser.new_context(locale="en-US")
    page = await context.new_page()
    await page.goto(f"{bot.url}/chat")
    await page.wait_for_selector("#status:text-is('online')", timeout=WAIT)
    await write(page, "x" * 3_000_000)
    notice = page.locator("#notice")
    await notice.wait_for(state="visible", timeout=WAIT)
    line = await notice.inner_text()
    assert "3,000,000 characters" in line and "8,000" in line
    assert len(await page.input_value("#text")) == 3_000_000  # kept, to be shortened
    await write(page, "/help")
    await page.wait_for_selector(".msg.bot >> text=/lang", timeout=WAIT)
    await page.wait_for_selector(".msg.me:not(.pending):text-is('/help')", timeout=WAIT)
    assert await notice.is_hidden()
    assert bot.store is not None
    assert [m.text for m in await bot.store.messages("in")] == ["/help"]
    await context.close()
