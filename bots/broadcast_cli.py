"""``socialdesk broadcast ...``: the community manager's commands.

They work on the bot's database; the running bot's sender delivers what ``send``
queues, and its scheduler starts what ``send --at`` schedules. Exit codes: 0 done,
1 refused (no such broadcast, not approved, already sent), 2 bad input (a notice
field, a time), named in one line.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from bots.cli_config import ConfigOption, read_config
from bots.config import Config
from bots.tables import print_table
from handlers.broadcasts.notice import NoticeError, load_notice
from handlers.broadcasts.report import OUTCOMES, Report
from handlers.broadcasts.service import Broadcaster, BroadcastError
from storage.broadcast_records import BroadcastRecord

T = TypeVar("T")
broadcast_app = typer.Typer(
    help="Notices to channels, groups and subscribers.", no_args_is_help=True
)
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)
ById = Annotated[str, typer.Argument(help="The broadcast's number or short id (N-XXXXXX).")]
ByName = Annotated[str, typer.Option("--by", help="Your agent name (role manager or admin).")]
MANAGERS = ("manager", "admin")
FOLLOWED = ("starting", "sending")  # statuses `status` follows with a progress bar


def _channels(config: Config) -> set[str]:
    return config.channel_names()


def _run(config: Config, job: Callable[[Broadcaster], Awaitable[T]], by: str | None = None) -> T:
    """Run ``job`` with a broadcaster on the bot's database; maps refusals to exits."""
    from bots.assembly import build_broadcaster
    from bots.routing import system_clock
    from scheduler.broadcasts import (
        broadcast_job,
        job_id,
        send_broadcast,
        unpin_broadcast,
        unpin_job,
    )
    from scheduler.service import remove_stored_job, store_job
    from storage.migrate import upgrade
    from storage.store import Store
    from storage.tickets import TicketStore

    upgrade(config.database.url)

    async def main() -> T:
        store = Store.open(config.database.url)
        try:
            if by is not None:
                agent = await TicketStore(store).agent_by_name(by)
                if agent is None or agent.role not in MANAGERS:
                    raise BroadcastError("invalid", f"--by: {by!r} is not a manager")
            broadcaster = build_broadcaster(
                config, store, _texts(), system_clock, _channels(config)
            )

            async def schedule(broadcast_id: int, at: datetime) -> None:
                record = await broadcaster.get(broadcast_id)
                options = broadcast_job(broadcast_id, at, record.title)
                await asyncio.to_thread(store_job, store.engine, send_broadcast, options)

            async def unschedule(broadcast_id: int) -> None:
                await asyncio.to_thread(remove_stored_job, store.engine, job_id(broadcast_id))

            async def schedule_unpin(broadcast_id: int, at: datetime) -> None:
                record = await broadcaster.get(broadcast_id)
                options = unpin_job(broadcast_id, at, record.title)
                await asyncio.to_thread(store_job, store.engine, unpin_broadcast, options)

            broadcaster.schedule = schedule
            broadcaster.unschedule = unschedule
            broadcaster.schedule_unpin = schedule_unpin
            return await job(broadcaster)
        finally:
            await store.close()

    try:
        return asyncio.run(main())
    except NoticeError as exc:
        raise _fail(str(exc), 2) from None
    except BroadcastError as exc:
        raise _fail(str(exc), 2 if exc.kind == "invalid" else 1) from None


def _texts() -> Any:
    from handlers.texts import Texts

    return Texts.load()


def _fail(message: str, code: int) -> typer.Exit:
    err.print(f"[bold red]error:[/] {escape(message)}")
    return typer.Exit(code)


@broadcast_app.command("create")
def create(
    file: Annotated[Path, typer.Argument(help="The notice, a TOML file.")],
    by: ByName,
    config: ConfigOption = None,
) -> None:
    """Validate a notice file and store it as a draft."""
    cfg = read_config(config)
    try:
        notice = load_notice(file)
    except NoticeError as exc:
        raise _fail(str(exc), 2) from None
    record, warnings = _run(cfg, lambda b: b.create(notice, by), by=by)
    for warning in warnings:
        err.print(f"[yellow]warning:[/] {escape(warning)}")
    out.print(f"broadcast {record.id} ({record.short_id}) created: {escape(record.title)}")
    if cfg.broadcasts.require_approval:
        out.print("it needs a second manager: socialdesk broadcast approve " + record.short_id)


@broadcast_app.command("preview")
def preview(ref: ById, config: ConfigOption = None) -> None:
    """Show each language's text as recipients will see it, and how many get it."""
    result = _run(read_config(config), lambda b: b.preview(ref))
    record = result.broadcast
    out.print(f"[bold]{record.short_id}[/] {escape(record.title)} ({record.status})")
    for warning in result.warnings:
        out.print(f"[yellow]note:[/] {escape(warning)}")
    for channel, kind, language, parts in result.samples:
        label = f"{channel} {kind} [{language}]" + (
            f", {len(parts)} messages" if len(parts) > 1 else ""
        )
        out.rule(escape(label))
        out.print("\n[dim]---[/]\n".join(escape(p) for p in parts))
    rows = [(c, lang, str(n)) for (c, lang), n in sorted(result.recipients.items())]
    print_table(out, ("channel", "language", "chats"), rows)


@broadcast_app.command("approve")
def approve(ref: ById, by: ByName, config: ConfigOption = None) -> None:
    """Approve a draft (a second manager, not its creator)."""
    record = _run(read_config(config), lambda b: b.approve(ref, by), by=by)
    out.print(f"broadcast {record.short_id} approved by {record.approved_by}")


@broadcast_app.command("send")
def send(
    ref: ById,
    at: Annotated[
        str | None, typer.Option(help="ISO 8601 time with zone, e.g. 2026-12-01T10:00Z.")
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Send now (the running bot delivers), or schedule with --at."""
    when = None
    if at is not None:
        try:
            when = datetime.fromisoformat(at)
        except ValueError:
            raise _fail(f"--at: {at!r} is not an ISO 8601 time", 2) from None
        if when.tzinfo is None:
            raise _fail("--at: give a time zone, e.g. 2026-12-01T10:00:00Z", 2)
    outcome, rows = _run(read_config(config), lambda b: b.send(ref, when))
    if outcome == "scheduled":
        out.print(f"broadcast {ref} scheduled for {when or 'its send_at'} (see: socialdesk jobs)")
    else:
        out.print(f"broadcast {ref}: {rows} message(s) queued; the running bot sends them")


@broadcast_app.command("cancel")
def cancel(ref: ById, config: ConfigOption = None) -> None:
    """Cancel: messages not yet sent are withdrawn."""
    withdrawn = _run(read_config(config), lambda b: b.cancel(ref))
    out.print(f"broadcast {ref} cancelled; {withdrawn} message(s) withdrawn before sending")


@broadcast_app.command("status")
def status(
    ref: ById,
    watch: Annotated[bool, typer.Option(help="Follow a running send with a progress bar.")] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    config: ConfigOption = None,
) -> None:
    """Progress (rate, ETA) while sending, then the report per channel and language."""
    cfg = read_config(config)
    record, report = _run(cfg, lambda b: b.report(ref))
    if watch and record.status in FOLLOWED and not as_json:
        record, report = _follow(cfg, ref, report)
    if as_json:
        out.print_json(json.dumps({"status": record.status, **report.to_json()}))
        return
    _print_report(record, report)


def _follow(cfg: Config, ref: str, report: Report) -> tuple[BroadcastRecord, Report]:
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]:.1f} msg/s"),
        TimeRemainingColumn(),
    )
    began, done_at_start = time.monotonic(), report.finished
    with Progress(*columns, console=out) as progress:
        task = progress.add_task("sending", total=report.total, rate=0.0)
        while True:
            record, report = _run(cfg, lambda b: b.report(ref))
            rate = (report.finished - done_at_start) / max(time.monotonic() - began, 1e-6)
            progress.update(task, completed=report.finished, rate=rate)
            if record.status not in FOLLOWED:
                return record, report
            time.sleep(1.0)


def _print_report(record: BroadcastRecord, report: Report) -> None:
    out.print(
        f"[bold]{record.short_id}[/] {escape(record.title)}: {record.status}, "
        f"{report.finished}/{report.total} recipient(s) finished"
    )
    rows = [
        (channel, language, *(str(counts[n]) for n in OUTCOMES))
        for (channel, language), counts in sorted(report.by_place.items())
    ]
    rows.append(("all", "", *(str(report.outcomes[n]) for n in OUTCOMES)))
    print_table(out, ("channel", "language", *OUTCOMES), rows, bold_last=True)
    for reason, count in report.reasons.most_common():
        out.print(f"failed: {count} × {escape(reason)}")


@broadcast_app.command("list")
def list_broadcasts(config: ConfigOption = None) -> None:
    """Every broadcast, newest first."""
    records = _run(read_config(config), lambda b: b.store.list())
    rows = [
        (
            str(r.id),
            r.short_id,
            r.title,
            r.status,
            r.created_by,
            r.approved_by or "",
            str(r.recipients),
            str(r.send_at or ""),
        )
        for r in records
    ]
    headers = ("#", "id", "title", "status", "by", "approved by", "recipients", "send at")
    print_table(out, headers, rows)
