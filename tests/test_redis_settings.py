"""``[redis]``: a bad URL is one line naming ``redis.url`` (exit 2), its password is
never shown (errors, ``check-config``, logs), and a bot configured with it shares its
limits there and still answers when Redis stops answering."""

from __future__ import annotations

import io
import logging
import socket
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp
import pytest
from typer.testing import CliRunner

from bots.app import App
from bots.cli import _secrets, app
from bots.config import parse_config
from bots.logs import setup_logging
from bots.redis_shared import redis_shared
from channels.base import RateRule
from handlers.shared_flood import SharedFloodGate
from handlers.shared_limits import SharedRateLimits
from tests.builders import bot_config
from tests.conftest import RedisSpace
from tests.fakes.recording import RecordingChannel
from tests.fakes.tcp_link import TcpLink
from tests.webchat_client import chat_socket, next_frame

PASSWORD = "hunter2-Very-Secret"
runner = CliRunner()


def write(tmp_path: Path, url: str, prefix: str = "socialdesk") -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f"[redis]\nurl = {url!r}\nprefix = {prefix!r}\n")
    return path


def clock() -> datetime:  # the wall clock, as a running bot has it
    return datetime.now(UTC)


def port_nobody_listens_on() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize(
    ("url", "named"),
    [
        (f"http://admin:{PASSWORD}@cache:6379/0", "redis.url: must be a redis://"),
        (f"redis://:{PASSWORD}@cache:99999/0", "redis.url: the port"),
        (f"redis://:{PASSWORD}@cache:6379/zero", "redis.url: the path must be the database"),
        (f"redis://:{PASSWORD}@/0", "redis.url: needs a host"),
    ],
)
def test_a_bad_url_is_one_line_naming_the_key_without_its_password(
    tmp_path: Path, url: str, named: str
) -> None:
    result = runner.invoke(app, ["check-config", str(write(tmp_path, url))])
    assert result.exit_code == 2
    assert named in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert PASSWORD not in result.output


def test_an_empty_prefix_is_refused(tmp_path: Path) -> None:
    result = runner.invoke(app, ["check-config", str(write(tmp_path, "redis://h/0", ""))])
    assert result.exit_code == 2 and "redis.prefix" in result.output


def test_check_config_shows_where_limits_are_shared_but_not_the_password(tmp_path: Path) -> None:
    url = f"redis://bot:{PASSWORD}@cache.internal:6379/2"
    result = runner.invoke(app, ["check-config", str(write(tmp_path, url))])
    assert result.exit_code == 0, result.output
    assert "redis://bot:***@cache.internal:6379/2" in result.output
    assert PASSWORD not in result.output
    assert PASSWORD not in repr(parse_config({"redis": {"url": url}}))


@pytest.fixture
def log_lines(restore_logging: None) -> io.StringIO:
    """The bot's JSON log lines, with NO secret mask: what is asserted absent below is
    absent because nothing logs it, not because it was masked."""
    out = io.StringIO()
    setup_logging("info", [], "json", stream=out)
    return out


async def test_the_password_is_never_logged_when_redis_refuses_or_is_gone(
    log_lines: io.StringIO,
) -> None:
    url = f"redis://bot:{PASSWORD}@127.0.0.1:{port_nobody_listens_on()}/0"
    config = parse_config({"redis": {"url": url}})
    rules = (RateRule("chat", 5, 1.0),)
    shared = redis_shared(config, {"rec": RecordingChannel("rec", rate_limits=rules)}, clock)
    assert shared is not None
    try:
        await shared.limiter.acquire("rec", "a")  # a send still goes, by local limits
        await shared.limiter.pause("rec", "a", 1.0)
        assert await shared.flood.admit(("rec", "a", "u"), 1000.0) == (True, False)
    finally:
        await shared.close()
    lines = log_lines.getvalue()
    assert "redis://bot:***@127.0.0.1" in lines  # where, said once at start
    assert "rate limits: the shared store failed" in lines
    assert "flood counters: the shared store failed" in lines
    assert PASSWORD not in lines and PASSWORD.lower() not in lines.lower()


async def test_a_wrong_password_is_not_logged_either(
    redis_space: RedisSpace, log_lines: io.StringIO
) -> None:
    parts = urlsplit(redis_space.url)
    url = parts._replace(netloc=f"bot:{PASSWORD}@{parts.netloc}").geturl()
    shared = redis_shared(
        parse_config({"redis": {"url": url, "prefix": redis_space.prefix}}), {}, clock
    )
    assert shared is not None
    try:
        await shared.limiter.acquire("rec", "a")
    finally:
        await shared.close()
    lines = log_lines.getvalue()
    assert "rate limits: the shared store failed" in lines
    assert PASSWORD not in lines


@pytest.mark.usefixtures("restore_logging")
def test_a_library_quoting_the_url_in_a_log_line_is_masked() -> None:
    config = parse_config({"redis": {"url": f"redis://:{PASSWORD}@cache:6379/0"}})
    out = io.StringIO()
    setup_logging("info", _secrets(config), "json", stream=out)
    logging.getLogger("redis.connection").warning("cannot reach %s", config.redis.url)
    assert "redis://:***@cache:6379/0" in out.getvalue()
    assert PASSWORD not in out.getvalue()


async def test_a_bot_on_redis_answers_before_and_after_redis_stops_answering(
    redis_space: RedisSpace, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    target = urlsplit(redis_space.url)
    async with TcpLink(target.hostname or "127.0.0.1", target.port or 6379) as proxy:
        url = f"redis://127.0.0.1:{proxy.port}{target.path}"
        redis = {"url": url, "prefix": redis_space.prefix}
        async with (
            App(bot_config(tmp_path, redis=redis)) as bot,
            aiohttp.ClientSession() as http,
            chat_socket(http, bot.url) as ws,
        ):
            assert bot.sender is not None and bot.pipeline is not None
            assert isinstance(bot.sender.limiter, SharedRateLimits)
            assert isinstance(bot.pipeline.flood, SharedFloodGate)
            await ws.send_json({"type": "message", "id": "m1", "text": "hello"})
            assert (await next_frame(ws, "reply"))["text"]
            assert not bot.sender.limiter.fallback.down

            await proxy.cut()
            await ws.send_json({"type": "message", "id": "m2", "text": "hello again"})
            assert (await next_frame(ws, "reply"))["text"]  # no reply lost to Redis
            assert bot.sender.limiter.fallback.down
    unreachable = [r for r in caplog.records if "the shared store failed" in r.getMessage()]
    # once for the limits, once for the flood counters: not once per message
    assert sorted(r.getMessage().split(":")[0] for r in unreachable) == [
        "flood counters",
        "rate limits",
    ]
