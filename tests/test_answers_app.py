"""The assembled bot answers from its knowledge files and follows their edits live."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bots.app import App
from bots.config import parse_config
from tests.builders import message

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
KB = """\
[[airdrops]]
id = "abc-launch"
token = "ABC"
name = {{ en = "ABC launch airdrop" }}
snapshot_at = 2026-11-20T12:00:00Z
distribution_at = 2026-11-25T12:00:00Z
status = "{status}"
eligibility = {{ en = "Hold 100 USDT." }}
how_to_claim = {{ en = "Automatic." }}
"""


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[tuple[App, Path]]:
    kb = tmp_path / "kb.toml"
    kb.write_text(KB.format(status="scheduled"), encoding="utf-8")
    config = parse_config(
        {
            "database": {"url": f"sqlite:///{tmp_path / 'bot.db'}"},
            "server": {"port": 0},
            "webchat": {"enabled": False},
            "knowledge": {"paths": [str(kb)], "reload_interval": 0.01},
        }
    )
    async with App(config) as app:
        yield app, kb


async def reply_to(app: App, text: str) -> str:
    assert app.pipeline is not None
    decision = await app.pipeline.decide(message(text), now=NOW)
    assert decision.refs == ["airdrop:abc-launch"]
    return decision.reply


async def eventually(app: App, text: str, phrase: str, within: float = 10.0) -> str:
    deadline = asyncio.get_running_loop().time() + within
    while True:
        reply = await reply_to(app, text)
        if phrase in reply:
            return reply
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{phrase!r} never appeared; last reply: {reply!r}")
        await asyncio.sleep(0.01)


async def test_an_edit_is_answered_without_a_restart_and_a_broken_one_changes_nothing(
    bot: tuple[App, Path],
) -> None:
    app, kb = bot
    assert "distribution is planned for" in await reply_to(app, "when will I get ABC?")
    kb.write_text(KB.format(status="distributed"), encoding="utf-8")
    await eventually(app, "when will I get ABC?", "the ABC tokens were distributed")
    kb.write_text(KB.format(status="distributed").replace("token = ", "token "), encoding="utf-8")
    for _ in range(1000):  # the reloader sees the broken file (every 10 ms; slower under load)
        if app.knowledge.errors:
            break
        await asyncio.sleep(0.01)
    assert app.knowledge.errors and app.knowledge.errors[0].startswith(f"{kb}:3: TOML syntax")
    assert "the ABC tokens were distributed" in await reply_to(app, "when will I get ABC?")
