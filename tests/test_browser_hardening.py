"""The pages against a hostile page in a real browser (headless Chromium via Playwright):
another origin can neither frame the console nor read the API, and the pages' own
Content-Security-Policy still lets them work."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from bots.api import token_hash
from bots.app import App, system_clock
from bots.server import Server
from tests.builders import bot_config
from tests.chromium import ARGS, CHROMIUM, needs_chromium

pytestmark = needs_chromium("the browser tests")

ATTACKER = """<!doctype html>
<html><body>
<iframe id="frame" src="{bot}/console" width="800" height="600"></iframe>
<script>
  window.reads = {{}};
  const grab = (name, url, options) => fetch(url, options)
    .then(r => r.text()).then(() => {{ window.reads[name] = "read"; }})
    .catch(() => {{ window.reads[name] = "blocked"; }});
  grab("spec", "{bot}/api/openapi.json");
  grab("tickets", "{bot}/api/tickets", {{headers: {{"Authorization": "Bearer token-ana"}}}});
  grab("reply", "{bot}/api/tickets/1/reply", {{method: "POST",
    headers: {{"Authorization": "Bearer token-ana", "Content-Type": "application/json"}},
    body: JSON.stringify({{text: "sent from another site"}})}});
</script>
</body></html>"""


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[App]:
    async with App(bot_config(tmp_path)) as app:
        assert app.tickets is not None and app.pipeline is not None
        await app.tickets.add_agent("ana", "agent", token_hash("token-ana"), system_clock())
        yield app


@pytest.fixture
async def attacker(bot: App) -> AsyncIterator[str]:
    """A page on another origin (another port of 127.0.0.1) that tries its luck."""

    async def page(_request: web.Request) -> web.Response:
        return web.Response(text=ATTACKER.format(bot=bot.url), content_type="text/html")

    app = web.Application()
    app.router.add_get("/", page)
    server = Server(app, "127.0.0.1", 0)
    await server.start()
    yield f"http://127.0.0.1:{server.port}/"
    await server.stop()


async def test_another_origin_can_neither_frame_the_console_nor_read_the_api(
    bot: App, attacker: str
) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = await browser.new_page()
        said: list[str] = []
        page.on("console", lambda msg: said.append(msg.text))
        await page.goto(attacker)
        await page.wait_for_function("Object.keys(window.reads).length === 3")
        reads = await page.evaluate("window.reads")
        assert reads == {"spec": "blocked", "tickets": "blocked", "reply": "blocked"}
        frame = page.frame_locator("#frame")
        assert await frame.locator("#token").count() == 0  # the console never rendered
        assert any("frame-ancestors" in line or "X-Frame-Options" in line for line in said)
        await browser.close()


async def test_the_pages_work_under_their_own_policy(bot: App) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = await browser.new_page()
        said: list[str] = []
        page.on("console", lambda msg: said.append(msg.text))
        await page.goto(f"{bot.url}/chat")
        await page.fill("#text", "/ticket my card payment is blocked")
        await page.keyboard.press("Enter")
        await page.wait_for_selector(".msg >> text=Ticket #1", timeout=10_000)
        await page.goto(f"{bot.url}/console")
        await page.fill("#token", "token-ana")
        await page.click("text=Sign in")
        await page.wait_for_selector("tr.ticket >> text=#1", timeout=10_000)
        assert not [line for line in said if "Content Security Policy" in line]
        await browser.close()
