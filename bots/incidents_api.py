"""The incidents REST API under ``/api/incidents``, for supervisors (and admins).

``GET`` lists incidents (newest first; ``?status=open`` or ``resolved``), ``POST``
opens one from the same fields as an incident file (``title``, ``text``, ``match``),
``POST /api/incidents/{id}/resolve`` resolves one and follows up with every affected
user. The token says who opens and resolves. Errors are ``{"error": ...}`` with 400
(the field named), 403, 404 or 409 (resolved already).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from bots.api import _body, _json, _refusal
from bots.records_json import plain
from handlers.incidents import IncidentError, IncidentService
from storage.agents import AgentRecord

Handler = Callable[[web.Request, AgentRecord], Awaitable[web.StreamResponse]]
Guard = Callable[..., Callable[..., Any]]
_STATUS = {"invalid": 400, "missing": 404, "conflict": 409}
_ID = "/api/incidents/{id:\\d{1,18}}"
_STATUSES = ("open", "resolved")


class IncidentApi:
    """aiohttp routes for supervisors; ``guard`` is the agent API's token check."""

    def __init__(self, service: IncidentService, guard: Guard) -> None:
        self.service = service
        self.guard = guard

    def __repr__(self) -> str:
        return "IncidentApi(/api/incidents)"

    def routes(self) -> list[web.RouteDef]:
        def supervised(handler: Handler, query: tuple[str, ...] = ()) -> Callable[..., Any]:
            return self.guard(_mapped(handler), "supervisor", query)

        return [
            web.get("/api/incidents", supervised(self._list, ("status",))),
            web.post("/api/incidents", supervised(self._open)),
            web.post(_ID + "/resolve", supervised(self._resolve)),
        ]

    async def _list(self, request: web.Request, _agent: AgentRecord) -> web.StreamResponse:
        status = request.query.get("status")
        if status is not None and status not in _STATUSES:
            raise _refusal(400, f"status must be one of {', '.join(_STATUSES)}")
        return _json({"incidents": plain(await self.service.list(status))})

    async def _open(self, request: web.Request, agent: AgentRecord) -> web.StreamResponse:
        spec = self.service.parse(await _body(request), label="body")
        incident_id = await self.service.open(spec, agent.name)
        return _json({"id": incident_id, "title": spec.title, "status": "open"}, status=201)

    async def _resolve(self, request: web.Request, agent: AgentRecord) -> web.StreamResponse:
        incident_id = int(request.match_info["id"])
        told = await self.service.resolve(incident_id, agent.name)
        return _json({"id": incident_id, "status": "resolved", "notified": told})


def _mapped(handler: Handler) -> Handler:
    """Operation errors as HTTP answers."""

    async def wrapped(request: web.Request, agent: AgentRecord) -> web.StreamResponse:
        try:
            return await handler(request, agent)
        except IncidentError as exc:
            raise _refusal(_STATUS[exc.kind], str(exc)) from None

    return wrapped
