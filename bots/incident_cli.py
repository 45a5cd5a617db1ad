"""``socialdesk incident``: open, list and resolve incidents from the command line.

``open FILE --by NAME`` reads an incident file (see :mod:`handlers.incidents.spec`),
checks its FAQ ids against the configured knowledge base, links the open tickets it
covers and prints the new id; ``resolve ID --by NAME`` resolves one and enqueues the
follow-ups, which the running bot sends. A bad file or field: one line, exit 2.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from bots.cli_config import ConfigOption, fail, read_config

if TYPE_CHECKING:
    from bots.config import Config
    from handlers.incidents import IncidentService
    from storage.incidents import IncidentSummary
    from storage.store import Store

T = TypeVar("T")
incident_app = typer.Typer(
    help="Incidents: one known problem, answered once for everyone.", no_args_is_help=True
)

ByOption = Annotated[str, typer.Option("--by", help="Who does it (shown in the incident).")]


def _by(name: str) -> str:
    if not name.strip() or len(name) > 128:
        raise fail("--by: a name of 1 to 128 characters")
    return name.strip()


def _service(cfg: Config, store: Store, *, answers: bool) -> IncidentService:
    """The service on ``store``; with ``answers``, the knowledge base and the shared
    model too (to check FAQ ids and link open tickets)."""
    from bots.routing import system_clock
    from handlers.answers import AnswerStage, KnowledgeBase
    from handlers.incidents import IncidentService
    from handlers.texts import Texts
    from handlers.understanding import shared_engine

    stages: list[object] = []
    if answers:
        knowledge = KnowledgeBase(cfg.knowledge.paths)
        knowledge.refresh()
        stages.append(AnswerStage(knowledge, cfg.knowledge, engine=shared_engine().engine))
    return IncidentService.beside(stages, store, Texts.load(), system_clock, cfg)


def _run(cfg: Config, answers: bool, work: Callable[[IncidentService], Awaitable[T]]) -> T:
    """Run ``work(service)`` against the configured database (migrated first)."""
    from storage.migrate import upgrade
    from storage.store import Store

    upgrade(cfg.database.url)

    async def main() -> T:
        store = Store.open(cfg.database.url)
        try:
            return await work(_service(cfg, store, answers=answers))
        finally:
            await store.close()

    return asyncio.run(main())


@incident_app.command("open")
def open_incident(
    file: Annotated[Path, typer.Argument(help="The incident file (TOML).")],
    by: ByOption,
    config: ConfigOption = None,
) -> None:
    """Open an incident from FILE and print its id."""
    from handlers.incidents import IncidentError, load_spec

    name = _by(by)
    cfg = read_config(config)
    try:
        load_spec(file)  # the file's own mistakes, before the database or the model
    except IncidentError as exc:
        raise fail(str(exc)) from None

    async def work(service: IncidentService) -> int:
        spec = load_spec(file, service.faq_ids())
        return await service.open(spec, name)

    try:
        incident_id = _run(cfg, True, work)
    except IncidentError as exc:
        raise fail(str(exc)) from None
    typer.echo(incident_id)


@incident_app.command("list")
def list_incidents(
    config: ConfigOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """List incidents, newest first: status, users told, tickets linked."""
    from rich.console import Console

    from bots.records_json import plain
    from bots.tables import print_table

    cfg = read_config(config)

    async def work(service: IncidentService) -> list[IncidentSummary]:
        return await service.list()

    rows = _run(cfg, False, work)
    if as_json:
        for row in rows:
            sys.stdout.write(json.dumps(plain(row), default=str, ensure_ascii=False) + "\n")
        return
    if not rows:
        typer.echo("no incidents")
        return
    print_table(
        Console(),
        ("id", "status", "title", "opened", "by", "affected", "told", "tickets"),
        [
            (
                str(r.id),
                r.status,
                r.title,
                str(r.opened_at),
                r.opened_by,
                str(r.affected),
                str(r.notified),
                " ".join(f"#{t}" for t in r.tickets),
            )
            for r in rows
        ],
    )


@incident_app.command("resolve")
def resolve_incident(
    incident_id: Annotated[int, typer.Argument(help="The incident's id.", min=1)],
    by: ByOption,
    config: ConfigOption = None,
) -> None:
    """Resolve an incident: every affected user gets a follow-up, once."""
    from handlers.incidents import IncidentError

    name = _by(by)
    cfg = read_config(config)

    async def work(service: IncidentService) -> int:
        return await service.resolve(incident_id, name)

    try:
        told = _run(cfg, False, work)
    except IncidentError as exc:
        raise fail(str(exc), 2 if exc.kind == "invalid" else 1) from None
    typer.echo(f"incident #{incident_id} resolved: {told} user(s) will be told")
