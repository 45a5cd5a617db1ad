"""The audit log of agents' actions, read where agents read a ticket: who claimed,
answered, noted, changed a field from what to what, snoozed, escalated, resolved and
reopened, in order; refused actions leave no entry."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bots.api import token_hash
from bots.app import App, system_clock
from tests.builders import bot_config, message


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[App]:
    async with App(bot_config(tmp_path)) as app:
        assert app.tickets is not None and app.pipeline is not None
        for name, role in (("ana", "agent"), ("ben", "agent"), ("sue", "supervisor")):
            await app.tickets.add_agent(name, role, token_hash(f"token-{name}"), system_clock())
        await app.pipeline.dispatch(message("/ticket my deposit is missing", chat_id="u1"))
        yield app


def auth(name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer token-{name}"}


async def test_every_agent_action_is_in_the_tickets_audit_log(bot: App) -> None:
    ticket = f"{bot.url}/api/tickets/1"
    steps: list[tuple[str, str, str, dict[str, Any] | None, int]] = [
        ("ana", "post", "/claim", None, 200),
        ("ben", "post", "/claim", None, 409),  # too late: no entry
        ("ana", "post", "/reply", {"text": "Looking into it."}, 202),
        ("ana", "post", "/notes", {"text": "asked the wallet team"}, 201),
        ("sue", "patch", "", {"category": "deposit_missing", "priority": 1}, 200),
        ("ana", "post", "/snooze", {"minutes": 30}, 200),
        ("ana", "post", "/escalate", {"reason": "needs tier 2"}, 200),
        ("sue", "post", "/claim", None, 200),
        ("sue", "post", "/resolve", None, 200),
        ("sue", "post", "/resolve", None, 409),  # resolved already: no entry
        ("sue", "post", "/reopen", None, 200),
    ]
    async with aiohttp.ClientSession() as http:
        async with http.get(ticket, headers=auth("sue")) as response:
            before = (await response.json())["category"]
        for name, verb, path, body, status in steps:
            call = http.post if verb == "post" else http.patch
            async with call(ticket + path, json=body, headers=auth(name)) as response:
                assert response.status == status, (name, path, await response.text())
        async with http.get(ticket, headers=auth("sue")) as response:
            audit = (await response.json())["audit"]
    entries = [
        (a["agent_name"], a["action"], a["field"], a["old_value"], a["new_value"]) for a in audit
    ]
    snoozed_until = entries[5][4]
    assert snoozed_until is not None and snoozed_until.startswith("20")
    assert entries == [
        ("ana", "claimed", "assignee", None, "ana"),
        ("ana", "answered", None, None, None),
        ("ana", "noted", None, None, None),
        ("sue", "changed", "category", before, "deposit_missing"),
        ("sue", "changed", "priority", "2", "1"),
        ("ana", "snoozed", "snoozed_until", None, snoozed_until),
        ("ana", "escalated", "tier", "1", "2"),
        ("ana", "escalated", "assignee", "ana", None),
        ("sue", "claimed", "assignee", None, "sue"),
        ("sue", "resolved", "status", "open", "resolved"),
        ("sue", "reopened", "status", "resolved", "open"),
    ]
    assert {a["via"] for a in audit} == {"api"}
    assert all(a["created_at"] for a in audit)
