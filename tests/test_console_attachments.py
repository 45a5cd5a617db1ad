"""A photo sent on Telegram appears in the agents' console: the real
python-telegram-bot fetches it from the fake Bot API, and headless Chromium (Debian's,
through Playwright) opens the console, the ticket, and finds the image decoded."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from bots.api import token_hash
from bots.app import App, system_clock
from bots.config import Config
from storage.attachments import ATTACHMENT
from tests.builders import eventually
from tests.chromium import ARGS, CHROMIUM, needs_chromium
from tests.fakes.telegram import FakeTelegram
from tests.samples import PDF, png

pytestmark = needs_chromium("the console's attachments test")


async def test_a_telegram_photo_shows_in_the_consoles_transcript(
    tmp_path: Path, tg: FakeTelegram
) -> None:
    from playwright.async_api import async_playwright

    config = Config.model_validate(
        {
            "database": {"url": f"sqlite:///{tmp_path / 'bot.db'}"},
            "server": {"port": 0},
            "telegram": {"enabled": True, "base_url": tg.base_url, "poll_timeout": 1},
        }
    )
    async with App(config) as bot:
        assert bot.tickets is not None and bot.store is not None
        await bot.tickets.add_agent("ana", "agent", token_hash("token-ana"), system_clock())
        tg.private(42, "/ticket my deposit has not arrived")
        await tg.wait_sent(2, chat_id=42)
        tg.photo(42, png(64, 48), caption="my transfer")
        tg.document(42, PDF, "statement.pdf", "application/pdf")

        async def count() -> int:
            assert bot.store is not None
            query = select(func.count()).select_from(ATTACHMENT)
            return int(await bot.store.read(lambda conn: conn.execute(query).scalar_one()))

        assert await eventually(count, lambda n: n == 2) == 2
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = await browser.new_page()
            await page.goto(f"{bot.url}/console")
            await page.fill("#token", "token-ana")
            await page.click("text=Sign in")
            await page.click("tr.ticket >> text=#1")
            await page.wait_for_selector(".msg.in >> text=my transfer")
            image = await page.wait_for_function(
                "() => [...document.querySelectorAll('#transcript .msg.in img')]"
                ".find((img) => img.complete && img.naturalWidth > 0)",
                timeout=10_000,
            )
            assert await image.evaluate("(img) => [img.naturalWidth, img.naturalHeight]") == [
                64,
                48,
            ]
            link = page.locator("#transcript .msg.in a", has_text="statement.pdf")
            async with page.expect_download() as download:
                await link.click()
            saved = tmp_path / "statement.pdf"
            await (await download.value).save_as(saved)
            assert saved.read_bytes() == PDF
            await page.screenshot(path=str(tmp_path / "console-attachments.png"))
            await browser.close()
