"""The ``socialdesk`` command line.

Exit codes: 0 success, 1 a run-time failure, 2 bad arguments or configuration (the
key or option is named in a one-line message).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import unquote, urlsplit

import typer
from rich.console import Console

from bots.cli_config import ConfigOption, err, fail, read_config
from bots.config import Config
from channels import registry
from channels.base import ChannelStartError

app = typer.Typer(
    help="socialdesk: the support bot for a crypto exchange's social accounts.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
app.add_typer(db_app, name="db")
agents_app = typer.Typer(help="People who answer tickets.", no_args_is_help=True)
app.add_typer(agents_app, name="agents")


def _add_broadcasts() -> None:
    from bots.agents_cli import add_agent_commands
    from bots.broadcast_cli import broadcast_app
    from bots.incident_cli import incident_app
    from bots.kb_cli import kb_app
    from bots.report_cli import report

    add_agent_commands(agents_app)
    app.add_typer(broadcast_app, name="broadcast")
    app.add_typer(kb_app, name="kb")
    app.command("report")(report)
    app.add_typer(incident_app, name="incident")


def _secrets(config: Config) -> list[str]:
    """What no log line may show: the secret variables' values, and the passwords the
    file's URLs may hold (``database.url``, ``redis.url``)."""
    values = config.redis.secrets()  # its URL's query may hold the password too
    for name in type(config).model_fields:
        for key, value in getattr(config, name):
            if key.endswith("_env") and isinstance(value, str) and os.environ.get(value):
                values.append(os.environ[value])
            if key == "url" and isinstance(value, str):
                password = urlsplit(value).password
                if password:
                    values += [password, unquote(password)]
    return list(dict.fromkeys(values))


@app.command()
def run(
    config: ConfigOption = None,
    log_level: Annotated[str, typer.Option(help="debug, info, warning or error.")] = "info",
) -> None:
    """Start every enabled channel, the web server and the outbox."""
    from bots.app import App
    from bots.logs import setup_logging

    if log_level.lower() not in ("debug", "info", "warning", "error"):
        raise fail(f"--log-level: expected debug, info, warning or error, got {log_level!r}")
    cfg = read_config(config)
    setup_logging(log_level, _secrets(cfg), cfg.logging.format)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        async with App(cfg) as bot:
            if "web" in bot.channels and cfg.logging.format != "json":  # JSON: lines only
                err.print(f"Web chat: [bold]{bot.url}/chat[/]   (Ctrl+C stops)")
            await stop.wait()

    try:
        asyncio.run(main())
    except OSError as exc:
        raise fail(f"cannot start: {exc.strerror or exc}", code=1) from None
    except ChannelStartError as exc:
        raise fail(f"cannot start: {exc}", code=1) from None


@app.command("check-config")
def check_config(path: Annotated[Path, typer.Argument(help="The file to validate.")]) -> None:
    """Validate a configuration file (and the knowledge files it names) without
    starting anything."""
    from handlers.answers.knowledge import KnowledgeError, load_file

    cfg = read_config(path)
    for knowledge in cfg.knowledge.paths:
        try:
            load_file(knowledge)
        except KnowledgeError as exc:
            raise fail(f"{path}: knowledge.paths: {exc}") from None
    enabled = [n for n in type(cfg).model_fields if getattr(getattr(cfg, n), "enabled", False)]
    shared = cfg.redis.masked_url()  # never the password
    scaled = f"; shared through Redis at {shared}" if shared else ""
    typer.echo(f"{path}: ok (enabled: {', '.join(enabled) or 'nothing'}{scaled})")


@db_app.command("upgrade")
def db_upgrade(config: ConfigOption = None) -> None:
    """Apply the database migrations (``run`` also does this on start)."""
    from storage.migrate import current, upgrade

    cfg = read_config(config)
    upgrade(cfg.database.url)
    typer.echo(f"database at revision {current(cfg.database.url)}")


@app.command()
def jobs(config: ConfigOption = None) -> None:
    """List the scheduled jobs stored in the database and when each runs next (whole
    values, tab-separated, when the output is not a terminal)."""
    from bots.tables import print_table
    from scheduler.service import list_jobs
    from storage.engine import make_engine
    from storage.migrate import upgrade

    cfg = read_config(config)
    upgrade(cfg.database.url)
    engine = make_engine(cfg.database.url)
    try:
        rows = list_jobs(engine)
    finally:
        engine.dispose()
    if not rows:
        typer.echo("no jobs stored yet: `socialdesk run` schedules them on start")
        return
    print_table(
        Console(),
        ("id", "job", "next run", "trigger"),
        [(r["id"], r["name"], str(r["next_run"]), r["trigger"]) for r in rows],
    )


@agents_app.command("add")
def agents_add(
    name: Annotated[str, typer.Argument(help="The agent's name, unique.")],
    role: Annotated[
        str,
        typer.Option(
            help="agent (tickets of their tier), supervisor (every ticket), manager "
            "(notices only, no tickets) or admin (everything)."
        ),
    ] = "agent",
    tier: Annotated[
        int, typer.Option(min=1, max=3, help="Highest support tier they take (1-3).")
    ] = 1,
    config: ConfigOption = None,
) -> None:
    """Create an agent and print their API token (shown once, stored only hashed)."""
    from bots.agents_api import new_token
    from bots.api import token_hash
    from bots.routing import system_clock
    from storage.migrate import upgrade
    from storage.store import Store
    from storage.tickets import ROLES, TicketStore

    if role not in ROLES:
        raise fail(f"--role: expected one of {', '.join(ROLES)}, got {role!r}")
    if not name.strip() or len(name) > 128:
        raise fail("NAME: 1 to 128 characters")
    cfg = read_config(config)
    upgrade(cfg.database.url)
    token = new_token()

    async def add() -> None:
        store = Store.open(cfg.database.url)
        try:
            await TicketStore(store).add_agent(
                name.strip(), role, token_hash(token), system_clock(), tier
            )
        finally:
            await store.close()

    from sqlalchemy.exc import IntegrityError

    try:
        asyncio.run(add())
    except IntegrityError:
        raise fail(f"NAME: an agent called {name!r} exists already", code=1) from None
    typer.echo(f"agent {name} ({role}) created. API token, shown only now:\n{token}")


@agents_app.command("link")
def agents_link(
    name: Annotated[str, typer.Argument(help="The agent's name.")],
    account: Annotated[
        list[str] | None,
        typer.Option(
            help="CHANNEL=ID: their user id on a channel agents work from (repeatable); "
            "CHANNEL= unlinks."
        ),
    ] = None,
    telegram_user_id: Annotated[
        str | None, typer.Option(help="Short for --account telegram=ID.")
    ] = None,
    discord_user_id: Annotated[
        str | None, typer.Option(help="Short for --account discord=ID.")
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Link an agent to their account on a channel with a staff desk (Telegram, Discord),
    so their presses and replies in the staff chat act as them (claim, answer, resolve)."""
    from sqlalchemy.exc import IntegrityError

    from storage.migrate import upgrade
    from storage.store import Store
    from storage.tickets import TicketStore

    accounts = _accounts(account or [], telegram=telegram_user_id, discord=discord_user_id)
    cfg = read_config(config)
    upgrade(cfg.database.url)

    async def link(channel: str, user_id: str | None) -> bool:
        store = Store.open(cfg.database.url)
        try:
            return await TicketStore(store).link_account(name, channel, user_id)
        finally:
            await store.close()

    for (channel, option), user_id in accounts.items():
        try:
            found = asyncio.run(link(channel, user_id))
        except IntegrityError:
            raise fail(f"{option}: another agent is linked to it", code=1) from None
        if not found:
            raise fail(f"NAME: no agent called {name!r}", code=1)
        platform = registry.spec(channel).title
        typer.echo(
            f"agent {name} linked to {platform} user {user_id}"
            if user_id
            else f"agent {name} unlinked from {platform}"
        )


def _accounts(given: list[str], **short: str | None) -> dict[tuple[str, str], str | None]:
    """``--account CHANNEL=ID`` and the per-channel short options, checked against the
    registry: ``{(channel, option as typed): id or None to unlink}``."""
    pairs = [(f"--{c}-user-id", f"{c}={v}") for c, v in short.items() if v is not None]
    pairs += [("--account", value) for value in given]
    if not pairs:
        desks = [s for s in registry.specs() if s.agent_account is not None]
        shorts = " or ".join(f"--{s.name}-user-id" for s in desks)
        raise fail(f"--account CHANNEL=ID ({shorts}): name the account to link")
    accounts: dict[tuple[str, str], str | None] = {}
    for option, value in pairs:
        channel, sep, user_id = value.partition("=")
        spec = next((s for s in registry.specs() if s.name == channel.strip()), None)
        if not sep or spec is None or spec.agent_account is None:
            named = ", ".join(registry.names(lambda s: s.agent_account is not None))
            raise fail(f"{option}: CHANNEL=ID with CHANNEL one of {named}, got {value!r}")
        user_id = user_id.strip()
        if user_id and not spec.agent_account.match(user_id):
            shown = user_id if option == "--account" else value.partition("=")[2]
            raise fail(f"{option}: a {spec.account_help or 'user id'}, got {shown!r}")
        accounts[(spec.name, option)] = user_id or None
    return accounts


@app.command()
def ask(
    text: Annotated[str | None, typer.Argument(help="The message to route.")] = None,
    config: ConfigOption = None,
    channel: Annotated[str, typer.Option(help="Channel the message comes from.")] = "web",
    chat: Annotated[str, typer.Option(help="private or group.")] = "private",
    lang: Annotated[str | None, typer.Option(help="Platform language hint, e.g. de.")] = None,
    at: Annotated[str | None, typer.Option(help="Answer as of this ISO-8601 instant.")] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON object per message.")
    ] = False,
    input_file: Annotated[
        Path | None, typer.Option("--input", help="JSON Lines file: one message object per line.")
    ] = None,
) -> None:
    """Run messages through the router without any channel and print what the bot would do."""
    from bots.ask import Asker, AskError

    if (text is None) == (input_file is None):
        raise fail("give either TEXT or --input FILE.jsonl")
    cfg = read_config(config)
    try:
        asker = Asker(cfg)
        defaults = asker.defaults(channel=channel, chat=chat, lang=lang, at=at)
    except AskError as exc:
        raise fail(str(exc)) from None
    if text is not None:
        result = asyncio.run(asker.one({"text": text}, defaults))
        _print(result, as_json)
        return
    assert input_file is not None
    try:
        handle = input_file.open("rb")
    except OSError as exc:
        raise fail(f"--input: cannot read {input_file} ({exc.strerror})") from None
    with handle:
        failures = asyncio.run(asker.many(handle, defaults, lambda r: _print(r, True)))
    if failures:
        err.print(f'{failures} line(s) could not be read; see their "error" fields')
        raise typer.Exit(1)


def _print(result: dict[str, Any], as_json: bool) -> None:
    if as_json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
        return
    out = Console()
    out.print(result["reply"] or "(no reply)", highlight=False, soft_wrap=True)
    out.print(
        f"[dim]intent={result['intent']} language={result['language']} "
        f"refs={result['refs']} scam={result['scam']['verdict']} handoff={result['handoff']}[/]",
        highlight=False,
    )


_add_broadcasts()


def main() -> None:  # pragma: no cover - the console script
    app()


if __name__ == "__main__":  # pragma: no cover
    app()
