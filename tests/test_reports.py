"""Reports: ``socialdesk report`` and ``GET /api/reports`` on a seeded day of support.

The figures are worked by hand in ``tests/report_history.py``; the command line runs
as a person runs it (a process of its own, on SQLite and on PostgreSQL), and the API
answers supervisors the same JSON and refuses everyone else.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import create_engine, insert

from bots.api import token_hash
from bots.app import App, system_clock
from storage.migrate import upgrade
from storage.reports import INCIDENT, ReportStore
from storage.store import Store
from tests.builders import bot_config
from tests.report_history import DAY, EXPECTED, SINCE, UNTIL, at, seed

ROOT = Path(__file__).resolve().parent.parent


def socialdesk(tmp_path: Path, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """The command line in a process of its own, on the database at ``url``."""
    config = tmp_path / "config.toml"
    config.write_text(f"[database]\nurl = {json.dumps(url)}\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "bots.cli", *args, "--config", str(config)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )


def test_report_json_prints_the_figures_worked_by_hand(db_url: str, tmp_path: Path) -> None:
    seed(db_url)
    result = socialdesk(tmp_path, db_url, "report", "--since", SINCE, "--until", UNTIL, "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == EXPECTED


def test_report_tables_say_the_same_for_a_person(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    upgrade(url)
    seed(url)
    result = socialdesk(tmp_path, url, "report", "--since", SINCE, "--until", UNTIL)
    assert result.returncode == 0, result.stderr
    rows = {tuple(line.split("\t")) for line in result.stdout.splitlines()}  # piped: TSV
    assert ("first response", "5m 00s", "1h 00m", "5") in rows
    assert ("resolution", "59m 00s", "3h 00m", "4") in rows
    assert ("satisfaction (1-5)", "3.00") in rows
    assert ("bot resolved share", "25%") in rows
    assert ("tickets by category", "deposit_missing", "3") in rows
    assert ("09:00", "1", "2") in rows  # one message and two tickets that hour
    assert ("ana", "2", "2", "2m 00s", "1h 00m", "3.50 (2)") in rows
    assert ("#6", "1", "sue", "Wrong answer") in rows


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--since", "2026-13-01"], "--since: not an ISO date or date-time"),
        (["--until", "yesterday"], "--until: not an ISO date or date-time"),
        (["--since", "2026-11-03", "--until", "2026-11-01"], "--since: the window must start"),
    ],
)
def test_a_bad_date_is_one_line_naming_the_option_and_exit_2(
    tmp_path: Path, args: list[str], named: str
) -> None:
    result = socialdesk(tmp_path, f"sqlite:///{tmp_path / 'bot.db'}", "report", *args)
    assert result.returncode == 2
    assert named in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


async def test_incidents_opened_and_resolved_in_the_window_are_counted(db_url: str) -> None:
    seed(db_url)
    store = Store.open(db_url)
    try:
        before = await ReportStore(store).report(DAY, DAY + timedelta(days=1))
        assert (before.incidents_opened, before.incidents_resolved) == (0, 0)
        engine = create_engine(db_url)
        incident = {"title": "t", "texts": {"en": "x"}, "faqs": [], "networks": [], "coins": []}
        with engine.begin() as conn:
            conn.execute(
                insert(INCIDENT),
                [
                    {
                        **incident,
                        "opened_by": "sue",
                        "opened_at": at("09:40"),
                        "status": "resolved",
                        "resolved_at": at("11:00"),
                    },  # both
                    {
                        **incident,
                        "opened_by": "sue",
                        "opened_at": at("22:00", day=-1),
                        "status": "resolved",
                        "resolved_at": at("01:00"),
                    },  # resolved
                    {
                        **incident,
                        "opened_by": "sue",
                        "opened_at": at("23:50"),
                        "status": "open",
                        "resolved_at": None,
                    },  # opened, still open
                    {
                        **incident,
                        "opened_by": "sue",
                        "opened_at": at("02:00", day=1),
                        "status": "open",
                        "resolved_at": None,
                    },  # after
                ],
            )
        engine.dispose()
        after = await ReportStore(store).report(DAY, DAY + timedelta(days=1))
        assert (after.incidents_opened, after.incidents_resolved) == (2, 2)
    finally:
        await store.close()


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[App]:
    config = bot_config(tmp_path)
    upgrade(config.database.url)
    seed(config.database.url)
    async with App(config) as app:
        assert app.tickets is not None
        for name, role in (("boss", "supervisor"), ("root", "admin"), ("amy", "agent")):
            await app.tickets.add_agent(name, role, token_hash(f"token-{name}"), system_clock())
        yield app


async def test_the_api_answers_supervisors_the_same_report(bot: App) -> None:
    url = f"{bot.url}/api/reports"
    window = {"since": SINCE, "until": UNTIL}
    async with aiohttp.ClientSession() as http:
        for name in ("boss", "root"):
            headers = {"Authorization": f"Bearer token-{name}"}
            async with http.get(url, params=window, headers=headers) as r:
                assert r.status == 200
                assert await r.json() == EXPECTED
        async with http.get(url, params=window, headers={"Authorization": "Bearer token-amy"}) as r:
            assert r.status == 403
            assert "supervisor" in (await r.json())["error"]
        async with http.get(url, params=window) as r:
            assert r.status == 401
        boss = {"Authorization": "Bearer token-boss"}
        async with http.get(url, params={"since": "2026-11-31"}, headers=boss) as r:
            assert r.status == 400
            assert (await r.json())["error"].startswith("since: not an ISO date")
        async with http.get(url, params={"from": SINCE}, headers=boss) as r:
            assert r.status == 400
        # a date-time is an instant: from noon on, T1 and T2 (opened at 9:00 and 9:30) are out
        noon = {"since": "2026-11-02T12:00:00Z", "until": "2026-11-03T00:00:00+00:00"}
        async with http.get(url, params=noon, headers=boss) as r:
            afternoon = await r.json()
        assert afternoon["volume"]["tickets"]["total"] == 4
        assert afternoon["since"] == "2026-11-02T12:00:00+00:00"
