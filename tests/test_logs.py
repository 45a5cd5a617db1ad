"""Log lines: one JSON object per line with ``[logging] format = "json"``, readable
lines with ISO-8601 times otherwise, and no secret in either, also from a running bot."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import re
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bots.logs import setup_logging
from tests.fakes.telegram import FakeTelegram

ROOT = Path(__file__).resolve().parents[1]
SECRET = "123456:TEST-very-secret"
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z ")


def emit() -> None:
    """What a client library and the bot log: a URL with the token, a long line, a
    failure whose text holds the token, and a traceback."""
    logging.getLogger("some.client").warning("POST https://api.example/bot%s/getMe", SECRET)
    logging.getLogger("bots.app").info("a long line %s", "x" * 200)
    logging.getLogger("some.client").warning("refused: %s", f"/bot{SECRET}/x".lower())
    try:
        raise RuntimeError(f"rejected {SECRET}")
    except RuntimeError:
        logging.getLogger("channels.x").exception("start failed")
    try:
        raise ValueError("plain failure")
    except ValueError:
        logging.getLogger("channels.x").exception("send failed")


@pytest.mark.usefixtures("restore_logging")
def test_json_lines_are_one_object_each_with_secrets_masked() -> None:
    out = io.StringIO()
    setup_logging("info", [SECRET], "json", stream=out)
    emit()
    lines = out.getvalue().splitlines()
    records = [json.loads(line) for line in lines]  # every line is one object
    assert len(records) == 5
    assert all({"timestamp", "level", "logger", "event"} <= set(r) for r in records)
    assert records[0]["event"] == "POST https://api.example/bot***/getMe"
    assert records[0]["level"] == "warning" and records[0]["logger"] == "some.client"
    assert records[2]["event"] == "refused: /bot***/x"  # in any letter case
    assert "exception text hidden" in records[3]["event"] and "exception" not in records[3]
    assert records[4]["exception"].endswith("ValueError: plain failure")
    assert ISO.match(records[0]["timestamp"] + " ")
    assert SECRET.lower() not in out.getvalue().lower()


@pytest.mark.usefixtures("restore_logging")
def test_console_lines_have_iso_times_are_not_wrapped_and_hide_secrets() -> None:
    out = io.StringIO()
    setup_logging("info", [SECRET], "console", stream=out)
    emit()
    text = out.getvalue()
    lines = text.splitlines()
    assert ISO.match(lines[0]) and "bot***/getMe" in lines[0]
    long = next(line for line in lines if "a long line" in line)
    assert "x" * 200 in long  # one line, however long
    assert "Traceback" in text and "ValueError: plain failure" in text
    assert "refused: /bot***/x" in text
    assert SECRET.lower() not in text.lower()


def config_file(tmp_path: Path, tg: FakeTelegram, vectors: Path) -> Path:
    config = tmp_path / "config.toml"
    config.write_text(
        f"""
[database]
url = "sqlite:///{tmp_path / "bot.db"}"
[server]
port = 0
[knowledge]
paths = ["{ROOT / "docs/knowledge/example.toml"}"]
embedding_cache = "{vectors}"
[logging]
format = "json"
[telegram]
enabled = true
base_url = "{tg.base_url}"
poll_timeout = 1
""",
        encoding="utf-8",
    )
    return config


class QuotingTelegram(FakeTelegram):
    """The fake Bot API, refusing messages to chat 8 with an error that quotes the
    request's URL, token and all (as a proxy in front of the Bot API may)."""

    async def _m_sendmessage(self, p: dict[str, Any]) -> tuple[int, Any]:
        if int(p["chat_id"]) == 8:
            return 400, f"Bad Request: no route for /bot{self.token}/sendMessage"
        return await super()._m_sendmessage(p)


@pytest.fixture
async def quoting(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeTelegram]:
    monkeypatch.setenv("SOCIALDESK_TELEGRAM_TOKEN", "123456:TEST")
    async with QuotingTelegram() as fake:
        yield fake


async def test_a_running_bot_logs_one_json_object_per_line_without_secrets(
    tmp_path: Path, vector_cache: Path, quoting: FakeTelegram
) -> None:
    tg = quoting
    config = config_file(tmp_path, tg, vector_cache)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    token = env["SOCIALDESK_TELEGRAM_TOKEN"]
    bot = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bots.cli",
        "run",
        "--config",
        str(config),
        "--log-level",
        "debug",
        cwd=tmp_path,
        env=env,
        stderr=asyncio.subprocess.PIPE,
    )
    assert bot.stderr is not None
    lines: list[str] = []
    try:
        async with asyncio.timeout(180):
            while not any("socialdesk is up" in line for line in lines):
                line = (await bot.stderr.readline()).decode()
                assert line, "the bot stopped:\n" + "".join(lines)
                lines.append(line)
        tg.private(8, "hello")  # its reply is refused, quoting the token
        tg.private(7, "hello")
        (reply,) = await tg.wait_sent(1, chat_id=7, within=30)
        assert reply["text"]
        async with asyncio.timeout(30):
            while not any("failed for good" in line for line in lines):
                lines.append((await bot.stderr.readline()).decode())
    finally:
        if bot.returncode is None:
            bot.send_signal(signal.SIGTERM)
        _, rest = await asyncio.wait_for(bot.communicate(), timeout=60)
    lines += rest.decode().splitlines()
    assert bot.returncode == 0
    records = [json.loads(line) for line in lines if line.strip()]
    assert all(isinstance(r, dict) and {"timestamp", "level", "event"} <= set(r) for r in records)
    assert any(r["logger"] == "telegram" or "telegram" in r["event"] for r in records)
    assert not any(token.lower() in line.lower() for line in lines)
    # the refusal that quoted the token was logged, masked (the adapter lowercases it)
    refused = [r["event"] for r in records if "failed for good" in r["event"]]
    assert refused and all("/bot***/sendmessage" in event for event in refused)
