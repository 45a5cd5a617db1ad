"""``socialdesk broadcast``: what a community manager types and sees."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from bots.cli import app
from tests.broadcasts.support import write_notice

runner = CliRunner()


@pytest.fixture
def cfg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOCIALDESK_TELEGRAM_TOKEN", "123456:TEST")
    monkeypatch.setenv("SOCIALDESK_DISCORD_TOKEN", "discord-test-token")
    path = tmp_path / "config.toml"
    path.write_text(
        f"""
[database]
url = "sqlite:///{tmp_path / "bot.db"}"
[bot]
languages = ["en", "de", "vi"]
[telegram]
enabled = true
[discord]
enabled = true
[broadcasts]
require_approval = true
"""
    )
    for name, role in (("mia", "manager"), ("leo", "manager"), ("ana", "admin"), ("sam", "agent")):
        result = runner.invoke(app, ["agents", "add", name, "--role", role, "-c", str(path)])
        assert result.exit_code == 0, result.output
    return path


def cli(cfg: Path, *args: str) -> Any:
    return runner.invoke(app, ["broadcast", *args, "-c", str(cfg)])


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"text": {"de": "Nur Deutsch"}}, "text: an English text (en) is required"),
        ({"titel": "x"}, "titel: unknown field"),
        ({"targets": {"slack": ["#general"]}}, "targets.slack: unknown target"),
        ({"text": {"en": "hi", "xx": "?"}}, "text: unknown language 'xx'"),
        (
            {"send_at": datetime(2020, 1, 1, tzinfo=UTC)},
            "send_at: 2020-01-01T00:00:00+00:00 is in the past",
        ),
        (
            {"text": {"en": "a" * 1990}, "targets": {"discord": [{"chat": "3000"}]}},
            "over Discord's limit of 2000 for a channel post",
        ),
        ({"targets": {"x": True}}, "targets.x: the X channel is not enabled on this bot"),
        ({"targets": {"telegram": [{"chat": "general"}]}}, "targets.telegram.0.chat"),
        ({"buttons": [{"label": "Go", "url": "http://x.example"}]}, "buttons.0.url"),
    ],
)
def test_a_bad_notice_is_one_line_naming_the_field_and_exit_2(
    cfg: Path, tmp_path: Path, fields: dict[str, Any], named: str
) -> None:
    result = cli(cfg, "create", str(write_notice(tmp_path, **fields)), "--by", "mia")
    assert result.exit_code == 2, result.output
    assert named in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_the_exact_limit_is_named_when_a_discord_post_is_too_long(
    cfg: Path, tmp_path: Path
) -> None:
    notice = write_notice(
        tmp_path, text={"en": "a" * 1990}, targets={"discord": [{"chat": "3000"}]}
    )
    result = cli(cfg, "create", str(notice), "--by", "mia")
    assert "text.en: " in result.output and "limit of 2000" in result.output
    size = int(result.output.split("text.en: ")[1].split()[0])
    assert size > 2000  # the footer counts: what Discord would receive


def test_a_missing_language_falls_back_to_english_and_preview_says_so(
    cfg: Path, tmp_path: Path
) -> None:
    notice = write_notice(tmp_path, targets={"telegram": [{"chat": "-1001", "language": "vi"}]})
    created = cli(cfg, "create", str(notice), "--by", "mia")
    assert created.exit_code == 0, created.output
    assert "no text in vi" in created.output and "English" in created.output
    preview = cli(cfg, "preview", "1")
    assert preview.exit_code == 0, preview.output
    assert "no text in vi" in preview.output
    assert "telegram chat [vi]" in preview.output and "NOVA lists on 1 December." in preview.output


def test_approval_by_a_second_manager_then_send_and_report(cfg: Path, tmp_path: Path) -> None:
    notice = write_notice(tmp_path, targets={"telegram": [{"chat": "-1001", "language": "de"}]})
    created = cli(cfg, "create", str(notice), "--by", "mia")
    assert created.exit_code == 0 and "needs a second manager" in created.output
    short = created.output.split("(")[1].split(")")[0]
    refused = cli(cfg, "send", short)
    assert refused.exit_code == 1 and "approval" in refused.output
    own = cli(cfg, "approve", short, "--by", "mia")
    assert own.exit_code == 1 and "not the creator" in own.output
    agent = cli(cfg, "approve", short, "--by", "sam")
    assert agent.exit_code == 2 and "--by: 'sam' is not a manager" in agent.output
    ok = cli(cfg, "approve", short, "--by", "leo")
    assert ok.exit_code == 0 and "approved by leo" in ok.output
    late = cli(cfg, "approve", short, "--by", "ana")
    assert late.exit_code == 1 and "approved by leo" in late.output
    sent = cli(cfg, "send", short)
    assert sent.exit_code == 0 and "1 message(s) queued" in sent.output
    again = cli(cfg, "send", short)
    assert again.exit_code == 1 and "sent already" in again.output
    status = cli(cfg, "status", short, "--no-watch")
    assert status.exit_code == 0, status.output
    assert "0/1 recipient(s) finished" in status.output and "telegram" in status.output
    listed = cli(cfg, "list")
    assert short in listed.output and "sending" in listed.output


def test_send_at_a_time_is_a_stored_job_and_cancel_removes_the_send(
    cfg: Path, tmp_path: Path
) -> None:
    notice = write_notice(tmp_path, targets={"telegram": [{"chat": "-1001"}]})
    cli(cfg, "create", str(notice), "--by", "mia")
    cli(cfg, "approve", "1", "--by", "leo")
    past = cli(cfg, "send", "1", "--at", "2020-01-01T00:00:00Z")
    assert past.exit_code == 2 and "is in the past" in past.output
    naive = cli(cfg, "send", "1", "--at", "2030-01-01T00:00:00")
    assert naive.exit_code == 2 and "time zone" in naive.output
    at = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0).isoformat()
    scheduled = cli(cfg, "send", "1", "--at", at)
    assert scheduled.exit_code == 0 and "scheduled" in scheduled.output
    jobs = runner.invoke(app, ["jobs", "-c", str(cfg)], env={"COLUMNS": "200"})
    assert "broadcast-1" in jobs.output and "broadcast 1: NOVA listing" in jobs.output
    cancelled = cli(cfg, "cancel", "1")
    assert cancelled.exit_code == 0
    assert "cancelled" in cli(cfg, "list").output
    jobs = runner.invoke(app, ["jobs", "-c", str(cfg)], env={"COLUMNS": "200"})
    assert "broadcast-1" not in jobs.output


def test_an_unknown_broadcast_is_exit_1(cfg: Path) -> None:
    result = cli(cfg, "status", "N-ZZZZZZ")
    assert result.exit_code == 1 and "no broadcast N-ZZZZZZ" in result.output


def test_piped_tables_keep_every_value_whole(cfg: Path, tmp_path: Path) -> None:
    """``socialdesk jobs | grep`` and ``broadcast list | cut`` see whole values: a
    tab-separated line per row, nothing cut to a terminal's width."""
    title = "NOVA listing on 1 December, with the deposit and withdrawal times of every network"
    notice = write_notice(tmp_path, title=title, targets={"telegram": [{"chat": "-1001"}]})
    cli(cfg, "create", str(notice), "--by", "mia")
    cli(cfg, "approve", "1", "--by", "leo")
    at = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0).isoformat()
    assert cli(cfg, "send", "1", "--at", at).exit_code == 0
    narrow = {"COLUMNS": "60"}
    listed = runner.invoke(app, ["broadcast", "list", "-c", str(cfg)], env=narrow)
    header, row = listed.output.splitlines()
    assert header.split("\t")[:4] == ["#", "id", "title", "status"]
    assert row.split("\t")[2:4] == [title, "scheduled"]
    jobs = runner.invoke(app, ["jobs", "-c", str(cfg)], env=narrow)
    (broadcast,) = [line for line in jobs.output.splitlines() if line.startswith("broadcast-1\t")]
    assert broadcast.split("\t")[1] == f"broadcast 1: {title}"
