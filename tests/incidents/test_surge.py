"""Surge detection end to end on Telegram: thirty users asking where their TRON deposit
is within five minutes (the injected clock) raise one staff alert with a button; a
supervisor's press opens an incident, and the next such question gets its text."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bots.api import token_hash
from bots.app import App, system_clock
from bots.config import Config
from handlers.texts import Texts
from scheduler.surge import sweep_surges
from tests.conftest import FakeClock
from tests.fakes.telegram import FakeTelegram

STAFF = -999
SUE, ANA = 601, 602  # a supervisor and an agent, linked to their Telegram accounts
ASKERS = range(1000, 1030)
PHRASINGS = (
    "My deposit has not arrived, I sent USDT on TRON",
    "my TRON deposit is not credited yet",
    "Where is my deposit? It was USDT over TRC20",
)
TEXTS = Texts.load()


@pytest.fixture
async def bot(tmp_path: Path, tg: FakeTelegram, clock: FakeClock) -> AsyncIterator[App]:
    config = Config.model_validate(
        {
            "database": {"url": f"sqlite:///{tmp_path / 'bot.db'}"},
            "server": {"port": 0},
            "bot": {"languages": ["en", "de"]},
            "telegram": {
                "enabled": True,
                "base_url": tg.base_url,
                "poll_timeout": 1,
                "staff_chat_id": STAFF,
            },
            # the test sweeps by hand: the scheduler's first run is an hour away
            "incidents": {"surge_sweep_seconds": 3600, "surge_min_questions": 20},
        }
    )
    app = App(config, clock=clock)
    await app.start()
    assert app.tickets is not None
    await app.tickets.add_agent("sue", "supervisor", token_hash("token-sue"), system_clock())
    await app.tickets.add_agent("ana", "agent", token_hash("token-ana"), system_clock())
    assert await app.tickets.link_account("sue", "telegram", str(SUE))
    assert await app.tickets.link_account("ana", "telegram", str(ANA))
    yield app
    await app.stop()


def buttons(sent: dict) -> list[str]:
    markup = sent.get("reply_markup") or {"inline_keyboard": []}
    return [b["callback_data"] for row in markup["inline_keyboard"] for b in row]


async def test_thirty_tron_deposit_questions_raise_one_alert_that_opens_an_incident(
    bot: App, tg: FakeTelegram, clock: FakeClock
) -> None:
    for n, user in enumerate(ASKERS):
        tg.private(user, PHRASINGS[n % len(PHRASINGS)], language="en")
        await tg.wait_sent(1, chat_id=user)  # answered (the FAQ) before the next asks
        clock.advance(9)  # 30 questions in 4.5 minutes
    assert "network confirmations" in tg.sent(ASKERS[0])[0]["text"]

    assert await sweep_surges() == 1
    assert await sweep_surges() == 0  # the same surge is alerted once
    (alert,) = await tg.wait_sent(1, chat_id=STAFF)
    assert "30 users asked about" in alert["text"] and "naming TRON" in alert["text"]
    assert "My deposit has not arrived" in alert["text"]  # the examples
    assert sum(p in alert["text"] for p in PHRASINGS) == 3
    assert buttons(alert) == ["staff:incident:1"]

    tg.press(ANA, STAFF, "staff:incident:1", message_id=alert["_message_id"])
    refused = (await tg.wait_sent(2, chat_id=STAFF))[1]
    assert refused["text"] == TEXTS.get("incidents.supervisors_only", "en")
    tg.press(SUE, STAFF, "staff:incident:1", message_id=alert["_message_id"])
    opened = (await tg.wait_sent(3, chat_id=STAFF))[2]
    assert opened["text"].startswith("Incident #1 is open (sue)")
    tg.press(SUE, STAFF, "staff:incident:1", message_id=alert["_message_id"])
    assert "opened from this alert already" in (await tg.wait_sent(4, chat_id=STAFF))[3]["text"]

    expected = TEXTS.get("incidents.default_text", "en", subject="TRON")
    tg.private(2000, "My deposit has not arrived, I sent USDT on TRON", language="en")
    assert (await tg.wait_sent(1, chat_id=2000))[0]["text"] == expected
    tg.private(2001, "Meine Einzahlung über TRON ist nicht angekommen", language="de")
    german = TEXTS.get("incidents.default_text", "de", subject="TRON")
    assert (await tg.wait_sent(1, chat_id=2001))[0]["text"] == german

    clock.advance(30)
    assert await sweep_surges() == 0  # still the one surge, and an incident answers it
    assert bot.incidents is not None
    (incident,) = await bot.incidents.list()
    assert incident.status == "open" and incident.affected == 2
    assert incident.networks == ("TRON",) and incident.faqs == ("deposit-not-arrived",)
