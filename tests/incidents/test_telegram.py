"""Incidents on Telegram, end to end: the real python-telegram-bot against the fake Bot
API. An incident opened with the CLI answers matching questions in each user's
language; resolving it (twice) tells each affected user once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bots.app import App
from handlers.texts import Texts
from tests.fakes.telegram import FakeTelegram
from tests.incidents.support import EXAMPLE, TRON_TEXT, config_file, socialdesk
from tests.telegram.test_e2e import start_bot

TEXTS = Texts.load()
GERMAN_TEXT = "Bekannt: TRON-Einzahlungen verzögern sich seit 09:40 UTC."
ALICE, BRUNO, CHEN = 41, 42, 43


@pytest.fixture
async def bot(tmp_path: Path, tg: FakeTelegram) -> AsyncIterator[App]:
    app = await start_bot(tmp_path, tg)
    yield app
    await app.stop()


async def test_matching_questions_get_the_incident_in_their_language_and_one_follow_up(
    bot: App, tg: FakeTelegram, tmp_path: Path
) -> None:
    cfg = str(config_file(tmp_path, tmp_path / "bot.db"))
    opened = await socialdesk("incident", "open", str(EXAMPLE), "--by", "sue", "-c", cfg)
    assert opened.exit_code == 0, opened.output

    tg.private(ALICE, "My USDT deposit on TRC20 has not arrived", language="en")
    tg.private(BRUNO, "Meine Einzahlung ist nicht angekommen, USDT über TRON", language="de")
    tg.private(CHEN, "我的TRON充值没到账")
    assert (await tg.wait_sent(1, chat_id=ALICE))[0]["text"].startswith(TRON_TEXT)
    assert (await tg.wait_sent(1, chat_id=BRUNO))[0]["text"].startswith(GERMAN_TEXT)
    assert (await tg.wait_sent(1, chat_id=CHEN))[0]["text"].startswith("我们已知悉")
    tg.private(ALICE, "still nothing on TRON, my deposit has not arrived", language="en")
    assert (await tg.wait_sent(2, chat_id=ALICE))[1]["text"].startswith(TRON_TEXT)

    first = await socialdesk("incident", "resolve", "1", "--by", "sue", "-c", cfg)
    assert first.exit_code == 0 and "3 user(s)" in first.output  # Alice counted once
    second = await socialdesk("incident", "resolve", "1", "--by", "sue", "-c", cfg)
    assert second.exit_code == 1

    follow_ups = {  # the user, what they are told, and how many messages they have then
        ALICE: (TEXTS.get("incidents.resolved", "en"), 3),
        BRUNO: (TEXTS.get("incidents.resolved", "de"), 2),
        CHEN: (TEXTS.get("incidents.resolved", "zh"), 2),
    }
    assert len({text for text, _ in follow_ups.values()}) == 3
    for user, (text, count) in follow_ups.items():
        sent = await tg.wait_sent(count, chat_id=user, within=15)
        assert sent[-1]["text"] == text
    # a chat's messages leave in order: a reply to a new message comes after any
    # follow-up enqueued before it, so a second follow-up would show up here
    tg.private(ALICE, "thanks", language="en")
    sent = await tg.wait_sent(4, chat_id=ALICE)
    assert [m["text"] for m in sent].count(follow_ups[ALICE][0]) == 1
    assert sent[-1]["text"] != follow_ups[ALICE][0]
