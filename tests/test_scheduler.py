"""Scheduled work: the SLA sweep, and schedules that survive a restart."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import TypeVar

import pytest
from typer.testing import CliRunner

from bots.app import App
from bots.cli import app as cli
from bots.config import Config, parse_config
from channels.base import Reply
from handlers.pipeline import StaffChat
from scheduler.sla import sweep_sla
from storage.tickets import AgentRecord
from tests.builders import message
from tests.fakes.recording import RecordingChannel

T = TypeVar("T")
SUPERVISOR = AgentRecord(id=0, name="sweep-test", role="supervisor")


def config(tmp_path: Path) -> Config:
    return parse_config(
        {
            "database": {"url": f"sqlite:///{tmp_path / 'bot.db'}"},
            "server": {"port": 0},
            "tickets": {"first_response_minutes": {"default": 60, "deposit_missing": 10}},
        }
    )


async def test_staff_are_warned_then_the_ticket_escalates_once(tmp_path, clock) -> None:
    bot = App(config(tmp_path), clock=clock)
    staff = RecordingChannel("staffroom")
    bot.channels["staffroom"] = staff
    async with bot:
        assert bot.pipeline is not None and bot.tickets is not None and bot.sender is not None
        assert bot.outbox is not None
        bot.outbox.staff_chats = (StaffChat("staffroom", "desk"),)
        await bot.pipeline.dispatch(
            message("/ticket deposit missing", channel="staffroom", chat_id="u1", sender_id="u1")
        )
        opened = await bot.tickets.list(SUPERVISOR, clock())
        await bot.tickets.update_fields(opened[0].id, category="deposit_missing")
        await bot.sender.drain()
        staff.sent.clear()

        clock.advance(7 * 60)  # 7 of 10 minutes: not yet
        assert await sweep_sla() == 0
        clock.advance(60)  # 8 minutes: the warning
        assert await sweep_sla() == 1
        assert await sweep_sla() == 0  # once
        clock.advance(3 * 60)  # 11 minutes: breached, now urgent
        assert await sweep_sla() == 1
        assert await sweep_sla() == 0
        await bot.sender.drain()
        alerts = [a.text for a in staff.sent if isinstance(a, Reply) and a.chat_id == "desk"]
        assert len(alerts) == 2
        assert "waited 8 min" in alerts[0] and "target is 10 min" in alerts[0]
        assert "missed its 10 min" in alerts[1]
        ticket = await bot.tickets.get(opened[0].id)
        assert ticket is not None and ticket.priority == 1


async def test_a_deposit_ticket_has_the_half_hour_target_of_its_intake_category(
    tmp_path, clock
) -> None:
    """The default targets are keyed by the categories the intake gives tickets."""
    bot = App(
        parse_config(
            {"database": {"url": f"sqlite:///{tmp_path / 'bot.db'}"}, "server": {"port": 0}}
        ),
        clock=clock,
    )
    staff = RecordingChannel("staffroom")
    bot.channels["staffroom"] = staff
    async with bot:
        assert bot.pipeline is not None and bot.sender is not None
        assert bot.outbox is not None
        bot.outbox.staff_chats = (StaffChat("staffroom", "desk"),)
        user = {"channel": "staffroom", "chat_id": "u1", "sender_id": "u1"}
        await bot.pipeline.dispatch(message("/ticket", **user))
        await bot.pipeline.dispatch(message("", callback="intake:category:deposit_missing", **user))
        await bot.sender.drain()
        staff.sent.clear()
        clock.advance(24 * 60)  # 80% of 30 minutes
        assert await sweep_sla() == 1
        await bot.sender.drain()
        (alert,) = [a.text for a in staff.sent if isinstance(a, Reply) and a.chat_id == "desk"]
        assert "(deposit_missing," in alert and "target is 30 min" in alert


async def test_schedules_are_stored_and_survive_a_restart(tmp_path, clock) -> None:
    async with App(config(tmp_path), clock=clock) as bot:
        assert bot.scheduler is not None and bot.scheduler.running
    runner = CliRunner()
    path = tmp_path / "c.toml"
    path.write_text(f"[database]\nurl = 'sqlite:///{tmp_path / 'bot.db'}'\n")
    result = runner.invoke(cli, ["jobs", "--config", str(path)])
    assert result.exit_code == 0, result.output
    assert "sla-sweep" in result.output and "blocklist-refresh" in result.output
    async with App(config(tmp_path), clock=clock) as bot:  # started again: the same one job
        assert bot.scheduler is not None
        assert sorted(j.id for j in bot.scheduler._scheduler.get_jobs()) == [
            "blocklist-refresh",
            "reminders",
            "sla-sweep",
            "surge-sweep",
        ]


async def test_one_process_runs_the_jobs_and_another_takes_over(db_url: str) -> None:

    from scheduler.service import Scheduler
    from storage.engine import make_engine

    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite serves one process: there is no lock to hand over")
    jobs = [(sweep_sla, {"id": "sla-sweep", "trigger": "interval", "seconds": 60})]
    first_engine, second_engine = make_engine(db_url), make_engine(db_url)
    first = Scheduler(first_engine, jobs, retry_lock_seconds=0.1)
    second = Scheduler(second_engine, jobs, retry_lock_seconds=0.1)
    await first.start()
    await second.start()
    assert first.running and not second.running
    await first.stop()
    for _ in range(100):
        if second.running:
            break
        await asyncio.sleep(0.05)
    assert second.running
    await second.stop()
    first_engine.dispose()
    second_engine.dispose()


async def test_a_stopped_leader_hands_over_however_busy_the_machine_is(db_url: str) -> None:
    """On a busy machine the lock's connection used to go back to the pool only after
    APScheduler's job store had disposed that pool, and there it held the lock until
    the garbage collector found it: the standby never took over. The slow check-in
    here makes that order certain."""
    import time

    from sqlalchemy import event

    from scheduler.service import Scheduler
    from storage.engine import make_engine
    from tests.builders import eventually

    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite serves one process: there is no lock to hand over")
    jobs = [(sweep_sla, {"id": "sla-sweep", "trigger": "interval", "seconds": 60})]
    first_engine, second_engine = make_engine(db_url), make_engine(db_url)
    event.listen(first_engine.pool, "checkin", lambda *_: time.sleep(0.05))
    first = Scheduler(first_engine, jobs)
    second = Scheduler(second_engine, jobs, retry_lock_seconds=0.05)
    await first.start()
    await second.start()
    assert first.running and not second.running
    await first.stop()
    await eventually(lambda: _value(second.running), bool)
    assert second.running
    await second.stop()
    first_engine.dispose()
    second_engine.dispose()


async def test_a_standby_that_cannot_reach_the_database_keeps_trying(
    db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    from sqlalchemy.exc import OperationalError

    from scheduler.service import Scheduler
    from storage.engine import make_engine
    from tests.builders import eventually

    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite serves one process: there is no lock to hand over")
    jobs = [(sweep_sla, {"id": "sla-sweep", "trigger": "interval", "seconds": 60})]
    first_engine, second_engine = make_engine(db_url), make_engine(db_url)
    first = Scheduler(first_engine, jobs)
    second = Scheduler(second_engine, jobs, retry_lock_seconds=0.05)
    await first.start()
    await second.start()
    assert first.running and not second.running
    take_lock, failures = second._take_lock, [0]

    def once_unreachable() -> bool:
        if not failures[0]:
            failures[0] += 1
            raise OperationalError("SELECT 1", {}, Exception("too many clients already"))
        return take_lock()

    second._take_lock = once_unreachable  # type: ignore[method-assign]
    await eventually(lambda: _value(failures[0]), bool)
    await first.stop()
    await eventually(lambda: _value(second.running), bool)
    assert second.running
    assert "could not try the lock" in caplog.text
    await second.stop()
    first_engine.dispose()
    second_engine.dispose()


async def test_schemas_sharing_a_database_each_have_a_leader(db_url: str) -> None:
    """Deployments (or test runs) in separate schemas of one database have separate
    jobs: the leader of one does not keep the other's jobs from running."""
    import uuid

    from sqlalchemy import create_engine, make_url, text

    from scheduler.service import Scheduler
    from storage.engine import make_engine

    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite serves one process: there is no lock to hand over")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(db_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    other_url = make_url(db_url).update_query_dict({"options": f"-csearch_path={schema}"})
    jobs = [(sweep_sla, {"id": "sla-sweep", "trigger": "interval", "seconds": 60})]
    engine, other_engine = make_engine(db_url), make_engine(other_url.render_as_string(False))
    ours, theirs = Scheduler(engine, jobs), Scheduler(other_engine, jobs)
    try:
        await ours.start()
        await theirs.start()
        assert ours.running and theirs.running
    finally:
        await ours.stop()
        await theirs.stop()
        engine.dispose()
        other_engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


async def _value(value: T) -> T:
    return value


async def test_block_lists_are_read_again_by_the_scheduler(tmp_path, clock) -> None:
    from scheduler.blocklists import refresh_blocklists
    from scheduler.runtime import current

    listed = tmp_path / "phishing.txt"
    listed.write_text("bad-one.com\n")
    cfg = config(tmp_path).model_copy(
        update={
            "guard": config(tmp_path).guard.model_copy(update={"blocklist_paths": [str(listed)]})
        }
    )
    async with App(cfg, clock=clock):
        (guard,) = current().guards
        assert guard.blocklist.check("bad-one.com") is not None
        assert guard.blocklist.check("bad-two.com") is None
        listed.write_text("bad-one.com\nbad-two.com\n")
        assert await refresh_blocklists() == 1
        assert guard.blocklist.check("bad-two.com") is not None
        listed.unlink()  # a failed download: the lists in service stay
        assert await refresh_blocklists() == 0
        assert guard.blocklist.check("bad-two.com") is not None


async def test_a_snoozed_ticket_is_not_chased_until_it_wakes(tmp_path, clock) -> None:
    from storage.queue import QueueStore

    bot = App(config(tmp_path), clock=clock)
    bot.channels["staffroom"] = RecordingChannel("staffroom")
    async with bot:
        assert bot.pipeline is not None and bot.tickets is not None and bot.store is not None
        assert bot.outbox is not None
        bot.outbox.staff_chats = (StaffChat("staffroom", "desk"),)
        await bot.pipeline.dispatch(
            message("/ticket deposit missing", channel="staffroom", chat_id="u1", sender_id="u1")
        )
        (ticket,) = await bot.tickets.list(SUPERVISOR, clock())
        await bot.tickets.update_fields(ticket.id, category="deposit_missing")
        await QueueStore(bot.store).snooze(ticket.id, clock() + timedelta(minutes=30))
        clock.advance(20 * 60)  # past its 10-minute target, but an agent said it may wait
        assert await sweep_sla() == 0
        clock.advance(15 * 60)  # the snooze is over: now it is late
        assert await sweep_sla() == 1
