"""Knowledge-base reminders reach subscribers once, in their language, on time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bots.app import App
from handlers.answers.knowledge import KnowledgeError, load_file
from scheduler.reminders import send_reminders
from tests.broadcasts.support import add_subscribers
from tests.broadcasts.test_telegram import config
from tests.fakes.telegram import FakeTelegram


def knowledge(tmp_path: Path, now: datetime) -> Path:
    def at(minutes: int) -> str:
        return (now + timedelta(minutes=minutes)).replace(microsecond=0).isoformat()

    path = tmp_path / "base.toml"
    path.write_text(
        f"""
[[airdrops]]
id = "nova"
token = "NOVA"
name = {{ en = "NOVA airdrop", de = "NOVA-Airdrop" }}
snapshot_at = {at(90)}
distribution_at = {at(3 * 24 * 60)}
eligibility = {{ en = "Holders." }}
how_to_claim = {{ en = "Automatic." }}
reminders = [
  {{ event = "snapshot", before_minutes = 120 }},
  {{ event = "distribution", before_minutes = 1440 }},
]

[[activities]]
id = "sprint"
name = {{ en = "Futures Sprint", de = "Futures-Sprint" }}
starts_at = {at(60)}
ends_at = {at(600)}
reward = {{ en = "USDT." }}
how_to_join = {{ en = "Register." }}
eligibility = {{ en = "KYC." }}
url = "https://example.com/sprint"
reminders = [{{ event = "start", before_minutes = 60 }}]
""",
        encoding="utf-8",
    )
    return path


@pytest.fixture
async def bot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[App, FakeTelegram]]:
    monkeypatch.setenv("SOCIALDESK_TELEGRAM_TOKEN", "123456:TEST")
    base = knowledge(tmp_path, datetime.now(UTC))
    async with FakeTelegram() as tg:
        app = App(config(tmp_path, tg, knowledge={"paths": [str(base)]}))
        await app.start()
        try:
            yield app, tg
        finally:
            await app.stop()


async def test_due_reminders_go_to_subscribers_once_in_their_language(
    bot: tuple[App, FakeTelegram],
) -> None:
    app, tg = bot
    assert app.store is not None
    await add_subscribers(app.store, "telegram", [701], "de")
    await add_subscribers(app.store, "telegram", [702], "en")
    assert await send_reminders() == 2  # the snapshot and the start; not the distribution
    sent = await tg.wait_sent(4)
    german = sorted(m["text"] for m in sent if m["chat_id"] == "701")
    english = sorted(m["text"] for m in sent if m["chat_id"] == "702")
    assert german[0].startswith("⏰ Futures-Sprint beginnt in 1 Stunde")
    assert german[1].startswith("📸 NOVA-Airdrop: Der Snapshot ist in 90 Minuten")
    assert english[0].startswith("⏰ Futures Sprint starts in 1 hour")
    sprint = next(m for m in sent if m["chat_id"] == "702" and "Sprint" in m["text"])
    assert sprint["reply_markup"]["inline_keyboard"][0][0]["url"] == "https://example.com/sprint"
    assert await send_reminders() == 0  # each reminder once
    assert len(tg.sent()) == 4


def test_a_reminder_for_an_event_the_entry_lacks_is_refused(tmp_path: Path) -> None:
    path = knowledge(tmp_path, datetime.now(UTC))
    path.write_text(path.read_text().replace('event = "start"', 'event = "snapshot"'))
    with pytest.raises(KnowledgeError, match="an activity has no 'snapshot'"):
        load_file(path)
