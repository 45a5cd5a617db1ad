"""Files on the web chat and in the agents' API, over HTTP on 127.0.0.1: an upload from
the page is kept with its ticket; a disguised or oversized one is refused with a note
over the socket; an agent's image reaches the chat as an image line only its own
cookie can load; the API serves files to agents alone, typed by their content."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bots.api import token_hash
from bots.app import App, system_clock
from channels.webchat_session import COOKIE
from tests.builders import bot_config, eventually
from tests.samples import HTML_AS_PNG, PDF, png
from tests.webchat_client import chat_socket, new_session, next_frame

LIMIT = 4096


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[App]:
    async with App(bot_config(tmp_path, attachments={"max_bytes": LIMIT})) as app:
        assert app.tickets is not None
        await app.tickets.add_agent("ana", "agent", token_hash("token-ana"), system_clock())
        await app.tickets.add_agent("mia", "manager", token_hash("token-mia"), system_clock())
        yield app


def auth(name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer token-{name}"}


async def upload(
    http: aiohttp.ClientSession, bot: App, cookie: str, data: bytes, name: str, upload_id: str
) -> aiohttp.ClientResponse:
    form = aiohttp.FormData()
    form.add_field("id", upload_id)
    form.add_field("file", data, filename=name, content_type="image/png")
    headers = {"Cookie": f"{COOKIE}={cookie}", "Origin": bot.url}
    async with http.post(f"{bot.url}/chat/upload", data=form, headers=headers) as response:
        await response.read()
        return response


async def ticket_files(http: aiohttp.ClientSession, bot: App) -> list[dict[str, Any]]:
    async with http.get(f"{bot.url}/api/tickets/1/attachments", headers=auth("ana")) as r:
        assert r.status == 200, await r.text()
        return list((await r.json())["attachments"])


async def test_an_upload_is_kept_and_a_disguised_or_oversized_one_refused(bot: App) -> None:
    async with aiohttp.ClientSession() as http:
        cookie = await new_session(http, bot.url)
        async with chat_socket(http, bot.url, cookie) as ws:
            await ws.send_json({"type": "message", "id": "t1", "text": "/ticket deposit missing"})
            await next_frame(ws, "reply")
            picture = png(6, 6)
            assert (await upload(http, bot, cookie, picture, "proof.png", "f1")).status == 200
            files = await eventually(lambda: ticket_files(http, bot), bool)
            assert [(f["name"], f["mime"], f["size"], f["direction"]) for f in files] == [
                ("proof.png", "image/png", len(picture), "in")
            ]
            async with http.get(f"{bot.url}{files[0]['url']}", headers=auth("ana")) as r:
                assert await r.read() == picture

            assert (await upload(http, bot, cookie, HTML_AS_PNG, "cat.png", "f2")).status == 200
            note = await next_frame(ws, "reply")
            while "PNG, JPEG, WebP" not in note["text"]:  # the intake may speak first
                note = await next_frame(ws, "reply")
            big = PDF + b"0" * LIMIT
            assert (await upload(http, bot, cookie, big, "statement.pdf", "f3")).status == 200
            note = await next_frame(ws, "reply")
            while "larger than I can take" not in note["text"]:
                note = await next_frame(ws, "reply")
            assert len(await ticket_files(http, bot)) == 1  # neither was kept
            # a resent upload (the page's retry) is the same message: kept once
            assert (await upload(http, bot, cookie, picture, "proof.png", "f1")).status == 200
            assert len(await ticket_files(http, bot)) == 1


async def test_an_upload_needs_the_chats_cookie_and_its_page(bot: App) -> None:
    async with aiohttp.ClientSession() as http:
        cookie = await new_session(http, bot.url)
        form = aiohttp.FormData()
        form.add_field("id", "x1")
        form.add_field("file", png(), filename="a.png")
        async with http.post(f"{bot.url}/chat/upload", data=form, headers={"Origin": bot.url}) as r:
            assert r.status == 401
        evil = {"Cookie": f"{COOKIE}={cookie}", "Origin": "https://evil.example"}
        async with http.post(f"{bot.url}/chat/upload", data=form, headers=evil) as r:
            assert r.status == 403


async def test_an_agents_image_reaches_the_web_chat_as_an_image(bot: App) -> None:
    async with aiohttp.ClientSession() as http:
        cookie = await new_session(http, bot.url)
        async with chat_socket(http, bot.url, cookie) as ws:
            await ws.send_json({"type": "message", "id": "t1", "text": "/ticket cannot log in"})
            await next_frame(ws, "reply")
            async with http.post(f"{bot.url}/api/tickets/1/claim", headers=auth("ana")) as r:
                assert r.status == 200
            shot = png(10, 4)
            body = {"ticket_id": 1, "data": base64.b64encode(shot).decode(), "text": "Look:"}
            async with http.post(f"{bot.url}/api/attachments", json=body, headers=auth("ana")) as r:
                assert r.status == 202, await r.text()
            frame = await next_frame(ws, "reply")
            while "image" not in frame:
                frame = await next_frame(ws, "reply")
            mine = {"Cookie": f"{COOKIE}={cookie}"}
            async with http.get(f"{bot.url}{frame['image']}", headers=mine) as r:
                assert r.status == 200 and r.content_type == "image/png"
                assert await r.read() == shot
            other = {"Cookie": f"{COOKIE}={await new_session(http, bot.url)}"}
            async with http.get(f"{bot.url}{frame['image']}", headers=other) as r:
                assert r.status == 404  # another chat's image is no file of theirs
        # the history brings it back when the page is opened again
        async with chat_socket(http, bot.url, cookie) as ws:
            history = await next_frame(ws, "history")
            assert [line["image"] for line in history["lines"] if "image" in line] == [
                frame["image"]
            ]
        files = await ticket_files(http, bot)
        assert [(f["direction"], f["created_by"], f["mime"]) for f in files] == [
            ("out", "ana", "image/png")
        ]


async def test_the_api_serves_files_to_agents_only(bot: App) -> None:
    async with aiohttp.ClientSession() as http:
        cookie = await new_session(http, bot.url)
        async with chat_socket(http, bot.url, cookie) as ws:
            await ws.send_json({"type": "message", "id": "t1", "text": "/ticket statement"})
            await next_frame(ws, "reply")
        assert (await upload(http, bot, cookie, PDF, "statement.png", "f1")).status == 200
        (pdf,) = await eventually(lambda: ticket_files(http, bot), bool)
        url = f"{bot.url}{pdf['url']}"
        async with http.get(url) as r:
            assert r.status == 401 and "error" in await r.json()
        async with http.get(url, headers={"Authorization": "Bearer wrong"}) as r:
            assert r.status == 401
        async with http.get(url, headers=auth("mia")) as r:
            assert r.status == 403  # managers send notices; they read no tickets
        async with http.get(url, headers=auth("ana")) as r:
            assert r.status == 200 and await r.read() == PDF
            assert r.headers["Content-Type"] == "application/pdf"
            assert r.headers["X-Content-Type-Options"] == "nosniff"
            assert r.headers["Content-Disposition"] == 'attachment; filename="statement.png.pdf"'
        async with http.get(f"{bot.url}/api/attachments/999", headers=auth("ana")) as r:
            assert r.status == 404


async def test_an_answer_with_something_else_than_an_image_is_refused(bot: App) -> None:
    async with aiohttp.ClientSession() as http:
        async with chat_socket(http, bot.url) as ws:
            await ws.send_json({"type": "message", "id": "t1", "text": "/ticket help"})
            await next_frame(ws, "reply")
        async with http.post(f"{bot.url}/api/tickets/1/claim", headers=auth("ana")) as r:
            assert r.status == 200
        url = f"{bot.url}/api/attachments"
        for data, status, words in (
            (HTML_AS_PNG, 415, "PNG, JPEG or WebP"),
            (PDF, 415, "PNG, JPEG or WebP"),
            (png(200, 200) + b"\0" * LIMIT, 413, "[attachments] max_bytes"),
        ):
            body = {"ticket_id": 1, "data": base64.b64encode(data).decode()}
            async with http.post(url, json=body, headers=auth("ana")) as r:
                assert (r.status, words in (await r.json())["error"]) == (status, True)
        async with http.post(url, json={"ticket_id": 1, "data": "%%%"}, headers=auth("ana")) as r:
            assert r.status == 400 and "base64" in (await r.json())["error"]
        async with http.post(url, json={"ticket_id": 1, "data": "eA=="}) as r:
            assert r.status == 401
