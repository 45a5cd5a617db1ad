"""Webhook mode: Telegram hears 200 only once the update is committed.

Telegram delivers a webhook update again until it gets a 2xx; answering before the
inbox committed the update would let a crash in between lose it. A failure is
injected into the commit of the inbound record, as in the polling tests.
"""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from bots.app import App
from tests.fakes.telegram import FakeTelegram
from tests.settling import settled
from tests.telegram.test_polling import RecordFault, start_bot, store_of

SECRET = "s3cr3t-token"


def private(update_id: int, text: str) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1700000000,
            "chat": {"id": 42, "type": "private"},
            "from": {"id": 42, "is_bot": False, "first_name": "Alice"},
            "text": text,
        },
    }


async def post(app: App, update: dict[str, Any]) -> int:
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    url = f"{app.url}/telegram/webhook"
    async with aiohttp.ClientSession() as http, http.post(url, json=update, headers=headers) as r:
        return r.status


async def test_a_webhook_update_whose_commit_fails_is_refused_and_answered_on_redelivery(
    db_url: str, tg: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOCIALDESK_TELEGRAM_WEBHOOK_SECRET", SECRET)
    app = await start_bot(
        db_url, tg, mode="webhook", webhook_url="https://bot.example.com/telegram/webhook"
    )
    fault = RecordFault(store_of(app), platform_id=7)
    fault.dead = True  # every commit of its record fails
    try:
        update = private(7, "/help")
        assert await post(app, update) == 500  # not committed: Telegram will retry
        assert fault.attempts >= 1
        await settled(app, "telegram", 42)  # nothing of it was handled or sent
        assert tg.sent(42) == []
        fault.dead = False
        assert await post(app, update) == 200  # the redelivery commits
        await settled(app, "telegram", 42, 7)
        (reply,) = tg.sent(42)
        assert "/lang" in reply["text"]
        assert await post(app, update) == 200  # a third copy: recorded already, no reply
        await settled(app, "telegram", 42, 7)
        assert len(tg.sent(42)) == 1
    finally:
        fault.remove()
        await app.stop()
