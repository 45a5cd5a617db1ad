"""Malformed input from the outside gets a 400 (or an error frame), never a traceback:
the Telegram and X webhooks through the real adapters, the web chat's socket, the API.
After each, the same route still serves a well-formed request."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import pytest

from bots.api import token_hash
from bots.app import App, system_clock
from tests.builders import bot_config
from tests.fakes.telegram import FakeTelegram, help_update
from tests.fakes.x import ACCOUNT, CONSUMER_SECRET, FakeX, _sign
from tests.telegram.test_e2e import start_bot as start_telegram
from tests.webchat_client import chat_socket, next_frame
from tests.x.test_e2e import start_bot as start_x

DEEP = b"[" * 100_000 + b"]" * 100_000  # past any JSON parser's recursion limit
DEEP_OBJECT = b'{"update_id": 1, "message": ' + b'{"a": ' * 50_000 + b"1" + b"}" * 50_001


@pytest.mark.parametrize(
    "body",
    [
        b"[]",
        b'"an update"',
        b"42",
        DEEP,
        DEEP_OBJECT,
        b'{"update_id": 1, "message": "hello"}',
        b'{"update_id": "one"}',
        b'{"update_id": 2, "message": {"message_id": "x", "date": "today", "chat": []}}',
        b'{"update_id": 3, "callback_query": {"id": 1, "from": [], "chat_instance": 3}}',
    ],
    ids=lambda b: b[:40].decode(),
)
async def test_the_telegram_webhook_refuses_what_is_not_an_update(
    tmp_path: Path, tg: FakeTelegram, monkeypatch: pytest.MonkeyPatch, body: bytes
) -> None:
    monkeypatch.setenv("SOCIALDESK_TELEGRAM_WEBHOOK_SECRET", "s3cr3t-token")
    app = await start_telegram(
        tmp_path, tg, mode="webhook", webhook_url="https://bot.example.com/telegram/webhook"
    )
    secret = {"X-Telegram-Bot-Api-Secret-Token": "s3cr3t-token"}
    update = help_update(10)
    try:
        async with aiohttp.ClientSession() as http:
            url = f"{app.url}/telegram/webhook"
            async with http.post(url, data=body, headers=secret) as r:
                assert r.status == 400 and "Update" in await r.text()
            async with http.post(url, json=update, headers=secret) as r:
                assert r.status == 200
        (reply,) = await tg.wait_sent(1, chat_id=42)
        assert "/lang" in reply["text"]
    finally:
        await app.stop()


async def test_a_signed_x_event_of_the_wrong_shape_is_refused(tmp_path: Path, x: FakeX) -> None:
    app = await start_x(tmp_path, x, mode="webhook")
    url = f"{app.url}/x/webhook"
    malformed = [
        {"for_user_id": ACCOUNT["id"], "direct_message_events": "not a list"},
        {"for_user_id": ACCOUNT["id"], "direct_message_events": [["a", "list"]]},
        {"for_user_id": ACCOUNT["id"], "direct_message_events": [{"type": "message_create"}]},
        {"for_user_id": ACCOUNT["id"], "users": [], "direct_message_events": []},
        {"for_user_id": ACCOUNT["id"], "tweet_create_events": [{"id_str": "1", "user": "al"}]},
        {"for_user_id": ACCOUNT["id"], "tweet_create_events": [{"entities": {}}]},
    ]
    event = {
        "for_user_id": ACCOUNT["id"],
        "direct_message_events": [
            {
                "type": "message_create",
                "id": "1870000000000000009",
                "created_timestamp": "1764400000000",
                "message_create": {
                    "sender_id": "222",
                    "message_data": {"text": "When is the NOVA airdrop?"},
                },
            }
        ],
        "users": {"222": {"id": "222", "name": "Al", "screen_name": "al"}},
    }
    try:
        for payload in malformed:
            assert await x.deliver(url, payload) == 400, payload
        headers = {"x-twitter-webhooks-signature": _sign(CONSUMER_SECRET, DEEP)}
        async with aiohttp.ClientSession() as http, http.post(url, data=DEEP, headers=headers) as r:
            assert r.status == 400
        assert await x.deliver(url, event) == 200
        await x.wait_until(lambda: len(x.dms_sent) >= 1, what="the answer to the good event")
    finally:
        await app.stop()
    assert "NOVA" in x.dms_sent[0]["text"]


async def test_a_deeply_nested_frame_keeps_the_web_chat_socket(tmp_path: Path) -> None:
    async with (
        App(bot_config(tmp_path)) as app,
        aiohttp.ClientSession() as http,
        chat_socket(http, app.url) as ws,
    ):
        await ws.send_str("[" * 30_000 + "]" * 30_000)  # within a frame's size, past any parser
        error = await next_frame(ws, "error")
        assert "unreadable frame" in error["error"]
        await ws.send_json({"type": "message", "id": "after1", "text": "hello"})
        assert (await next_frame(ws, "ack"))["id"] == "after1"
        assert "support assistant" in (await next_frame(ws, "reply"))["text"]
        assert not ws.closed


async def test_the_api_refuses_deep_nesting_and_non_objects(tmp_path: Path) -> None:
    async with App(bot_config(tmp_path)) as app, aiohttp.ClientSession() as http:
        assert app.tickets is not None and app.pipeline is not None
        await app.tickets.add_agent("sue", "supervisor", token_hash("token-sue"), system_clock())
        from tests.builders import message

        await app.pipeline.dispatch(message("/ticket help", chat_id="u1"))
        headers = {"Authorization": "Bearer token-sue", "Content-Type": "application/json"}
        api = f"{app.url}/api/tickets/1"
        deep = b'{"text": ' + b"[" * 20_000 + b"]" * 20_000 + b"}"
        for body in (deep, b"[1, 2]", b'"text"', b'{"text": "\\ud800"}'):
            async with http.post(f"{api}/notes", data=body, headers=headers) as r:
                assert r.status == 400 and "error" in await r.json(), body[:20]
        for body in (b'{"minutes": 10, "until": null}', b'{"minutes": 99999999999999999999}'):
            async with http.post(f"{api}/snooze", data=body, headers=headers) as r:
                assert r.status == 400, body
        async with http.post(f"{api}/notes", json={"text": "ok"}, headers=headers) as r:
            assert r.status == 201
