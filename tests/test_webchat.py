"""End to end: a person in the browser talks to the bot over a real websocket."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bots.api import token_hash
from bots.app import App, system_clock
from tests.builders import bot_config, eventually
from tests.webchat_client import chat_socket, new_session, next_frame

SEED = "abandon ability able about above absent absorb abstract absurd abuse access accident"


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[App]:
    async with App(bot_config(tmp_path)) as app:
        yield app


async def test_a_person_gets_a_localized_reply_in_the_browser(bot: App) -> None:
    async with aiohttp.ClientSession() as http, chat_socket(http, bot.url) as ws:
        await ws.send_json(
            {"type": "message", "id": "m1", "text": "Hallo, ich brauche Hilfe", "lang": "de-DE"}
        )
        assert (await next_frame(ws, "ack"))["id"] == "m1"
        reply = await next_frame(ws, "reply")
        assert "Support-Assistent" in reply["text"]


async def test_buttons_round_trip_through_the_page(bot: App) -> None:
    async with aiohttp.ClientSession() as http, chat_socket(http, bot.url) as ws:
        await ws.send_json({"type": "message", "id": "m1", "text": "/lang"})
        menu = await next_frame(ws, "reply")
        datas = [b["data"] for row in menu["buttons"] for b in row]
        assert "lang:vi" in datas
        await ws.send_json({"type": "button", "id": "m2", "data": "lang:vi"})
        assert "tiếng Việt" in (await next_frame(ws, "reply"))["text"]
        await ws.send_json({"type": "message", "id": "m3", "text": "hello"})
        assert "Xin chào" in (await next_frame(ws, "reply"))["text"]  # the choice sticks


async def test_a_message_resent_after_a_reconnect_is_answered_once(bot: App) -> None:
    frame = {"type": "message", "id": "same-id", "text": "hello"}
    async with aiohttp.ClientSession() as http:
        cookie = await new_session(http, bot.url)
        async with chat_socket(http, bot.url, cookie) as ws:
            await ws.send_json(frame)
            await next_frame(ws, "ack")
            await next_frame(ws, "reply")
        async with chat_socket(http, bot.url, cookie) as ws:  # the page resends it
            await next_frame(ws, "history")
            await ws.send_json(frame)
            await next_frame(ws, "ack")
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(ws.receive(), timeout=1.0)
    assert bot.store is not None
    assert len(await bot.store.outbox()) == 1


async def test_a_reply_waits_for_the_browser_to_come_back(bot: App) -> None:
    assert bot.sender is not None
    await bot.sender.stop()  # hold replies, so the tab surely closes before this one
    async with aiohttp.ClientSession() as http:
        cookie = await new_session(http, bot.url)
        async with chat_socket(http, bot.url, cookie) as ws:
            await ws.send_json({"type": "message", "id": "x1", "text": "/help"})
            await next_frame(ws, "ack")
            await ws.close()  # the tab is closed before the reply goes out
        await bot.sender.start()
        assert bot.store is not None
        store = bot.store
        sent = await eventually(lambda: store.outbox(), lambda rows: rows[0].status != "pending")
        assert sent[0].status == "delivered"  # kept in the chat: nobody had to be there
        async with chat_socket(http, bot.url, cookie) as ws:
            history = (await next_frame(ws, "history"))["lines"]
    assert [line["mine"] for line in history] == [True, False]
    assert history[0]["text"] == "/help" and "/lang" in history[1]["text"]


async def test_an_agents_answer_to_an_offline_user_is_kept_and_counts_once_delivered(
    bot: App,
) -> None:
    assert bot.tickets is not None and bot.store is not None
    await bot.tickets.add_agent("ana", "agent", token_hash("token-ana"), system_clock())
    api, auth = f"{bot.url}/api/tickets", {"Authorization": "Bearer token-ana"}
    async with aiohttp.ClientSession() as http:
        cookie = await new_session(http, bot.url)
        async with chat_socket(http, bot.url, cookie) as ws:
            await ws.send_json({"type": "message", "id": "t1", "text": "/ticket card declined"})
            await next_frame(ws, "reply")
        # the browser is gone; an agent answers
        async with http.post(f"{api}/1/claim", headers=auth) as r:
            assert r.status == 200
        body = {"text": "Your card issuer declined it; try another card."}
        async with http.post(f"{api}/1/reply", json=body, headers=auth) as r:
            assert r.status == 202
        tickets = bot.tickets
        ticket = await eventually(lambda: tickets.get(1), lambda t: bool(t.first_response_at))
        assert ticket is not None and ticket.first_response_at is not None
        assert ("agent:ana", body["text"]) in [(m.sender_id, m.text) for m in ticket.transcript]
        async with chat_socket(http, bot.url, cookie) as ws:  # the user comes back
            history = (await next_frame(ws, "history"))["lines"]
        assert history[0]["text"] == "/ticket card declined"
        assert history[-1]["text"] == body["text"] and not history[-1]["mine"]
    failed = [row for row in await bot.store.outbox() if row.status == "failed"]
    assert failed == []


async def test_a_notice_reaches_a_web_subscriber_who_is_away(tmp_path: Path) -> None:
    from handlers.broadcasts.notice import parse_notice

    config = bot_config(tmp_path, broadcasts={"require_approval": False})
    async with App(config) as bot, aiohttp.ClientSession() as http:
        assert bot.broadcaster is not None and bot.store is not None
        cookie = await new_session(http, bot.url)
        async with chat_socket(http, bot.url, cookie) as ws:
            await ws.send_json({"type": "message", "id": "s1", "text": "/subscribe"})
            await next_frame(ws, "reply")
        store = bot.store
        await eventually(lambda: store.outbox("pending"), lambda rows: not rows)
        notice = parse_notice(
            {
                "title": "Maintenance",
                "text": {"en": "Deposits pause at 02:00 UTC for 30 minutes."},
                "targets": {"subscribers": {}},
            }
        )
        record, _ = await bot.broadcaster.create(notice, "mia")
        await bot.broadcaster.send(record.id)
        rows = await eventually(
            lambda: store.outbox(), lambda rows: all(r.status == "delivered" for r in rows)
        )
        assert len(rows) == 2 and all(r.status == "delivered" for r in rows)
        async with chat_socket(http, bot.url, cookie) as ws:
            history = (await next_frame(ws, "history"))["lines"]
    assert "Deposits pause at 02:00 UTC" in history[-1]["text"]


async def test_a_failed_answer_is_not_a_first_response_and_the_ticket_waits_again(
    tmp_path: Path,
) -> None:
    from channels.base import DeliveryError, Reply
    from tests.builders import message
    from tests.fakes.recording import RecordingChannel

    bot = App(bot_config(tmp_path, outbox={"max_attempts": 1}))
    gone = RecordingChannel("gone")
    bot.channels["gone"] = gone
    async with bot:
        assert bot.pipeline is not None and bot.tickets is not None and bot.store is not None
        await bot.pipeline.dispatch(message("/ticket help", channel="gone", chat_id="u1"))
        assert bot.sender is not None
        await bot.sender.drain()
        ticket = await bot.tickets.get(1)
        assert ticket is not None
        gone.failures.append(DeliveryError("the chat is gone", permanent=True))
        answer = Reply(chat_id="u1", text="Here is what happened.")
        rows = bot.pipeline.outbound([answer], "gone", ticket.conversation_id, sender="agent:ana")
        assert await bot.tickets.reply(1, rows, system_clock())
        store, tickets = bot.store, bot.tickets
        await eventually(lambda: store.outbox("failed"), lambda failed: bool(failed))
        ticket = await eventually(lambda: tickets.get(1), lambda t: t.status == "open")
    assert ticket is not None
    assert ticket.first_response_at is None  # not answered: the SLA still runs
    assert ticket.status == "open"  # back in the queue, not "waiting for the user"
    assert "Here is what happened." not in [m.text for m in ticket.transcript]


async def test_bad_frames_get_a_clear_error_and_the_chat_goes_on(bot: App) -> None:
    async with aiohttp.ClientSession() as http, chat_socket(http, bot.url) as ws:
        await ws.send_str("not json")
        assert "unreadable" in (await next_frame(ws, "error"))["error"]
        await ws.send_json({"type": "message", "id": "bad id!", "text": "x"})
        assert "id" in (await next_frame(ws, "error"))["error"]
        await ws.send_json({"type": "message", "id": "ok1", "text": SEED})
        reply = await next_frame(ws, "reply")
        assert "seed phrase" in reply["text"]
    assert bot.store is not None
    assert "abandon" not in " ".join(m.text for m in await bot.store.messages())


async def test_the_page_and_health_are_served(bot: App) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{bot.url}/chat", headers={"Accept-Language": "zh-CN,zh;q=0.9"}) as r:
            page = await r.text()
            assert r.status == 200 and "在线客服" in page and 'lang="zh"' in page
        async with http.get(f"{bot.url}/healthz") as r:
            assert r.status == 200 and (await r.json())["status"] == "ok"


async def test_a_wrong_network_deposit_gets_a_warning_and_an_answer(bot: App) -> None:
    async with aiohttp.ClientSession() as http, chat_socket(http, bot.url) as ws:
        text = "I sent USDT to TT67rPNwgmpeimvHUMVzFfKsjL9GZ1wGw8 on ERC20, it has not arrived"
        await ws.send_json({"type": "message", "id": "w1", "text": text})
        warning = await next_frame(ws, "reply")
        assert "TRON" in warning["text"] and "lost" in warning["text"]
        answer = await next_frame(ws, "reply")  # the question itself is still answered
        assert answer["text"] != warning["text"]
