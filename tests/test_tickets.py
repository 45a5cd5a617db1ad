"""Tickets end to end: a web-chat user asks for a person, agents answer through the API."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bots.api import token_hash
from bots.app import App, system_clock
from tests.builders import bot_config, eventually
from tests.webchat_client import chat_socket

SEED = "abandon ability able about above absent absorb abstract absurd abuse access accident"


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[App]:
    async with App(bot_config(tmp_path)) as app:
        assert app.tickets is not None
        for name, role in (("ana", "agent"), ("ben", "agent"), ("sue", "supervisor")):
            await app.tickets.add_agent(name, role, token_hash(f"token-{name}"), system_clock())
        yield app


def auth(name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer token-{name}"}


async def receive(ws: aiohttp.ClientWebSocketResponse, kind: str = "reply") -> dict:
    while True:
        frame = json.loads((await asyncio.wait_for(ws.receive(), timeout=10)).data)
        if frame["type"] == kind:
            return frame


async def test_from_asking_for_a_person_to_a_rated_resolution(bot: App) -> None:
    api = f"{bot.url}/api/tickets"
    async with (
        aiohttp.ClientSession() as http,
        chat_socket(http, bot.url) as ws,
    ):
        await ws.send_json({"type": "message", "id": "t1", "text": "/ticket my deposit is missing"})
        ack = await receive(ws)
        assert "Ticket #1" in ack["text"] and "number 1 in the queue" in ack["text"]
        assert "what is it about" in (await receive(ws))["text"]  # the intake begins
        await ws.send_json({"type": "button", "id": "t1b", "data": "intake:category:skip"})
        assert "that is everything" in (await receive(ws))["text"]

        await ws.send_json({"type": "message", "id": "t2", "text": f"here you go {SEED}"})
        await ws.send_json({"type": "message", "id": "t3", "text": "txid 0xabc, 50 USDT on TRC20"})
        await receive(ws, "ack")
        # the guard still warns about the secret, but the bot does not answer the rest
        warning = await receive(ws)
        assert "seed phrase" in warning["text"]

        async with http.get(api) as r:
            assert r.status == 401
        async with http.get(api, headers={"Authorization": "Bearer wrong"}) as r:
            assert r.status == 401
        async with http.get(api, headers=auth("ana")) as r:
            tickets = (await r.json())["tickets"]
        assert [t["id"] for t in tickets] == [1] and tickets[0]["status"] == "open"

        claims = await asyncio.gather(
            http.post(f"{api}/1/claim", headers=auth("ana")),
            http.post(f"{api}/1/claim", headers=auth("ben")),
        )
        assert sorted(c.status for c in claims) == [200, 409]  # exactly one wins
        winner = "ana" if claims[0].status == 200 else "ben"
        loser = "ben" if winner == "ana" else "ana"

        async with http.get(f"{api}/1", headers=auth(winner)) as r:
            ticket = await r.json()
        texts = [m["text"] for m in ticket["transcript"] if m["direction"] == "in" and m["text"]]
        assert texts[0] == "/ticket my deposit is missing"
        assert texts[1] == "[Skip]"  # the press, as the user saw it
        assert "[redacted: seed phrase]" in texts[2] and "abandon" not in json.dumps(ticket)
        assert texts[3] == "txid 0xabc, 50 USDT on TRC20"
        async with http.get(f"{api}/1", headers=auth(loser)) as r:
            assert r.status == 403  # assigned to someone else

        body = {"text": "We found your deposit; it is credited now."}
        async with http.post(f"{api}/1/reply", json=body, headers=auth(loser)) as r:
            assert r.status == 403
        async with http.post(f"{api}/1/reply", json=body, headers=auth(winner)) as r:
            assert r.status == 202
        assert (await receive(ws))["text"] == body["text"]
        for _ in range(100):  # the delivery is recorded a moment after it reaches the user
            async with http.get(f"{api}/1", headers=auth(winner)) as r:
                said = [(m["sender_id"], m["text"]) for m in (await r.json())["transcript"]]
            if (f"agent:{winner}", body["text"]) in said:
                break
            await asyncio.sleep(0.05)
        assert (f"agent:{winner}", body["text"]) in said  # the agent, not the bot, said it

        async with http.post(f"{api}/1/resolve", headers=auth(winner)) as r:
            assert r.status == 200
        resolved = await receive(ws)
        assert "resolved" in resolved["text"]
        assert [b["data"] for b in resolved["buttons"][0]] == [f"rate:1:{n}" for n in range(1, 6)]
        async with http.post(f"{api}/1/reply", json=body, headers=auth(winner)) as r:
            assert r.status == 409  # resolved: reopen first

        await ws.send_json({"type": "button", "id": "t4", "data": "rate:1:5"})
        assert "Thank you" in (await receive(ws))["text"]
        async with http.get(f"{api}/1", headers=auth(winner)) as r:
            assert (await r.json())["rating"] == 5

        # after resolution the bot answers again
        await ws.send_json({"type": "message", "id": "t5", "text": "hello"})
        assert "support assistant" in (await receive(ws))["text"]


async def test_roles_and_bad_requests(bot: App) -> None:
    api = f"{bot.url}/api/tickets"
    async with (
        aiohttp.ClientSession() as http,
        chat_socket(http, bot.url) as ws,
    ):
        await ws.send_json({"type": "message", "id": "x1", "text": "/ticket"})
        await receive(ws)
        await receive(ws)  # the intake's first question
        patch = {"priority": 1}
        async with http.patch(f"{api}/1", json=patch, headers=auth("ana")) as r:
            assert r.status == 403
        async with http.patch(f"{api}/1", json=patch, headers=auth("sue")) as r:
            assert r.status == 200
        async with http.patch(f"{api}/1", json={"priority": 9}, headers=auth("sue")) as r:
            assert r.status == 400 and "priority" in (await r.json())["error"]
        async with http.post(f"{api}/1/notes", data=b"not json", headers=auth("ana")) as r:
            assert r.status == 400
        async with http.post(f"{api}/1/notes", json={"text": "VIP"}, headers=auth("ana")) as r:
            assert r.status == 201
        async with http.get(f"{api}/99", headers=auth("sue")) as r:
            assert r.status == 404
        async with http.get(f"{api}?status=lost", headers=auth("sue")) as r:
            assert r.status == 400
        async with http.get(f"{bot.url}/api/openapi.json") as r:
            spec = await r.json()
        assert "/api/tickets/{id}/claim" in spec["paths"]
        # asking again while the ticket is open says so instead of opening a second one
        await ws.send_json({"type": "message", "id": "x2", "text": "/ticket"})
        assert "still open" in (await receive(ws))["text"]


async def test_a_user_who_already_paid_a_scammer_gets_an_urgent_anti_fraud_ticket(bot: App) -> None:
    async with (
        aiohttp.ClientSession() as http,
        chat_socket(http, bot.url) as ws,
    ):
        text = "I already paid the 50 USDT unlock fee for my airdrop at examp1e-airdrop.com"
        await ws.send_json({"type": "message", "id": "f1", "text": text})
        warning = await receive(ws)
        assert "examp1e-airdrop.com" in warning["text"]
        ack = await receive(ws)
        assert "Ticket #1" in ack["text"]
    assert bot.tickets is not None
    ticket = await bot.tickets.get(1)
    assert ticket is not None
    assert ticket.category == "anti_fraud" and ticket.priority == 1


async def test_the_acknowledgement_tells_the_recent_wait_once_there_is_history(
    tmp_path, clock
) -> None:
    from channels.base import Reply
    from tests.builders import message

    async with App(bot_config(tmp_path), clock=clock) as app:
        assert app.pipeline is not None and app.tickets is not None
        first = await app.pipeline.dispatch(message("/ticket help", chat_id="u0", sender_id="u0"))
        assert first is not None
        ack = next(a for a in first.actions if isinstance(a, Reply))
        assert "Recently" not in ack.text  # no history yet: no made-up estimate
        for i in range(1, 6):
            await app.pipeline.dispatch(message("/ticket help", chat_id=f"u{i}", sender_id=f"u{i}"))
        clock.advance(12 * 60)
        for ticket_id in range(1, 7):  # answered after 12 minutes, and delivered
            ticket = await app.tickets.get(ticket_id)
            assert ticket is not None
            answer = Reply(chat_id=ticket.chat_id, text="On it.")
            rows = app.pipeline.outbound(
                [answer], ticket.channel, ticket.conversation_id, sender="agent:ana"
            )
            await app.tickets.reply(ticket_id, rows, clock())
        tickets = app.tickets
        await eventually(
            lambda: asyncio.gather(*(tickets.get(i) for i in range(1, 7))),
            lambda answered: all(t and t.first_response_at for t in answered),
        )
        later = await app.pipeline.dispatch(message("/ticket help", chat_id="u9", sender_id="u9"))
        assert later is not None
        ack = next(a for a in later.actions if isinstance(a, Reply))
        assert "about 12 min" in ack.text


async def test_a_ticket_summary_never_keeps_a_secret(bot: App) -> None:
    async with (
        aiohttp.ClientSession() as http,
        chat_socket(http, bot.url) as ws,
    ):
        await ws.send_json(
            {
                "type": "message",
                "id": "s1",
                "text": "/ticket locked out, my password is Hunter2Hunter2",
            }
        )
        warning = await receive(ws)  # the guard first tells them not to post passwords
        assert "password" in warning["text"] and "Hunter2Hunter2" not in warning["text"]
        assert "Ticket #1" in (await receive(ws))["text"]
    assert bot.tickets is not None
    ticket = await bot.tickets.get(1)
    assert ticket is not None
    assert "Hunter2Hunter2" not in json.dumps(ticket, default=str)
    assert "[redacted: password]" in ticket.summary


async def test_a_staff_chat_without_a_desk_gets_alerts_and_stays_an_ordinary_chat(
    tmp_path: Path,
) -> None:
    from channels.base import Reply
    from handlers.pipeline import StaffChat
    from tests.builders import message
    from tests.fakes.recording import RecordingChannel

    app = App(bot_config(tmp_path))
    room = RecordingChannel("staffroom")  # a platform where agents cannot be linked
    app.channels["staffroom"] = room
    async with app:
        assert app.pipeline is not None and app.sender is not None
        assert app.outbox is not None
        app.outbox.staff_chats = (StaffChat("staffroom", "desk"),)
        await app.pipeline.dispatch(message("/ticket help", channel="staffroom", chat_id="u1"))
        await app.sender.drain()
        (alert,) = [a for a in room.sent if isinstance(a, Reply) and a.chat_id == "desk"]
        assert "New ticket #1" in alert.text and alert.buttons == ()  # no Claim to press
        await app.pipeline.dispatch(
            message("/help", channel="staffroom", chat_id="desk", sender_id="mod")
        )
        await app.sender.drain()
        assert any(
            isinstance(a, Reply) and "/lang" in a.text for a in room.sent if a.chat_id == "desk"
        )
