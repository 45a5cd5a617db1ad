"""Files on Discord, through the real discord.py and the fake: a user's attachment is
fetched from its CDN URL and kept; one from anywhere else is not fetched; an agent's
screenshot reaches the DM as a message with the file."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select

from bots.api import token_hash
from bots.app import App, system_clock
from storage.attachments import ATTACHMENT
from tests.builders import eventually
from tests.discord.test_e2e import config
from tests.fakes.discord import FakeDiscord
from tests.samples import png


@pytest.fixture
async def bot(tmp_path: Path, dc: FakeDiscord) -> AsyncIterator[App]:
    app = App(config(tmp_path, dc))
    await app.start()
    assert app.tickets is not None
    await app.tickets.add_agent("ana", "supervisor", token_hash("token-ana"), system_clock())
    yield app
    await app.stop()


async def kept(app: App) -> list[dict[str, Any]]:
    assert app.store is not None

    def read(conn: Any) -> list[dict[str, Any]]:
        return [dict(r._mapping) for r in conn.execute(select(ATTACHMENT))]

    return await app.store.read(read)


async def test_a_dm_attachment_is_kept_and_an_agents_screenshot_comes_back(
    bot: App, dc: FakeDiscord
) -> None:
    channel = dc.dm_channel("42")
    dc.dm("42", "/ticket my withdrawal is stuck")
    await dc.wait_sent(2, channel_id=channel)
    proof = png(5, 5)
    dc.dm("42", "", attachments=[dc.attachment(proof, "proof.png", "image/png")])
    rows = await eventually(lambda: kept(bot), bool)
    assert [(r["mime"], r["name"], r["data"], r["ticket_id"]) for r in rows] == [
        ("image/png", "proof.png", proof, 1)
    ]
    shot = png(3, 2, (0, 0, 0))
    body = {"ticket_id": 1, "data": base64.b64encode(shot).decode(), "name": "steps.png"}
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            f"{bot.url}/api/attachments", json=body, headers={"Authorization": "Bearer token-ana"}
        ) as r,
    ):
        assert r.status == 202, await r.text()
    await eventually(lambda: _files(dc, channel), bool)
    assert await _files(dc, channel) == [("steps.png", shot)]


async def _files(dc: FakeDiscord, channel: str) -> list[tuple[str, bytes]]:
    """The files the bot sent to ``channel``."""
    return [(f["filename"], f["data"]) for m in dc.sent(channel) for f in m.get("_files", [])]


async def test_an_attachment_url_off_discord_is_never_fetched(bot: App, dc: FakeDiscord) -> None:
    channel = dc.dm_channel("42")
    elsewhere = dc.attachment(png(), "x.png", "image/png")
    elsewhere["url"] = elsewhere["proxy_url"] = "http://198.51.100.7/x.png"
    dc.dm("42", "", attachments=[elsewhere])
    sent = await dc.wait_sent(1, channel_id=channel)
    assert "could not receive your file" in sent[0]["content"]
    assert await kept(bot) == []
