"""Files on Telegram, through the real python-telegram-bot and the fake Bot API: a
user's photo is fetched (getFile, then the download URL) and kept with its message
and ticket; an oversized file and a web page dressed as a picture are refused with a
note and nothing is kept; an agent's screenshot reaches the user as sendPhoto."""

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
from bots.config import Config
from storage.attachments import ATTACHMENT
from tests.builders import eventually
from tests.fakes.telegram import FakeTelegram
from tests.samples import HTML_AS_PNG, PDF, png

LIMIT = 4096  # [attachments] max_bytes in these tests


async def start_bot(tmp_path: Path, tg: FakeTelegram) -> App:
    config = Config.model_validate(
        {
            "database": {"url": f"sqlite:///{tmp_path / 'bot.db'}"},
            "server": {"port": 0},
            "bot": {"languages": ["en", "de"]},
            "telegram": {"enabled": True, "base_url": tg.base_url, "poll_timeout": 1},
            "attachments": {"max_bytes": LIMIT},
        }
    )
    app = App(config)
    await app.start()
    assert app.tickets is not None
    await app.tickets.add_agent("ana", "agent", token_hash("token-ana"), system_clock())
    return app


@pytest.fixture
async def bot(tmp_path: Path, tg: FakeTelegram) -> AsyncIterator[App]:
    app = await start_bot(tmp_path, tg)
    yield app
    await app.stop()


async def kept(app: App) -> list[dict[str, Any]]:
    """Every kept file's row, bytes included."""
    assert app.store is not None

    def read(conn: Any) -> list[dict[str, Any]]:
        rows = conn.execute(select(ATTACHMENT).order_by(ATTACHMENT.c.id))
        return [dict(r._mapping) for r in rows]

    return await app.store.read(read)


async def open_ticket(tg: FakeTelegram, user: int = 42) -> None:
    tg.private(user, "/ticket my deposit has not arrived")
    await tg.wait_sent(2, chat_id=user)  # the ticket's number, and the intake's question


async def test_a_photo_is_kept_with_its_message_and_ticket(bot: App, tg: FakeTelegram) -> None:
    await open_ticket(tg)
    picture = png(8, 6)
    update = tg.photo(42, picture, caption="the transfer screen")
    rows = await eventually(lambda: kept(bot), lambda rows: len(rows) == 1)
    assert len(rows) == 1
    (row,) = rows
    assert (row["mime"], row["data"], row["direction"], row["ticket_id"]) == (
        "image/png",
        picture,
        "in",
        1,
    )
    assert bot.store is not None
    inbound = [m for m in await bot.store.messages("in") if m.text == "the transfer screen"]
    assert [m.id for m in inbound] == [row["message_id"]]
    largest = update["message"]["photo"][-1]["file_id"]  # of the sizes Telegram sends
    assert [c.params["file_id"] for c in tg.calls_to("getFile")] == [largest]


async def test_an_oversized_file_is_refused_with_a_note(bot: App, tg: FakeTelegram) -> None:
    await open_ticket(tg)
    tg.document(42, PDF + b"0" * LIMIT, "statement.pdf", "application/pdf")
    sent = await tg.wait_sent(3, chat_id=42)
    assert "larger than I can take (up to 4 KB)" in sent[-1]["text"]
    assert await kept(bot) == []
    assert tg.calls_to("getFile") == []  # Telegram said its size: nothing was downloaded


async def test_a_web_page_named_png_is_refused_with_a_note_in_the_users_language(
    bot: App, tg: FakeTelegram
) -> None:
    tg.private(42, "/ticket Meine Einzahlung ist nicht angekommen", language="de")
    await tg.wait_sent(2, chat_id=42)
    tg.document(42, HTML_AS_PNG, "screenshot.png", "image/png")
    sent = await tg.wait_sent(3, chat_id=42)
    assert "nur Bilder (PNG, JPEG, WebP)" in sent[-1]["text"]
    assert await kept(bot) == []
    assert len(tg.calls_to("getFile")) == 1  # fetched, and refused by its content


async def test_a_pdf_statement_is_kept_as_a_pdf(bot: App, tg: FakeTelegram) -> None:
    await open_ticket(tg)
    tg.document(42, PDF, "statement.txt", "text/plain")  # the name says text
    rows = await eventually(lambda: kept(bot), lambda rows: len(rows) == 1)
    assert [(r["mime"], r["name"]) for r in rows] == [("application/pdf", "statement.txt")]


async def test_an_agents_screenshot_reaches_the_user_as_a_photo(bot: App, tg: FakeTelegram) -> None:
    await open_ticket(tg)
    screenshot = png(20, 10, (30, 120, 200))
    headers = {"Authorization": "Bearer token-ana"}
    body = {
        "ticket_id": 1,
        "data": base64.b64encode(screenshot).decode(),
        "name": "where-to-click.png",
        "text": "Tap the button shown here.",
    }
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{bot.url}/api/attachments", json=body, headers=headers) as r:
            assert r.status == 403  # not claimed yet
        async with http.post(f"{bot.url}/api/tickets/1/claim", headers=headers) as r:
            assert r.status == 200
        async with http.post(f"{bot.url}/api/attachments", json=body, headers=headers) as r:
            assert r.status == 202, await r.text()
            answer = await r.json()
    sent = await tg.wait_sent(3, chat_id=42)
    assert sent[-1]["text"] == "Tap the button shown here."
    assert bot.store is not None

    async def images() -> list[Any]:
        assert bot.store is not None
        return [r for r in await bot.store.outbox("delivered") if r.action["type"] == "image"]

    (row,) = await eventually(images, bool)
    (photo,) = tg.photos_sent(42)
    assert photo["photo"]["data"] == screenshot
    # the outbox names the kept file; its bytes are not in the row
    assert row.action == {
        "type": "image",
        "chat_id": "42",
        "attachment_id": answer["attachment_id"],
        "thread_id": None,
    }
    assert row.status == "delivered" and row.sender == "agent:ana"
