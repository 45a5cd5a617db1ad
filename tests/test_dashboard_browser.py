"""The dashboard in a real browser: headless Chromium (Debian's) driven by Playwright.

A supervisor signs in on the console, follows its Dashboard link and picks the seeded
day: each chart is drawn by Chart.js (an instance on its canvas, with the report's
figures, and pixels painted), the page said no error and broke no rule of its
Content-Security-Policy, which still allows scripts from the bot alone, and the
browser asked nothing of any other origin.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bots.api import token_hash
from bots.app import App, system_clock
from storage.migrate import upgrade
from tests.builders import bot_config, eventually
from tests.chromium import ARGS, CHROMIUM, needs_chromium
from tests.report_history import EXPECTED, seed

pytestmark = needs_chromium("the dashboard test")

CHARTS = ("chart-hours", "chart-channels", "chart-csat", "chart-times")
# what a chart holds: its labels and the values of each dataset
SHOWN = """(id) => {
  const chart = Chart.getChart(id);
  return chart && {labels: chart.data.labels, data: chart.data.datasets.map((d) => d.data)};
}"""
# painted pixels: those of the canvas whose alpha is not zero
PAINTED = """(id) => {
  const canvas = document.getElementById(id);
  const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i]) painted++;
  return painted;
}"""


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[App]:
    config = bot_config(tmp_path)
    upgrade(config.database.url)
    seed(config.database.url)
    async with App(config) as app:
        assert app.tickets is not None
        await app.tickets.add_agent("boss", "supervisor", token_hash("token-boss"), system_clock())
        yield app


async def test_a_supervisor_sees_the_day_in_charts(bot: App, tmp_path: Path) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = await browser.new_page()
        errors: list[str] = []
        page.on(
            "console",
            lambda m: errors.append(f"{m.text} {m.location}") if m.type == "error" else None,
        )
        page.on("pageerror", lambda e: errors.append(str(e)))
        asked: list[str] = []
        page.on("request", lambda r: asked.append(r.url))
        await page.add_init_script(
            "window.violations = [];"
            "document.addEventListener('securitypolicyviolation',"
            " (e) => window.violations.push(e.violatedDirective + ' ' + e.blockedURI));"
        )
        await page.goto(f"{bot.url}/console")
        await page.fill("#token", "token-boss")
        await page.click("text=Sign in")
        async with page.expect_navigation() as navigation:
            await page.click("#dashboard-link")
        answer = await navigation.value
        assert answer is not None and answer.url == f"{bot.url}/console/dashboard"
        policy = answer.headers["content-security-policy"]
        assert "default-src 'none'" in policy
        script = next(p for p in policy.split("; ") if p.startswith("script-src"))
        assert script.split()[1] == "'self'"
        assert all(s.startswith("'sha256-") for s in script.split()[2:])
        assert "unsafe" not in policy and "http" not in policy

        # signed in already (the console's session): pick the seeded day
        await page.fill("#since", "2026-11-02")
        await page.fill("#until", "2026-11-02")
        await page.click("text=Show")
        csat = await eventually(
            lambda: page.evaluate(SHOWN, "chart-csat"),
            lambda shown: bool(shown) and shown["data"] == [[1, 1, 0, 1, 1]],
            within=10,
        )
        assert csat == {"labels": ["1", "2", "3", "4", "5"], "data": [[1, 1, 0, 1, 1]]}
        volume = EXPECTED["volume"]
        hours = await page.evaluate(SHOWN, "chart-hours")
        assert hours["labels"] == list(volume["messages"]["by_hour"])
        assert hours["data"] == [
            list(volume["messages"]["by_hour"].values()),
            list(volume["tickets"]["by_hour"].values()),
        ]
        channels = await page.evaluate(SHOWN, "chart-channels")
        assert channels == {"labels": ["web", "telegram", "discord"], "data": [[6, 4, 1]]}
        times = await page.evaluate(SHOWN, "chart-times")
        # minutes: first response p50 5 and p90 60, resolution p50 59 and p90 180
        assert times["data"] == [[5, 59], [60, 180]]
        for chart in CHARTS:
            assert await page.evaluate(PAINTED, chart) > 500, f"{chart} is blank"
        assert "Wrong answer" in await page.inner_text("#comments")
        assert "ana" in await page.inner_text("#agents")
        assert "25%" in await page.inner_text("#tiles")  # answered by the bot alone
        await page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)

        assert await page.evaluate("window.violations") == []
        assert errors == []
        assert asked and all(url.startswith(bot.url) for url in asked)
        await browser.close()
