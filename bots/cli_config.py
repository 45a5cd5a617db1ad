"""What every ``socialdesk`` command shares: the ``--config`` option, reading it, and
failing in one line.

Each command group lives in its own module (``broadcast_cli``, ``kb_cli``...) and
takes these from here, so that the command line's modules form a tree: ``bots.cli``
assembles the groups, and no group imports ``bots.cli`` back.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from bots.config import Config, ConfigError, load_config

err = Console(stderr=True)

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config", "-c", help="TOML configuration file (default: ./config.toml if present)."
    ),
]


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print ``message`` as one error line; the caller raises the returned exit (code 2:
    bad arguments or configuration, 1: refused or failed at run time)."""
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def read_config(path: Path | None) -> Config:
    """The configuration at ``path`` (else ./config.toml when present, else the
    defaults); a bad file or key exits 2 naming it."""
    if path is None and Path("config.toml").exists():
        path = Path("config.toml")
    try:
        return load_config(path)
    except ConfigError as exc:
        raise fail(str(exc)) from None
