"""What a hostile or careless caller of the agent API meets, over HTTP on 127.0.0.1:
tiers keep their tickets, managers send notices and work no tickets, notices need a
second manager unless configured otherwise, bodies are capped per route, and every
answer carries the browser hardening headers."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bots.api import token_hash
from bots.app import App, system_clock
from tests.broadcasts.support import add_subscribers
from tests.builders import bot_config, message

# name, role, tier
STAFF = (
    ("ana", "agent", 1),
    ("tom", "agent", 3),
    ("sue", "supervisor", 1),
    ("mia", "manager", 1),
    ("leo", "manager", 1),
)


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[App]:
    async with App(bot_config(tmp_path)) as app:
        assert app.tickets is not None and app.pipeline is not None
        for name, role, tier in STAFF:
            await app.tickets.add_agent(
                name, role, token_hash(f"token-{name}"), system_clock(), tier
            )
        await app.pipeline.dispatch(message("/ticket my account is frozen", chat_id="u1"))
        yield app


def auth(name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer token-{name}"}


async def test_a_tier_one_agent_cannot_touch_a_tier_three_ticket(bot: App) -> None:
    api = f"{bot.url}/api/tickets"
    async with aiohttp.ClientSession() as http:
        async with http.patch(f"{api}/1", json={"tier": 3}, headers=auth("sue")) as r:
            assert r.status == 200
        async with http.get(api, headers=auth("ana")) as r:
            assert (await r.json())["tickets"] == []  # not in ana's queue
        async with http.get(f"{api}/1", headers=auth("ana")) as r:
            refused = await r.json()
        assert r.status == 403 and "tier 3" in refused["error"]
        assert "transcript" not in refused and "frozen" not in json.dumps(refused)
        attempts = {
            "notes": {"text": "looked at it"},
            "snooze": {"minutes": 600},
            "claim": None,
            "reply": {"text": "hello from tier 1"},
            "resolve": None,
            "reopen": None,
            "escalate": None,
        }
        for verb, body in attempts.items():
            async with http.post(f"{api}/1/{verb}", json=body, headers=auth("ana")) as r:
                assert r.status == 403, verb
        # tier 3 still has it, untouched: in the queue, not snoozed, no note
        async with http.get(api, headers=auth("tom")) as r:
            assert [t["id"] for t in (await r.json())["tickets"]] == [1]
        async with http.get(f"{api}/1", headers=auth("tom")) as r:
            ticket = await r.json()
        assert ticket["snoozed"] is False and ticket["notes"] == []
        assert ticket["assignee_id"] is None and ticket["status"] == "open"
        assert any("frozen" in (m["text"] or "") for m in ticket["transcript"])


async def test_a_manager_sends_notices_and_works_no_tickets(bot: App) -> None:
    api = f"{bot.url}/api/tickets"
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{bot.url}/api/agents/me", headers=auth("mia")) as r:
            assert (await r.json())["role"] == "manager"
        reads = [f"{api}", f"{api}/1", f"{bot.url}/api/canned"]
        for url in reads:
            async with http.get(url, headers=auth("mia")) as r:
                assert r.status == 403, url
                assert "managers send notices" in (await r.json())["error"]
        writes = {
            f"{api}/1/claim": None,
            f"{api}/1/reply": {"text": "Your account is fine."},
            f"{api}/1/notes": {"text": "manager was here"},
            f"{api}/1/snooze": {"minutes": 60},
            f"{bot.url}/api/agents/me/presence": {"online": True},
        }
        for url, body in writes.items():
            async with http.post(url, json=body, headers=auth("mia")) as r:
                assert r.status == 403, url
        async with http.get(f"{bot.url}/api/broadcasts", headers=auth("mia")) as r:
            assert r.status == 200
        async with http.get(f"{api}/1", headers=auth("sue")) as r:
            ticket = await r.json()
    assert ticket["assignee_id"] is None and ticket["notes"] == []
    assert all(
        m["direction"] == "in" or "agent:" not in m["sender_id"] for m in ticket["transcript"]
    )


async def test_a_notice_needs_a_second_manager_by_default(bot: App) -> None:
    assert bot.store is not None
    await add_subscribers(bot.store, "web", ["sub-chat-0001"], "en")
    base = f"{bot.url}/api/broadcasts"
    notice = {"title": "Maintenance", "text": {"en": "Deposits pause at 02:00 UTC."}}
    notice["targets"] = {"subscribers": {}}
    async with aiohttp.ClientSession() as http:
        async with http.post(base, json=notice, headers=auth("mia")) as r:
            assert r.status == 201
            ref = (await r.json())["short_id"]
        async with http.post(f"{base}/{ref}/send", headers=auth("mia")) as r:
            assert r.status == 403 and "approval" in (await r.json())["error"]
        async with http.post(f"{base}/{ref}/approve", headers=auth("leo")) as r:
            assert r.status == 200 and (await r.json())["approved_by"] == "leo"
        async with http.post(f"{base}/{ref}/send", headers=auth("mia")) as r:
            assert r.status == 202 and (await r.json())["queued"] == 1


async def test_request_bodies_are_capped_per_route(bot: App) -> None:
    api = f"{bot.url}/api/tickets"
    note = {"text": "x" * (100 * 1024)}  # more than an agent's note could need
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{api}/1/notes", json=note, headers=auth("sue")) as r:
            assert r.status == 413 and "64 KiB" in (await r.json())["error"]
        body = json.dumps({"text": "y" * (3 * 1024 * 1024)}).encode()  # accepted up to 4 MiB before
        async with http.post(f"{api}/1/notes", data=body, headers=auth("sue")) as r:
            assert r.status == 413
        async with http.post(f"{api}/1/notes", json={"text": "fits"}, headers=auth("sue")) as r:
            assert r.status == 201
        # a notice may be larger than a note: its route has a cap of its own
        notice = {"title": "Long", "text": {"en": "Deposits pause. " * 6000}}
        notice["targets"] = {"subscribers": {}}
        async with http.post(f"{bot.url}/api/broadcasts", json=notice, headers=auth("mia")) as r:
            assert r.status == 201, await r.text()


async def test_every_answer_carries_the_browser_hardening_headers(bot: App) -> None:
    async with aiohttp.ClientSession() as http:
        for path in ("/console", "/chat"):
            async with http.get(f"{bot.url}{path}") as r:
                assert r.status == 200, path
                policy = r.headers["Content-Security-Policy"]
                assert "frame-ancestors 'none'" in policy and "default-src 'none'" in policy
                assert "script-src 'self' 'sha256-" in policy and "unsafe-inline" not in policy
                assert r.headers["X-Frame-Options"] == "DENY"
                assert r.headers["X-Content-Type-Options"] == "nosniff"
        foreign = {"Origin": "https://attacker.example", **auth("sue")}
        async with http.get(f"{bot.url}/api/tickets", headers=foreign) as r:
            assert r.status == 200 and r.headers["X-Content-Type-Options"] == "nosniff"
            assert "Access-Control-Allow-Origin" not in r.headers
        preflight = {
            "Origin": "https://attacker.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization",
        }
        async with http.options(f"{bot.url}/api/tickets/1/reply", headers=preflight) as r:
            assert r.status >= 400 and "Access-Control-Allow-Origin" not in r.headers
        async with http.get(f"{bot.url}/api/no-such-thing", headers=auth("sue")) as r:
            assert r.status == 404 and r.content_type == "application/json"
        async with http.get(f"{bot.url}/api/tickets") as r:  # refusals are hardened too
            assert r.status == 401 and r.headers["X-Content-Type-Options"] == "nosniff"
            assert r.headers["X-Frame-Options"] == "DENY"


async def test_round_robin_never_gives_a_ticket_to_a_manager(tmp_path: Path) -> None:
    from storage.queue import QueueStore

    async with App(bot_config(tmp_path, tickets={"round_robin": True})) as app:
        assert app.tickets is not None and app.pipeline is not None and app.store is not None
        mia = await app.tickets.add_agent("mia", "manager", token_hash("token-mia"), system_clock())
        await QueueStore(app.store).set_online(mia, True)  # online from before, say
        await app.pipeline.dispatch(message("/ticket my account is frozen", chat_id="u1"))
        ticket = await app.tickets.get(1)
        assert ticket is not None and ticket.assignee_id is None  # waits for an agent
        ana = await app.tickets.add_agent("ana", "agent", token_hash("token-ana"), system_clock())
        await QueueStore(app.store).set_online(ana, True)
        await app.pipeline.dispatch(message("/ticket my card is blocked", chat_id="u2"))
        second = await app.tickets.get(2)
        assert second is not None and second.assignee == "ana"
