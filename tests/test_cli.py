"""The command line: configuration errors, ``check-config``, ``db upgrade`` and ``ask``."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bots.cli import app
from bots.config import Config, ConfigError, Section, load_config

runner = CliRunner()
EXAMPLE = Path(__file__).parent.parent / "config.example.toml"


def write(tmp_path: Path, body: str | bytes) -> Path:
    path = tmp_path / "config.toml"
    path.write_bytes(body if isinstance(body, bytes) else body.encode())
    return path


def test_the_example_config_is_valid() -> None:
    result = runner.invoke(app, ["check-config", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    assert "ok" in result.output


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ("[bot]\nbrandname = 'x'\n", "bot.brandname: unknown key"),
        ("[server]\nport = 'eighty'\n", "server.port"),
        ("[server]\nport = 70000\n", "server.port"),
        ("[webchat]\nenabled = 'yes please'\n", "webchat.enabled"),
        ("[bot]\nlanguages = ['en']\ndefault_language = 'de'\n", "default_language 'de'"),
        ("[bot\n", "not valid TOML"),
        (b"[bot]\nbrand = '\xff'\n", "not UTF-8"),
        ("[telegraph]\nenabled = true\n", "telegraph: unknown key"),
        ("[logging]\nformat = 'xml'\n", "logging.format: Input should be 'console' or 'json'"),
        ("[metrics]\ntoken = 'abc'\n", "metrics.token: unknown key"),
        ("[redis]\nurl = 'http://127.0.0.1:6379'\n", "redis.url: must be a redis://"),
        ("[redis]\nprefix = ''\n", "redis.prefix: must be a non-empty word"),
        ("[redis]\nhost = '127.0.0.1'\n", "redis.host: unknown key"),
        ("[discord]\nguild_ready_timeout = 0\n", "discord.guild_ready_timeout"),
        ("[discord]\nguild_ready_timeout = 'soon'\n", "discord.guild_ready_timeout"),
        ("[discord]\nguild_ready_timeout = 600\n", "discord.guild_ready_timeout"),
        (
            "[tickets]\nfirst_response_minutes = { default = 60, deposits = 30 }\n",
            "tickets.first_response_minutes: unknown ticket category 'deposits'",
        ),
    ],
)
def test_a_bad_config_is_one_line_naming_the_key_and_exit_2(tmp_path, body, named) -> None:
    result = runner.invoke(app, ["check-config", str(write(tmp_path, body))])
    assert result.exit_code == 2
    assert named in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_a_bad_redis_url_is_named_but_never_echoed(tmp_path) -> None:
    body = "[redis]\nurl = 'https://:hunter2-secret@cache.internal:6379'\n"
    result = runner.invoke(app, ["check-config", str(write(tmp_path, body))])
    assert result.exit_code == 2 and "redis.url" in result.output
    assert "hunter2" not in result.output  # a URL may carry a password


def test_the_passwords_in_the_files_urls_are_masked_in_the_logs(tmp_path) -> None:
    from bots.cli import _secrets

    body = "[redis]\nurl = 'redis://:hunter2%40secret@cache.internal:6379/0'\n"
    config = load_config(write(tmp_path, body), environ={})
    assert {"hunter2%40secret", "hunter2@secret"} <= set(_secrets(config))
    assert config.redis.prefix == "socialdesk"


def test_the_redis_password_comes_from_the_environment_and_is_masked(tmp_path) -> None:
    from bots.cli import _secrets

    body = "[redis]\nurl = 'redis://cache.internal:6380/2'\n"
    config = load_config(write(tmp_path, body), environ={})
    environ = {"SOCIALDESK_REDIS_PASSWORD": "p@ss word"}
    url = config.redis.connection_url(environ)
    assert url == "redis://:p%40ss%20word@cache.internal:6380/2"
    assert config.redis.connection_url({}) == "redis://cache.internal:6380/2"  # none set
    sock = config.redis.model_copy(update={"url": "unix:///run/redis.sock?db=1"})
    assert sock.connection_url(environ) == "unix:///run/redis.sock?db=1&password=p%40ss%20word"
    os.environ["SOCIALDESK_REDIS_PASSWORD"] = "p@ss word"
    try:
        assert "p@ss word" in _secrets(config)  # what log lines are scrubbed of
    finally:
        del os.environ["SOCIALDESK_REDIS_PASSWORD"]


def test_without_a_redis_section_the_bot_is_one_process() -> None:
    assert load_config(EXAMPLE, environ={}).redis.url is None


def test_a_missing_config_file_is_exit_2(tmp_path) -> None:
    result = runner.invoke(app, ["check-config", str(tmp_path / "nope.toml")])
    assert result.exit_code == 2 and "cannot read" in result.output


def test_an_enabled_section_needs_its_secret_from_the_environment() -> None:
    class Chat(Section):
        enabled: bool = False
        token_env: str = "SOCIALDESK_CHAT_TOKEN"

    class WithChat(Config):
        chat: Chat = Chat()

    WithChat(chat=Chat(enabled=True)).check_secrets({"SOCIALDESK_CHAT_TOKEN": "t"})
    with pytest.raises(ConfigError, match=r"chat\.token_env: .*SOCIALDESK_CHAT_TOKEN is not set"):
        WithChat(chat=Chat(enabled=True)).check_secrets({})
    WithChat().check_secrets({})  # disabled: nothing needed


def test_db_upgrade_creates_the_sqlite_file_and_folder(tmp_path) -> None:
    db = tmp_path / "var" / "bot.db"
    config = write(tmp_path, f"[database]\nurl = 'sqlite:///{db}'\n")
    result = runner.invoke(app, ["db", "upgrade", "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert db.exists() and "revision" in result.output


def test_ask_json_prints_the_documented_shape() -> None:
    result = runner.invoke(app, ["ask", "--config", str(EXAMPLE), "--json", "hello"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert set(out) >= {
        "language",
        "intent",
        "refs",
        "reply",
        "actions",
        "scam",
        "handoff",
        "confidence",
    }
    assert out["language"] == "en" and out["intent"] == "greeting" and out["refs"] == []
    assert out["scam"] == {"verdict": "clean", "reasons": [], "evidence": []}
    assert out["actions"][0]["type"] == "reply" and out["handoff"] is False
    assert "support assistant" in out["reply"]


def test_ask_honours_lang_and_chat_options() -> None:
    result = runner.invoke(app, ["ask", "--json", "--lang", "de", "--chat", "group", "ok"])
    out = json.loads(result.stdout)
    assert out["language"] == "de"


def test_ask_input_answers_every_line_in_order(tmp_path) -> None:
    lines = [
        json.dumps({"text": "hello"}),
        json.dumps({"text": "你好", "user": "u2"}),
        json.dumps({"text": "xin chào, tôi cần giúp đỡ", "chat": "group"}),
        json.dumps({"text": 42}),
        "",
        "{broken",
    ]
    path = tmp_path / "in.jsonl"
    path.write_bytes(("\n".join(lines) + "\n").encode() + b'{"text": "\xff"}\n')
    result = runner.invoke(app, ["ask", "--input", str(path)])
    outs = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o.get("language") for o in outs[:3]] == ["en", "zh", "vi"]
    assert outs[3] == {"line": 4, "error": "text: a string is required"}
    assert outs[4]["line"] == 6 and outs[5]["line"] == 7 and "UTF-8" in outs[5]["error"]
    assert result.exit_code == 1


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["ask", "--at", "yesterday", "hi"], "--at"),
        (["ask", "--chat", "channel", "hi"], "--chat"),
        (["ask"], "TEXT or --input"),
        (["ask", "--input", "/nonexistent/file.jsonl"], "--input"),
        (["run", "--log-level", "loud"], "--log-level"),
    ],
)
def test_bad_arguments_exit_2_naming_the_option(args, named) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert named in result.output


def test_ask_at_sets_the_clock() -> None:
    result = runner.invoke(app, ["ask", "--json", "--at", "2026-12-01T10:00:00Z", "hello"])
    assert result.exit_code == 0, result.output


def test_load_config_defaults_need_no_file() -> None:
    config = load_config(None, environ={})
    assert config.webchat.enabled and config.database.url.startswith("sqlite:///var/")


def test_without_a_file_every_command_reads_the_examples_values() -> None:
    assert load_config(None, environ={}) == load_config(EXAMPLE, environ={})


def test_ask_without_a_config_file_names_the_official_handles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no config.toml here
    result = runner.invoke(app, ["ask", "--json", "/verify @exampIe"])
    assert result.exit_code == 0, result.output
    reply = json.loads(result.output)["reply"]
    assert "NOT official" in reply and "@example, @example_support" in reply


def test_agents_link_a_telegram_account_once(tmp_path: Path) -> None:
    config = write(tmp_path, f"[database]\nurl = 'sqlite:///{tmp_path / 'cli.db'}'\n")
    for name in ("ana", "ben"):
        assert runner.invoke(app, ["agents", "add", name, "--config", str(config)]).exit_code == 0
    linked = runner.invoke(
        app, ["agents", "link", "ana", "--telegram-user-id", "501", "--config", str(config)]
    )
    assert linked.exit_code == 0 and "linked to Telegram user 501" in linked.output
    taken = runner.invoke(
        app, ["agents", "link", "ben", "--telegram-user-id", "501", "--config", str(config)]
    )
    assert taken.exit_code == 1 and "another agent" in taken.output
    nobody = runner.invoke(
        app, ["agents", "link", "zed", "--telegram-user-id", "9", "--config", str(config)]
    )
    assert nobody.exit_code == 1 and "no agent called 'zed'" in nobody.output
    bad = runner.invoke(
        app, ["agents", "link", "ben", "--telegram-user-id", "@ben", "--config", str(config)]
    )
    assert bad.exit_code == 2
    neither = runner.invoke(app, ["agents", "link", "ben", "--config", str(config)])
    assert neither.exit_code == 2 and "--discord-user-id" in neither.output
    discord = runner.invoke(
        app, ["agents", "link", "ben", "--discord-user-id", "601", "--config", str(config)]
    )
    assert discord.exit_code == 0 and "linked to Discord user 601" in discord.output
    tiered = runner.invoke(app, ["agents", "add", "ted", "--tier", "4", "--config", str(config)])
    assert tiered.exit_code == 2  # tiers are 1 to 3
