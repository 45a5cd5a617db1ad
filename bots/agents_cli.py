"""``socialdesk agents list|disable|rotate``: the admin's commands for agents.

They work on the bot's database, so a running bot sees a change from its very next
API request (tokens are checked against the table on every call). Exit codes: 0 done,
1 refused (no such agent, disabled already), 2 bad arguments or configuration.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console

from bots.cli_config import ConfigOption, fail, read_config
from storage.agents import AgentAdmin

T = TypeVar("T")
Name = Annotated[str, typer.Argument(help="The agent's name.")]


def _run(config: Path | None, job: Callable[[AgentAdmin], Awaitable[T]]) -> T:
    from storage.migrate import upgrade
    from storage.store import Store

    cfg = read_config(config)
    upgrade(cfg.database.url)

    async def run() -> T:
        store = Store.open(cfg.database.url)
        try:
            return await job(AgentAdmin(store))
        finally:
            await store.close()

    return asyncio.run(run())


def _refuse(message: str) -> typer.Exit:
    return fail(message, code=1)


def agents_list(config: ConfigOption = None) -> None:
    """Every agent with role, tier and whether disabled (piped: tab-separated)."""
    from bots.tables import print_table

    agents = _run(config, lambda admin: admin.everyone())
    if not agents:
        typer.echo("no agents yet: socialdesk agents add NAME --role ...")
        return
    rows = [
        (
            a.name,
            a.role,
            str(a.tier),
            "disabled" if a.disabled else ("online" if a.online else "offline"),
            " ".join(f"{channel}:{account}" for channel, account in a.accounts.items()),
            a.created_at.isoformat(timespec="seconds"),
        )
        for a in agents
    ]
    print_table(Console(), ("name", "role", "tier", "state", "linked", "created"), rows)


def agents_disable(name: Name, config: ConfigOption = None) -> None:
    """Lock an agent out at once: their token and linked staff-chat accounts stop
    working."""
    from bots.routing import system_clock

    done = _run(config, lambda admin: admin.disable(name, system_clock()))
    if done is None:
        raise _refuse(f"NAME: no agent called {name!r}")
    if not done:
        raise _refuse(f"NAME: {name} is disabled already")
    typer.echo(f"agent {name} disabled: their token no longer works")


def agents_rotate(name: Name, config: ConfigOption = None) -> None:
    """Replace an agent's API token (the old one stops working at once) and print the
    new one, once."""
    from bots.agents_api import new_token
    from bots.api import token_hash
    from bots.routing import system_clock

    token = new_token()
    if not _run(config, lambda admin: admin.rotate(name, token_hash(token), system_clock())):
        raise _refuse(f"NAME: no agent called {name!r}")
    typer.echo(f"agent {name}: new API token, shown only now (the old one no longer works):")
    typer.echo(token)


def add_agent_commands(agents_app: typer.Typer) -> None:
    """Mount the commands on ``socialdesk agents``."""
    agents_app.command("list")(agents_list)
    agents_app.command("disable")(agents_disable)
    agents_app.command("rotate")(agents_rotate)
