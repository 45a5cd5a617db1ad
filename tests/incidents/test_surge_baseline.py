"""A busy FAQ is not an outage: the sweep compares a window with the usual number."""

from __future__ import annotations

import itertools
from datetime import timedelta
from pathlib import Path

from bots.app import App
from channels.base import Reply
from handlers.pipeline import StaffChat
from scheduler.surge import sweep_surges
from storage.surges import SurgeStore
from tests.builders import bot_config, message
from tests.conftest import FakeClock
from tests.fakes.recording import RecordingChannel

USERS = itertools.count(1)


async def test_only_a_burst_above_the_usual_number_is_a_surge(
    tmp_path: Path, clock: FakeClock
) -> None:
    config = bot_config(
        tmp_path,
        incidents={
            "surge_sweep_seconds": 3600,
            "surge_window_minutes": 10,
            "baseline_hours": 1,
            "surge_min_questions": 20,
            "surge_factor": 3,
        },
    )
    bot = App(config, clock=clock)
    staff = RecordingChannel("staffroom")
    bot.channels["staffroom"] = staff
    async with bot:
        pipeline, sender = bot.pipeline, bot.sender
        assert pipeline is not None and bot.store is not None and sender is not None
        assert bot.outbox is not None
        bot.outbox.staff_chats = (StaffChat("staffroom", "desk"),)

        async def ask(users: int, spread_minutes: float) -> None:
            for _ in range(users):
                user = f"u{next(USERS)}"
                said = await pipeline.dispatch(
                    message("My TRON deposit has not arrived", chat_id=user, sender_id=user)
                )
                assert said is not None and said.refs == ["faq:deposit-not-arrived"]
                clock.advance(spread_minutes * 60 / users)

        now = clock()
        clock.now = now - timedelta(minutes=60)
        await ask(60, 50)  # an ordinary hour: 10 users in every ten minutes
        clock.now = now
        await ask(25, 1)  # more than the minimum, but under three times the usual
        assert await sweep_surges() == 0
        await ask(10, 1)  # 35: now it is unusual
        assert await sweep_surges() == 1
        await sender.drain()
        alerts = [a for a in staff.sent if isinstance(a, Reply) and a.chat_id == "desk"]
        assert len(alerts) == 1 and alerts[0].text.startswith("35 users asked about")
        # it calms down: the surge ends, so a later burst is alerted again
        clock.advance(15 * 60)
        assert await sweep_surges() == 0
        assert await SurgeStore(bot.store).active() == {}
