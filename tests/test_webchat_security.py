"""Who may attach to a web chat: server-issued sessions, Origin, and per-address caps."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bots.app import App
from bots.config import ConfigError, load_config
from channels.webchat_session import COOKIE
from tests.builders import bot_config, eventually
from tests.webchat_client import chat_socket, new_session, next_frame

SECRET = "k" * 40


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[App]:
    async with App(bot_config(tmp_path)) as app:
        yield app


async def closed_with(ws: aiohttp.ClientWebSocketResponse) -> tuple[int | None, str]:
    message = await asyncio.wait_for(ws.receive(), timeout=10)
    assert message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED), message
    return ws.close_code, str(message.extra or "")


async def test_the_server_issues_the_session_as_a_signed_httponly_cookie(bot: App) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{bot.url}/chat") as r:
            morsel = r.cookies[COOKIE]
            page = await r.text()
        assert morsel["httponly"] and morsel["samesite"] == "Strict"
        assert morsel["path"] == "/chat"
        session, _, signature = morsel.value.partition(".")
        assert len(session) == 32 and signature
        assert session not in page and "localStorage" not in page  # the page never holds it
        async with http.get(f"{bot.url}/chat", headers={"Cookie": f"{COOKIE}={morsel.value}"}) as r:
            assert r.cookies[COOKIE].value == morsel.value  # a reload keeps the chat


async def test_a_session_id_someone_learned_does_not_attach_to_the_chat(bot: App) -> None:
    async with aiohttp.ClientSession() as http:
        victim_cookie = await new_session(http, bot.url)
        victim = victim_cookie.partition(".")[0]
        async with chat_socket(http, bot.url, victim_cookie) as ws:
            await ws.send_json({"type": "message", "id": "v1", "text": "/help"})
            await next_frame(ws, "reply")
        headers = {"Origin": bot.url}
        # the id alone, as a query (the old way), unsigned, or signed by someone else
        async with http.ws_connect(f"{bot.url}/chat/ws?session={victim}", headers=headers) as ws:
            assert (await closed_with(ws))[0] == 4401
        for forged in (victim, f"{victim}.", f"{victim}.{'A' * 43}"):
            async with chat_socket(http, bot.url, forged) as ws:
                code, reason = await closed_with(ws)
                assert code == 4401 and "session" in reason
        async with chat_socket(http, bot.url, victim_cookie) as ws:  # the owner still can
            lines = (await next_frame(ws, "history"))["lines"]
        assert lines[0]["text"] == "/help"


async def test_a_page_on_another_origin_cannot_open_the_chat_with_the_users_cookie(
    bot: App,
) -> None:
    async with aiohttp.ClientSession() as http:
        cookie = await new_session(http, bot.url)
        for origin in ("https://evil.example", "null", "http://127.0.0.1.evil.example"):
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                async with chat_socket(http, bot.url, cookie, origin=origin):
                    pass
            assert refused.value.status == 403
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:  # no Origin at all
            async with http.ws_connect(
                f"{bot.url}/chat/ws", headers={"Cookie": f"{COOKIE}={cookie}"}
            ):
                pass
        assert refused.value.status == 403


async def test_allowed_origins_name_the_pages_that_may_open_the_socket(tmp_path: Path) -> None:
    config = bot_config(tmp_path, webchat={"allowed_origins": ["https://Support.Example.com/"]})
    async with App(config) as bot, aiohttp.ClientSession() as http:
        cookie = await new_session(http, bot.url)
        origin = "https://support.example.com"
        async with chat_socket(http, bot.url, cookie, origin=origin) as ws:
            await next_frame(ws, "history")
        with pytest.raises(aiohttp.WSServerHandshakeError):
            async with chat_socket(http, bot.url, cookie):  # its own host is not listed
                pass


async def test_new_sessions_and_open_sockets_are_capped_per_address(tmp_path: Path) -> None:
    limits = {"sessions_per_address_per_hour": 3, "sockets_per_address": 2}
    async with App(bot_config(tmp_path, webchat=limits)) as bot, aiohttp.ClientSession() as http:
        cookies = [await new_session(http, bot.url) for _ in range(3)]
        headers = {"Accept-Language": "de"}
        async with http.get(f"{bot.url}/chat", headers=headers) as r:
            assert r.status == 429 and COOKIE not in r.cookies
            assert "neue Chats" in await r.text()  # said in the user's language
        async with http.get(f"{bot.url}/chat", headers={"Cookie": f"{COOKIE}={cookies[0]}"}) as r:
            assert r.status == 200  # an existing chat is not a new session
        async with chat_socket(http, bot.url, cookies[0]) as one:
            await next_frame(one, "history")
            async with chat_socket(http, bot.url, cookies[1]) as two:
                await next_frame(two, "history")
                async with chat_socket(http, bot.url, cookies[2]) as three:
                    code, reason = await closed_with(three)
                    assert code == 4429 and "too many" in reason
            async with chat_socket(http, bot.url, cookies[2]) as three:  # one was closed
                await next_frame(three, "history")


async def flood(ws: aiohttp.ClientWebSocketResponse, prefix: str, count: int) -> None:
    for i in range(count):
        await ws.send_json({"type": "message", "id": f"{prefix}{i}", "text": f"spam {i}"})


async def test_a_flood_from_one_address_is_not_stored_even_across_sessions(
    tmp_path: Path,
) -> None:
    config = bot_config(tmp_path, webchat={"messages_per_address_per_minute": 10})
    async with App(config) as bot, aiohttp.ClientSession() as http:
        assert bot.store is not None
        store = bot.store
        async with chat_socket(http, bot.url) as first, chat_socket(http, bot.url) as second:
            await asyncio.gather(flood(first, "a", 300), flood(second, "b", 300))
            refused = await next_frame(first, "error")
            assert refused["code"] == "slow_down" and refused["retry_after"] > 0
            await eventually(lambda: store.messages("in"), lambda rows: len(rows) >= 10)
        stored = await store.messages("in")
    # 600 sent, the burst of 10 kept (the bucket lets one more in every 6 s): the rest
    # were refused before the inbox, never stored
    assert 10 <= len(stored) < 20


def test_a_short_signing_key_in_the_environment_is_refused_by_name(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from bots.cli import app as cli

    path = tmp_path / "ok.toml"
    path.write_text("[webchat]\nenabled = true\n")
    env = {"SOCIALDESK_WEBCHAT_SECRET": "Tiny-Key-9"}
    result = CliRunner().invoke(cli, ["check-config", str(path)], env=env)
    assert result.exit_code == 2 and "webchat.secret_env" in result.output
    assert "Tiny-Key-9" not in result.output  # the key itself is never shown
    with pytest.raises(ConfigError, match=r"webchat\.secret_env: .*SOCIALDESK_WEBCHAT_SECRET"):
        load_config(None, environ={"SOCIALDESK_WEBCHAT_SECRET": "short"})
    path = tmp_path / "c.toml"
    path.write_text("[webchat]\nallowed_origins = ['support.example.com']\n")
    with pytest.raises(ConfigError, match=r"webchat\.allowed_origins"):
        load_config(path, environ={})


async def same_chat_after_restart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, next_key: str | None = None
) -> bool:
    """Whether a cookie issued by one run of the bot still opens the chat in the next
    (started with ``next_key`` in the environment, when given)."""
    config = bot_config(tmp_path)
    async with App(config) as bot, aiohttp.ClientSession() as http:
        cookie = await new_session(http, bot.url)
    if next_key is not None:
        monkeypatch.setenv("SOCIALDESK_WEBCHAT_SECRET", next_key)
    async with (
        App(config) as bot,
        aiohttp.ClientSession() as http,
        chat_socket(http, bot.url, cookie) as ws,
    ):
        message = await asyncio.wait_for(ws.receive(), timeout=10)
        return message.type == aiohttp.WSMsgType.TEXT


async def test_the_signing_key_comes_from_the_environment_or_is_kept_in_the_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.delenv("SOCIALDESK_WEBCHAT_SECRET", raising=False)
    assert await same_chat_after_restart(tmp_path / "kept", monkeypatch)  # made, then kept
    monkeypatch.setenv("SOCIALDESK_WEBCHAT_SECRET", SECRET)
    assert await same_chat_after_restart(tmp_path / "env", monkeypatch)
    # a new key in the environment: the cookies the old one signed are not honoured
    assert not await same_chat_after_restart(tmp_path / "rotated", monkeypatch, "r" * 40)
    assert SECRET not in caplog.text and "r" * 40 not in caplog.text
