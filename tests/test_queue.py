"""Queue rules through the agents' API: snoozing, support tiers, round-robin assignment."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp

from bots.api import token_hash
from bots.app import App
from tests.builders import bot_config, message
from tests.conftest import FakeClock

AGENTS = (("ana", "agent", 1), ("ben", "agent", 1), ("ted", "agent", 2), ("sue", "supervisor", 1))


@asynccontextmanager
async def running(tmp_path: Path, clock: FakeClock, **tickets: Any) -> AsyncIterator[App]:
    config = bot_config(tmp_path, tickets=tickets) if tickets else bot_config(tmp_path)
    async with App(config, clock=clock) as app:
        assert app.tickets is not None
        for name, role, tier in AGENTS:
            await app.tickets.add_agent(name, role, token_hash(f"token-{name}"), clock(), tier)
        yield app


def auth(name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer token-{name}"}


async def open_tickets(app: App, count: int) -> None:
    assert app.pipeline is not None
    for i in range(count):
        await app.pipeline.dispatch(message("/ticket help", chat_id=f"c{i}", sender_id=f"u{i}"))


async def queue(http: aiohttp.ClientSession, app: App, who: str, query: str = "") -> list[int]:
    async with http.get(f"{app.url}/api/tickets{query}", headers=auth(who)) as r:
        assert r.status == 200
        return [t["id"] for t in (await r.json())["tickets"]]


async def test_a_snoozed_ticket_leaves_the_queue_until_its_time_or_the_user_writes(
    tmp_path: Path, clock: FakeClock
) -> None:
    async with running(tmp_path, clock) as app, aiohttp.ClientSession() as http:
        await open_tickets(app, 2)
        api = f"{app.url}/api/tickets/1/snooze"
        for bad in ({}, {"minutes": 0}, {"until": "2026-11-23T13:00:00"}, {"until": "soon"}):
            async with http.post(api, json=bad, headers=auth("ana")) as r:
                assert r.status == 400, bad
        async with http.post(api, json={"until": "2026-11-23T11:00:00Z"}, headers=auth("ana")) as r:
            assert r.status == 400 and "future" in (await r.json())["error"]
        async with http.post(api, json={"minutes": 60 * 24 * 31}, headers=auth("ana")) as r:
            assert r.status == 400 and "30 days" in (await r.json())["error"]

        async with http.post(api, json={"minutes": 30}, headers=auth("ana")) as r:
            assert r.status == 200 and (await r.json())["snoozed"] is True
        assert await queue(http, app, "ana") == [2]
        assert await queue(http, app, "ana", "?status=snoozed") == [1]
        async with http.get(f"{app.url}/api/tickets/1", headers=auth("ana")) as r:
            view = await r.json()
        assert view["snoozed"] is True and view["snoozed_until"].startswith("2026-11-23T12:30")

        clock.advance(31 * 60)  # its time has come
        assert await queue(http, app, "ana") == [1, 2]
        assert await queue(http, app, "ana", "?status=snoozed") == []

        async with http.post(api, json={"minutes": 60}, headers=auth("ana")) as r:
            assert r.status == 200
        assert await queue(http, app, "ana") == [2]
        assert app.pipeline is not None
        await app.pipeline.dispatch(message("any news?", chat_id="c0", sender_id="u0"))
        assert await queue(http, app, "ana") == [1, 2]  # the user wrote: back in the queue

        async with http.post(api, json={"minutes": 60}, headers=auth("ana")) as r:
            assert r.status == 200
        async with http.post(api, json={"until": None}, headers=auth("ana")) as r:
            assert r.status == 200 and (await r.json())["snoozed"] is False
        assert await queue(http, app, "ana") == [1, 2]


async def test_escalation_moves_a_ticket_up_the_tiers_to_the_next_queue(
    tmp_path: Path, clock: FakeClock
) -> None:
    async with running(tmp_path, clock) as app, aiohttp.ClientSession() as http:
        await open_tickets(app, 1)
        api = f"{app.url}/api/tickets/1"
        async with http.post(f"{api}/escalate", headers=auth("ana")) as r:
            assert r.status == 403  # claim it first
        async with http.post(f"{api}/claim", headers=auth("ana")) as r:
            assert r.status == 200
        reason = {"reason": "needs on-chain tracing"}
        async with http.post(f"{api}/escalate", json=reason, headers=auth("ana")) as r:
            assert r.status == 200 and (await r.json()) == {"id": 1, "tier": 2, "assignee": None}

        assert await queue(http, app, "ana") == []  # above ana's tier now
        assert await queue(http, app, "ted") == [1]
        async with http.post(f"{api}/claim", headers=auth("ben")) as r:
            assert r.status == 403 and "tier 2" in (await r.json())["error"]
        async with http.post(f"{api}/claim", headers=auth("ted")) as r:
            assert r.status == 200
        async with http.get(api, headers=auth("ted")) as r:
            view = await r.json()
        assert view["tier"] == 2 and view["assignee"] == "ted"
        assert [n["text"] for n in view["notes"]] == ["Escalated to tier 2. needs on-chain tracing"]

        async with http.post(f"{api}/escalate", headers=auth("ted")) as r:
            assert (await r.json())["tier"] == 3
        assert await queue(http, app, "ted") == []
        async with http.post(f"{api}/claim", headers=auth("sue")) as r:
            assert r.status == 200  # supervisors take any tier
        async with http.post(f"{api}/escalate", headers=auth("sue")) as r:
            assert r.status == 409  # there is no tier 4
        async with http.patch(api, json={"tier": 1}, headers=auth("sue")) as r:
            assert r.status == 200
        assert await queue(http, app, "ana", "?tier=1") == []  # sue's ticket now


async def test_the_unclaimed_queue_comes_in_pages(tmp_path: Path, clock: FakeClock) -> None:
    async with running(tmp_path, clock) as app, aiohttp.ClientSession() as http:
        await open_tickets(app, 3)
        async with http.post(f"{app.url}/api/tickets/1/claim", headers=auth("ana")) as r:
            assert r.status == 200
        assert await queue(http, app, "ana") == [1, 2, 3]  # the queue and her own
        assert await queue(http, app, "ana", "?assignee=none") == [2, 3]
        assert await queue(http, app, "ana", "?assignee=none&limit=1") == [2]
        for bad in ("?limit=0", "?limit=501", "?assignee=nobody"):
            async with http.get(f"{app.url}/api/tickets{bad}", headers=auth("ana")) as r:
                assert r.status == 400, bad


async def test_round_robin_gives_new_tickets_to_online_agents_in_turn(
    tmp_path: Path, clock: FakeClock
) -> None:
    async with (
        running(tmp_path, clock, round_robin=True) as app,
        aiohttp.ClientSession() as http,
    ):
        await open_tickets(app, 1)  # nobody online yet: it waits in the queue
        for who in ("ana", "ben", "ted"):
            body = {"online": True}
            async with http.post(
                f"{app.url}/api/agents/me/presence", json=body, headers=auth(who)
            ) as r:
                assert r.status == 200
        async with http.post(
            f"{app.url}/api/agents/me/presence", json={"online": "yes"}, headers=auth("ana")
        ) as r:
            assert r.status == 400
        assert app.pipeline is not None
        for i in range(1, 7):
            await app.pipeline.dispatch(message("/ticket help", chat_id=f"c{i}", sender_id=f"u{i}"))
        async with http.get(f"{app.url}/api/tickets", headers=auth("sue")) as r:
            owners = {t["id"]: t["assignee_id"] for t in (await r.json())["tickets"]}
        ids = {name: i for i, (name, _role, _tier) in enumerate(AGENTS, 1)}
        assert owners[1] is None
        turns = [owners[n] for n in range(2, 8)]
        assert turns == [ids["ana"], ids["ben"], ids["ted"]] * 2  # each in turn, sue is offline

        async with http.post(
            f"{app.url}/api/agents/me/presence", json={"online": False}, headers=auth("ben")
        ) as r:
            assert r.status == 200
        async with http.post(f"{app.url}/api/tickets/2/escalate", headers=auth("ana")) as r:
            assert (await r.json())["assignee"] == "ted"  # the only online tier-2 agent
        async with http.get(f"{app.url}/api/agents/me", headers=auth("ted")) as r:
            assert (await r.json())["tier"] == 2
