"""``socialdesk report``: the support figures of a window, as tables or as JSON.

The JSON is exactly what ``GET /api/reports`` answers (``Report.to_json``); the tables
say the same for a person, durations in hours, minutes and seconds.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from bots.cli_config import ConfigOption, fail, read_config
from bots.report_json import report_json

if TYPE_CHECKING:
    from storage.report_figures import Report


def report(
    since: Annotated[
        str | None,
        typer.Option(
            help="Start: an ISO date (a whole UTC day) or date-time. Default: 7 days ago."
        ),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(help="End: an ISO date (that day included) or date-time. Default: now."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    config: ConfigOption = None,
) -> None:
    """First response and resolution times, satisfaction, the bot's share, volume,
    agents and incidents, for the tickets and messages of a window."""
    from bots.report_window import WindowError, parse_window
    from bots.routing import system_clock
    from storage.migrate import upgrade
    from storage.reports import ReportStore
    from storage.store import Store

    try:
        start, end = parse_window(since, until, system_clock())
    except WindowError as exc:
        raise fail(str(exc)) from None
    cfg = read_config(config)
    upgrade(cfg.database.url)

    async def read() -> Report:
        store = Store.open(cfg.database.url)
        try:
            return await ReportStore(store).report(start, end)
        finally:
            await store.close()

    figures = asyncio.run(read())
    if as_json:
        sys.stdout.write(json.dumps(report_json(figures), ensure_ascii=False) + "\n")
        return
    print_report(Console(), figures)


def duration(seconds: float | None) -> str:
    """``3540.0`` → ``59m 00s``; ``None`` → ``-``."""
    if seconds is None:
        return "-"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m {secs:02d}s" if minutes else f"{secs}s"


def print_report(out: Console, figures: Report) -> None:
    """The report as a few small tables (tab-separated when piped)."""
    from bots.tables import print_table

    data = report_json(figures)
    out.print(f"Report {data['since']} to {data['until']}", highlight=False, soft_wrap=True)
    times = [
        (label, duration(d.p50), duration(d.p90), str(d.count))
        for label, d in (
            ("first response", figures.first_response),
            ("resolution", figures.resolution),
        )
    ]
    print_table(out, ("tickets opened", "p50", "p90", "count"), times)
    csat = figures.csat
    spread = " ".join(f"{k}:{v}" for k, v in csat.distribution.items())
    share = figures.bot_resolved_share
    print_table(
        out,
        ("figure", "value"),
        [
            ("tickets opened", str(figures.tickets.total)),
            ("satisfaction (1-5)", "-" if csat.average is None else f"{csat.average:.2f}"),
            ("ratings", f"{csat.count} ({spread})"),
            ("conversations", str(figures.conversations)),
            ("answered by the bot alone", str(figures.conversations_without_ticket)),
            ("bot resolved share", "-" if share is None else f"{share:.0%}"),
            ("messages from users", str(figures.messages.total)),
            (
                "incidents opened / resolved",
                f"{figures.incidents_opened} / {figures.incidents_resolved}",
            ),
        ],
    )
    volume = [
        (kind, key, str(n))
        for kind, counts in (
            ("messages by channel", figures.messages.by["channel"]),
            ("messages by language", figures.messages.by["language"]),
            ("tickets by category", figures.tickets.by["category"]),
        )
        for key, n in counts.items()
    ]
    print_table(out, ("volume", "of", "count"), volume)
    hours = figures.messages.by["hour"]
    tickets = figures.tickets.by["hour"]
    busy = [(f"{h}:00", str(n), str(tickets[h])) for h, n in hours.items() if n or tickets[h]]
    print_table(out, ("hour (UTC)", "messages", "tickets"), busy)
    agents = [
        (
            a.name,
            str(a.tickets),
            str(a.resolved),
            duration(a.first_response_p50),
            duration(a.resolution_p50),
            "-" if a.csat_average is None else f"{a.csat_average:.2f} ({a.csat_count})",
        )
        for a in figures.agents
    ]
    print_table(
        out,
        ("agent", "tickets", "resolved", "first response p50", "resolution p50", "csat"),
        agents,
    )
    comments = [
        (f"#{c.ticket_id}", str(c.rating), c.agent or "-", c.comment)
        for c in figures.low_rating_comments
    ]
    if comments:
        print_table(out, ("ticket", "rating", "agent", "latest low-rating comments"), comments)
