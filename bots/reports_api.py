"""``GET /api/reports`` for supervisors, and the console's dashboard that draws it.

The report is the one ``socialdesk report --json`` prints, for ``since``/``until`` read
as the CLI reads them (ISO dates or date-times; 400 naming the parameter otherwise).
The dashboard is a page of its own beside the console, with the same sign-in (the
token kept in the tab's session storage); its charts are drawn by Chart.js, served
from this server as a vendored file, so the pages' Content-Security-Policy still
allows scripts from this origin only.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from aiohttp import web

from bots.api import _json, _refusal
from bots.report_json import report_json
from bots.report_window import WindowError, parse_window
from storage.reports import ReportStore
from storage.tickets import AgentRecord

Handler = Callable[[web.Request, AgentRecord], Awaitable[web.StreamResponse]]
Guard = Callable[..., Callable[..., Any]]
Clock = Callable[[], datetime]
DASHBOARD = Path(__file__).with_name("dashboard.html")
CHART_JS = Path(__file__).parent / "vendor" / "chart.umd.js"


class ReportApi:
    """aiohttp routes for the figures; ``guard`` is the agent API's token check."""

    def __init__(self, reports: ReportStore, guard: Guard, clock: Clock) -> None:
        self.reports = reports
        self.guard = guard
        self.clock = clock
        self._page = DASHBOARD.read_text(encoding="utf-8")
        self._chart_js = CHART_JS.read_bytes()

    def __repr__(self) -> str:
        return "ReportApi(/api/reports, /console/dashboard)"

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/api/reports", self.guard(self._report, "supervisor", ("since", "until"))),
            web.get("/console/dashboard", self._dashboard),
            web.get("/console/chart.umd.js", self._chart),
        ]

    async def _report(self, request: web.Request, _agent: AgentRecord) -> web.StreamResponse:
        try:
            since, until = parse_window(
                request.query.get("since") or None,
                request.query.get("until") or None,
                self.clock(),
                names=("since", "until"),
            )
        except WindowError as exc:
            raise _refusal(400, str(exc)) from None
        report = await self.reports.report(since, until)
        return _json(report_json(report))

    async def _dashboard(self, _request: web.Request) -> web.StreamResponse:
        # a body in memory, so the server's hardening hashes its inline script and style
        return web.Response(
            text=self._page, content_type="text/html", headers={"Cache-Control": "no-store"}
        )

    async def _chart(self, _request: web.Request) -> web.StreamResponse:
        return web.Response(
            body=self._chart_js,
            content_type="text/javascript",
            charset="utf-8",
            headers={"Cache-Control": "public, max-age=86400"},
        )
