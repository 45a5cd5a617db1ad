"""``socialdesk kb``: tools for the people who write the knowledge base.

``kb check`` validates files and names the pairs of entries the bot will confuse;
``kb test`` measures a base on the exchange's own labelled questions. Both read the
knowledge paths of the configuration when no file is given.
"""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from bots.cli_config import ConfigOption, fail, read_config

if TYPE_CHECKING:
    from handlers.answers.knowledge import Knowledge

kb_app = typer.Typer(help="Check and measure the knowledge base.", no_args_is_help=True)
err = Console(stderr=True)


def _knowledge(files: list[Path]) -> Knowledge:
    """The merged base of ``files``; exits 2 naming the first broken one."""
    from handlers.answers.knowledge import Knowledge, KnowledgeError, load_file

    parsed = []
    for path in files:
        try:
            parsed.append(load_file(path))
        except KnowledgeError as exc:
            raise fail(str(exc)) from None
    return Knowledge.merge(parsed)


@kb_app.command("check")
def check(
    files: Annotated[
        list[Path] | None, typer.Argument(help="Knowledge files (default: the configured ones).")
    ] = None,
    config: ConfigOption = None,
    strict: Annotated[bool, typer.Option(help="Exit 1 when there is any warning.")] = False,
) -> None:
    """Validate knowledge files and warn about entries too close to tell apart."""
    from handlers.answers.overlap import overlaps
    from handlers.understanding import shared_engine
    from handlers.understanding.cache import VectorCache

    cfg = read_config(config)
    paths = files or list(cfg.knowledge.paths)
    knowledge = _knowledge(paths)
    status = shared_engine()
    if status.engine is None:
        err.print(f"note: {status.reason}", highlight=False, soft_wrap=True)
    found = overlaps(knowledge, status.engine, VectorCache(cfg.knowledge.embedding_cache))
    for item in found:
        typer.echo(f"warning: {item.line()}")
    typer.echo(
        f"{', '.join(map(str, paths))}: ok ({len(knowledge.activities)} activities, "
        f"{len(knowledge.airdrops)} airdrops, {len(knowledge.faqs)} FAQs; "
        f"{len(found)} warning{'s' if len(found) != 1 else ''})"
    )
    if strict and found:
        raise typer.Exit(1)


@kb_app.command("test")
def test(
    questions: Annotated[Path, typer.Argument(help="Labelled questions, JSON Lines.")],
    files: Annotated[
        list[Path] | None,
        typer.Option("--kb", help="Knowledge files (default: the configured ones)."),
    ] = None,
    config: ConfigOption = None,
    at: Annotated[str | None, typer.Option(help="Ask as of this ISO-8601 instant.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    show_misses: Annotated[bool, typer.Option(help="List every miss.")] = True,
) -> None:
    """Ask labelled questions and report right entries, wrong answers and misses.

    Each line: {"text": "...", "language": "vi", "expected": "faq:<id>" or "none"},
    optionally "status" (the phase the answer must state) and "date" (YYYY-MM-DD).
    """
    from bots.ask import Asker, AskError, parse_instant
    from bots.kbtest import QuestionsError, evaluate, load_items
    from handlers.texts import Texts

    cfg = read_config(config)
    if files:
        cfg = cfg.model_copy(
            update={"knowledge": cfg.knowledge.model_copy(update={"paths": files})}
        )
    knowledge = _knowledge(list(cfg.knowledge.paths))
    try:
        items = load_items(questions, set(knowledge.by_ref))
        moment = parse_instant(at, "--at") if at else datetime.now(UTC)
    except (QuestionsError, AskError) as exc:
        raise fail(str(exc)) from None
    if not items:
        raise fail(f"{questions}: no questions")
    with Progress(
        TextColumn("asking"),
        BarColumn(),
        MofNCompleteColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    ) as bar:
        task = bar.add_task("ask", total=len(items))
        report = asyncio.run(
            evaluate(
                Asker(cfg),
                items,
                moment,
                Texts.load(),
                progress=lambda done: bar.update(task, completed=done),
            )
        )
    if as_json:
        sys.stdout.write(json.dumps(report.as_json(), ensure_ascii=False) + "\n")
        return
    for line in report.lines():
        typer.echo(line)
    if show_misses:
        for miss in report.misses:
            typer.echo(f"  {miss}")
