"""``/api/incidents`` over HTTP: supervisors open, list and resolve; anyone else gets
403. An incident opened while a matching ticket is open links it, and the ticket's
intake (its network) makes the user's next question the incident's."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bots.api import token_hash
from bots.app import App, system_clock
from handlers.texts import Texts
from tests.builders import bot_config, message

INCIDENT: dict[str, Any] = {
    "title": "TRON deposits delayed",
    "text": {"en": "We know: TRON deposits are delayed.", "de": "Bekannt: TRON verzögert."},
    "match": {"faqs": ["deposit-not-arrived"], "networks": ["TRON"]},
}
RESOLVED = Texts.load().get("incidents.resolved", "en")


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[App]:
    async with App(bot_config(tmp_path)) as app:
        assert app.tickets is not None
        for name, role in (("ana", "agent"), ("sue", "supervisor"), ("mia", "manager")):
            await app.tickets.add_agent(name, role, token_hash(f"token-{name}"), system_clock())
        yield app


def auth(name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer token-{name}"}


async def say(bot: App, text: str = "", **fields: Any) -> str:
    assert bot.pipeline is not None
    decision = await bot.pipeline.dispatch(message(text, chat_id="u7", sender_id="u7", **fields))
    assert decision is not None
    return decision.reply


async def test_only_supervisors_manage_incidents(bot: App) -> None:
    api = f"{bot.url}/api/incidents"
    async with aiohttp.ClientSession() as http:
        for name in ("ana", "mia"):
            async with http.get(api, headers=auth(name)) as r:
                assert r.status == 403 and "supervisor" in (await r.json())["error"]
            async with http.post(api, json=INCIDENT, headers=auth(name)) as r:
                assert r.status == 403
        async with http.post(api, json=INCIDENT) as r:
            assert r.status == 401
        async with http.post(api, json=INCIDENT, headers=auth("sue")) as r:
            assert r.status == 201 and (await r.json())["id"] == 1
        async with http.post(f"{api}/1/resolve", headers=auth("ana")) as r:
            assert r.status == 403
        async with http.get(api, headers=auth("sue")) as r:
            (listed,) = (await r.json())["incidents"]
            assert listed["status"] == "open" and listed["opened_by"] == "sue"


async def test_bad_fields_are_named(bot: App) -> None:
    api = f"{bot.url}/api/incidents"
    cases = [
        ({**INCIDENT, "text": {"de": "nur Deutsch"}}, "text.en"),
        ({**INCIDENT, "match": {"faqs": ["no-such-entry"]}}, "no FAQ 'no-such-entry'"),
        ({**INCIDENT, "match": {"faqs": ["deposit-not-arrived"], "chains": ["x"]}}, "chains"),
        ({**INCIDENT, "title": ""}, "title"),
        ({**INCIDENT, "text": {"en": "x", "xx": "y"}}, "text.xx"),
    ]
    async with aiohttp.ClientSession() as http:
        for body, named in cases:
            async with http.post(api, json=body, headers=auth("sue")) as r:
                assert r.status == 400, body
                assert named in (await r.json())["error"]
        async with http.get(api, headers=auth("sue")) as r:
            assert (await r.json())["incidents"] == []


async def test_an_open_ticket_is_linked_and_its_intake_network_matches(bot: App) -> None:
    assert "network confirmations" in await say(bot, "My deposit has not arrived")
    await say(bot, callback="ticket:deposits:faq:deposit-not-arrived")  # "check my account"
    await say(bot, "USDT")  # the intake's coin question
    await say(bot, "TRC20")  # and its network question
    api = f"{bot.url}/api/incidents"
    async with aiohttp.ClientSession() as http:
        async with http.post(api, json=INCIDENT, headers=auth("sue")) as r:
            assert r.status == 201
        async with http.get(api, headers=auth("sue")) as r:
            (listed,) = (await r.json())["incidents"]
        assert listed["tickets"] == [1] and listed["affected"] == 1

        # no network in the words, but the ticket's intake says TRC20: the incident's
        assert await say(bot, "My deposit has not arrived") == INCIDENT["text"]["en"]

        async with http.post(f"{api}/1/resolve", headers=auth("sue")) as r:
            assert r.status == 200 and (await r.json())["notified"] == 1
        async with http.post(f"{api}/1/resolve", headers=auth("sue")) as r:
            assert r.status == 409 and "resolved already" in (await r.json())["error"]
        async with http.post(f"{api}/9/resolve", headers=auth("sue")) as r:
            assert r.status == 404
    assert bot.store is not None
    told = [o for o in await bot.store.outbox() if o.action.get("text") == RESOLVED]
    assert [(o.channel, o.chat_id) for o in told] == [("web", "u7")]
