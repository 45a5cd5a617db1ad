"""What the incident tests share: the example file, and the CLI run beside a bot."""

from __future__ import annotations

import asyncio
from pathlib import Path

from click.testing import Result
from typer.testing import CliRunner

from bots.cli import app as cli

EXAMPLE = Path(__file__).parents[2] / "docs" / "incidents" / "example.toml"
TRON_TEXT = "We know: TRON deposits are delayed since 09:40 UTC."


def config_file(tmp_path: Path, db: Path) -> Path:
    """A configuration file for the CLI, on the running bot's database."""
    path = tmp_path / "config.toml"
    path.write_text(f'[database]\nurl = "sqlite:///{db}"\n', encoding="utf-8")
    return path


async def socialdesk(*args: str) -> Result:
    """``socialdesk ARGS`` in a thread (it runs its own event loop), as a person would
    type it while the bot runs."""
    runner = CliRunner()
    return await asyncio.to_thread(runner.invoke, cli, list(args))
