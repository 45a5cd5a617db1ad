"""The broadcasts REST API under ``/api/broadcasts``, for the ``manager`` role.

The same operations as ``socialdesk broadcast``: the token says who asks, so approval
by "a second manager" is checked against the creator's name. Errors are
``{"error": ...}`` with 400 (bad notice, one line naming the field), 403, 404 or 409.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from aiohttp import web

from bots.api import _body, _json, _refusal
from handlers.broadcasts.notice import NoticeError, parse_notice
from handlers.broadcasts.service import Broadcaster, BroadcastError
from storage.broadcast_records import BroadcastRecord
from storage.tickets import AgentRecord

Handler = Callable[[web.Request, AgentRecord], Awaitable[web.StreamResponse]]
Guard = Callable[[Handler, str], Callable[..., Any]]
_STATUS = {"invalid": 400, "forbidden": 403, "missing": 404, "conflict": 409}
_ID = "/api/broadcasts/{id:[A-Za-z0-9-]{1,64}}"


class BroadcastApi:
    """aiohttp routes for managers; ``guard`` is the agent API's token check."""

    def __init__(self, broadcaster: Broadcaster, guard: Guard) -> None:
        self.broadcaster = broadcaster
        self.guard = guard

    def __repr__(self) -> str:
        return "BroadcastApi(/api/broadcasts)"

    def routes(self) -> list[web.RouteDef]:
        def managed(handler: Handler) -> Callable[..., Any]:
            return self.guard(_mapped(handler), "manager")

        return [
            web.get("/api/broadcasts", managed(self._list)),
            web.post("/api/broadcasts", managed(self._create)),
            web.get(_ID, managed(self._status)),
            web.get(_ID + "/preview", managed(self._preview)),
            web.post(_ID + "/approve", managed(self._approve)),
            web.post(_ID + "/send", managed(self._send)),
            web.post(_ID + "/cancel", managed(self._cancel)),
        ]

    async def _list(self, _request: web.Request, _agent: AgentRecord) -> web.StreamResponse:
        records = await self.broadcaster.store.list()
        return _json({"broadcasts": [_summary(r) for r in records]})

    async def _create(self, request: web.Request, agent: AgentRecord) -> web.StreamResponse:
        notice = parse_notice(await _body(request), label="body")
        record, warnings = await self.broadcaster.create(notice, agent.name)
        return _json({**_summary(record), "warnings": warnings}, status=201)

    async def _status(self, request: web.Request, _agent: AgentRecord) -> web.StreamResponse:
        record, report = await self.broadcaster.report(request.match_info["id"])
        return _json({**_summary(record), "report": report.to_json()})

    async def _preview(self, request: web.Request, _agent: AgentRecord) -> web.StreamResponse:
        preview = await self.broadcaster.preview(request.match_info["id"])
        return _json(
            {
                **_summary(preview.broadcast),
                "warnings": preview.warnings,
                "messages": [
                    {"channel": c, "kind": k, "language": lang, "parts": parts}
                    for c, k, lang, parts in preview.samples
                ],
                "recipients": [
                    {"channel": c, "language": lang, "chats": n}
                    for (c, lang), n in sorted(preview.recipients.items())
                ],
            }
        )

    async def _approve(self, request: web.Request, agent: AgentRecord) -> web.StreamResponse:
        record = await self.broadcaster.approve(request.match_info["id"], agent.name)
        return _json(_summary(record))

    async def _send(self, request: web.Request, _agent: AgentRecord) -> web.StreamResponse:
        at = None
        if request.can_read_body:
            value = (await _body(request, ("at",))).get("at")
            if value is not None:
                try:
                    at = datetime.fromisoformat(str(value))
                except ValueError:
                    raise _refusal(400, "at: not an ISO 8601 time") from None
                if at.tzinfo is None:
                    raise _refusal(400, "at: give a time zone, e.g. 2026-12-01T10:00:00Z")
        outcome, rows = await self.broadcaster.send(request.match_info["id"], at)
        return _json({"id": request.match_info["id"], "outcome": outcome, "queued": rows}, 202)

    async def _cancel(self, request: web.Request, _agent: AgentRecord) -> web.StreamResponse:
        withdrawn = await self.broadcaster.cancel(request.match_info["id"])
        return _json({"id": request.match_info["id"], "withdrawn": withdrawn})


def _mapped(handler: Handler) -> Handler:
    """Operation errors as HTTP answers."""

    async def wrapped(request: web.Request, agent: AgentRecord) -> web.StreamResponse:
        try:
            return await handler(request, agent)
        except NoticeError as exc:
            raise _refusal(400, str(exc)) from None
        except BroadcastError as exc:
            raise _refusal(_STATUS[exc.kind], str(exc)) from None

    return wrapped


def _summary(record: BroadcastRecord) -> dict[str, object]:
    return {
        "id": record.id,
        "short_id": record.short_id,
        "title": record.title,
        "status": record.status,
        "created_by": record.created_by,
        "approved_by": record.approved_by,
        "send_at": record.send_at,
        "recipients": record.recipients,
    }
