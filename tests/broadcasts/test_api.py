"""``/api/broadcasts``: managers create, approve, send and follow notices over REST."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bots.api import token_hash
from bots.app import App, system_clock
from tests.broadcasts.support import add_subscribers
from tests.broadcasts.test_telegram import CHANNEL, config, finished
from tests.fakes.telegram import FakeTelegram

NOTICE: dict[str, Any] = {
    "title": "Deposit bonus",
    "text": {"en": "Deposit bonus starts today.", "de": "Der Einzahlungsbonus startet heute."},
    "targets": {"telegram": [{"chat": str(CHANNEL), "language": "de"}], "subscribers": {}},
}


@pytest.fixture
async def bot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[App, FakeTelegram]]:
    monkeypatch.setenv("SOCIALDESK_TELEGRAM_TOKEN", "123456:TEST")
    async with FakeTelegram() as tg:
        app = App(config(tmp_path, tg, broadcasts={"require_approval": True}))
        await app.start()
        assert app.tickets is not None and app.store is not None
        for name, role in (
            ("mia", "manager"),
            ("leo", "manager"),
            ("ana", "admin"),
            ("sam", "agent"),
        ):
            await app.tickets.add_agent(name, role, token_hash(f"token-{name}"), system_clock())
        await add_subscribers(app.store, "telegram", [601, 602], "en")
        try:
            yield app, tg
        finally:
            await app.stop()


def auth(name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer token-{name}"}


async def test_a_notice_from_draft_to_report_over_the_api(bot: tuple[App, FakeTelegram]) -> None:
    app, tg = bot
    base = f"{app.url}/api/broadcasts"
    async with aiohttp.ClientSession() as http:
        async with http.get(base, headers=auth("sam")) as r:
            assert r.status == 403  # agents answer tickets; notices need a manager
        async with http.get(f"{app.url}/api/openapi.json") as r:
            spec = await r.json()
        assert spec["paths"]["/api/broadcasts/{id}/approve"]["post"]["x-role"] == "manager"
        async with http.post(base, json={**NOTICE, "text": {"de": "x"}}, headers=auth("mia")) as r:
            assert r.status == 400
            assert (await r.json())["error"] == (
                "body: text: an English text (en) is required: it is every language's fallback"
            )
        async with http.post(base, json=NOTICE, headers=auth("mia")) as r:
            assert r.status == 201
            created = await r.json()
        ref = created["short_id"]
        async with http.post(f"{base}/{ref}/send", headers=auth("mia")) as r:
            assert r.status == 403 and "approval" in (await r.json())["error"]
        async with http.post(f"{base}/{ref}/approve", headers=auth("mia")) as r:
            assert r.status == 403 and "not the creator" in (await r.json())["error"]
        answers = await asyncio.gather(
            *(http.post(f"{base}/{ref}/approve", headers=auth(n)) for n in ("leo", "ana"))
        )
        assert sorted(a.status for a in answers) == [200, 409]
        async with http.get(f"{base}/{ref}/preview", headers=auth("leo")) as r:
            preview = await r.json()
        texts = {(m["channel"], m["kind"], m["language"]): m["parts"] for m in preview["messages"]}
        assert texts[("telegram", "chat", "de")][0].startswith("Der Einzahlungsbonus")
        assert {"channel": "telegram", "language": "en", "chats": 2} in preview["recipients"]
        async with http.post(f"{base}/{ref}/send", headers=auth("leo")) as r:
            assert r.status == 202 and (await r.json())["queued"] == 3
        await finished(app, created["id"])
        async with http.get(f"{base}/{ref}", headers=auth("mia")) as r:
            status = await r.json()
        assert status["status"] == "done" and status["report"]["delivered"] == 3
        by_place = {
            (p["channel"], p["language"]): p for p in status["report"]["by_channel_language"]
        }
        assert by_place[("telegram", "de")]["delivered"] == 1
        assert by_place[("telegram", "en")]["delivered"] == 2
        async with http.post(f"{base}/{ref}/cancel", headers=auth("mia")) as r:
            assert r.status == 409  # sent already: nothing to cancel
    assert sorted(int(m["chat_id"]) for m in tg.sent()) == [CHANNEL, 601, 602]
