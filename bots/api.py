"""The agents' REST API under ``/api/``: tickets to list, read, claim, answer, resolve.

Every call needs ``Authorization: Bearer <token>`` (tokens are created with
``socialdesk agents add`` and stored only as a SHA-256 hash) and is checked against the
caller's role and tier on every ticket it touches: an agent works the unclaimed queue of
their tier and below, and their own tickets; supervisors and admins see and change
everything; managers send notices (``/api/broadcasts``) and work no tickets. Replies
reach the user through the outbox, on the platform they wrote from.

This module holds the token check every API module shares (:meth:`AgentApi.guard`),
the console page, canned replies and the caller's own presence; the ticket routes are
:mod:`bots.tickets_api`, and the other resources have a module each (agents,
broadcasts, incidents, attachments, reports).
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from aiohttp import web

from bots.http_json import answer as _json
from bots.http_json import read_body as _body
from bots.http_json import refusal as _refusal
from bots.openapi import openapi
from bots.tickets_api import MAX_LIST as MAX_LIST
from bots.tickets_api import TICKET_ID as TICKET_ID
from bots.tickets_api import TicketsApi
from handlers.outbox_rows import Outbox
from handlers.texts import Texts
from scheduler.sla import SlaSettings
from storage.agents import ROLES, AgentAdmin, AgentRecord
from storage.audit import AuditedDesk
from storage.links import LinkStore
from storage.queue import MAX_TIER, TICKET_ROLES, QueueStore
from storage.ticket_views import TicketViews
from storage.tickets import TicketStore

Clock = Callable[[], datetime]
Handler = Callable[[web.Request, AgentRecord], Awaitable[web.StreamResponse]]
# who may call what: a route needs one of these (``any``: every role, e.g. who am I)
ALLOWED: dict[str, tuple[str, ...]] = {
    "agent": TICKET_ROLES,
    "supervisor": ("supervisor", "admin"),
    "manager": ("manager", "admin"),
    "admin": ("admin",),
    "any": ROLES,
}
CONSOLE = Path(__file__).with_name("console.html")


def token_hash(token: str) -> str:
    """Tokens are 256-bit random strings, so a plain SHA-256 is a safe store."""
    return hashlib.sha256(token.encode()).hexdigest()


class AgentApi:
    """aiohttp routes for the agents; built by the composition root."""

    def __init__(
        self,
        tickets: TicketStore,
        outbox: Outbox,
        texts: Texts,
        clock: Clock,
        wake: Callable[[], None],
        sla: SlaSettings,
        queue: QueueStore | None = None,
        links: LinkStore | None = None,
    ) -> None:
        self.sla = sla
        self.queue = queue or QueueStore(tickets.store, round_robin=sla.round_robin)
        self.agents = AgentAdmin(tickets.store)
        self.texts = texts
        self.ticket_routes = TicketsApi(
            TicketViews(tickets.store),
            # every change an agent makes, with its audit entry in the same transaction
            AuditedDesk(tickets.store, round_robin=sla.round_robin),
            links or LinkStore(tickets.store),
            outbox,
            texts,
            clock,
            wake,
            sla,
        )
        self._console_page = CONSOLE.read_text(encoding="utf-8")

    def __repr__(self) -> str:
        return "AgentApi(/api)"

    def routes(self) -> list[web.RouteDef]:
        guard = self._authenticated
        return [
            web.get("/api/openapi.json", self._openapi),
            web.get("/console", self._console),
            web.get("/api/canned", guard(self._canned, query=("language",))),
            *self.ticket_routes.routes(guard),
            web.get("/api/agents/me", guard(self._me, "any")),
            web.post("/api/agents/me/presence", guard(self._presence)),
        ]

    def guard(
        self, handler: Handler, role: str = "agent", query: tuple[str, ...] = ()
    ) -> Callable[..., Any]:
        """``handler`` behind the bearer-token check for ``role``, a key of
        :data:`ALLOWED` (admins pass every check; managers only ``manager`` and
        ``any``); ``query``: the query parameters it reads, each at most once."""
        return self._authenticated(handler, role, query)

    def _authenticated(
        self, handler: Handler, role: str = "agent", query: tuple[str, ...] = ()
    ) -> Callable[..., Any]:
        async def wrapped(request: web.Request) -> web.StreamResponse:
            header = request.headers.get("Authorization", "")
            scheme, _, token = header.partition(" ")
            agent = None
            if scheme.lower() == "bearer" and token:
                agent = await self._agent(token_hash(token.strip()))
            if agent is None:
                raise _refusal(
                    401, "a valid bearer token is required", headers={"WWW-Authenticate": "Bearer"}
                )
            if agent.role not in ALLOWED[role]:
                if role == "agent":
                    raise _refusal(403, "tickets are worked by agents; managers send notices")
                raise _refusal(403, f"this needs the {role} role")
            for key in request.query:
                if key not in query:
                    raise _refusal(400, f"unknown query parameter {key!r}")
                if len(request.query.getall(key)) > 1:
                    raise _refusal(400, f"give {key} once")
            return await handler(request, agent)

        return wrapped

    async def _agent(self, hashed: str) -> AgentRecord | None:
        """The token's agent, read on every call (one unique-index lookup, as cheap as
        checking a cached entry was still current): a disabled agent or a rotated
        token is refused from the very next request, in every process."""
        return await self.agents.by_token_hash(hashed)

    async def _canned(self, request: web.Request, _agent: AgentRecord) -> web.StreamResponse:
        language = request.query.get("language", "en")
        entries = self.texts.section("canned.", language)
        names = sorted({key.split(".")[1] for key in entries})
        return _json(
            {
                "replies": [
                    {
                        "id": name,
                        "title": entries[f"canned.{name}.title"],
                        "text": entries[f"canned.{name}.text"],
                    }
                    for name in names
                ]
            }
        )

    async def _console(self, _request: web.Request) -> web.StreamResponse:
        # a body in memory, so the server's hardening can hash its inline script for
        # the Content-Security-Policy
        return web.Response(
            text=self._console_page, content_type="text/html", headers={"Cache-Control": "no-store"}
        )

    async def _me(self, _request: web.Request, agent: AgentRecord) -> web.StreamResponse:
        return _json({"id": agent.id, "name": agent.name, "role": agent.role, "tier": agent.tier})

    async def _presence(self, request: web.Request, agent: AgentRecord) -> web.StreamResponse:
        """``{"online": true}``: round robin may give this agent new tickets."""
        online = (await _body(request, ("online",))).get("online")
        if not isinstance(online, bool):
            raise _refusal(400, "online must be true or false")
        await self.queue.set_online(agent.id, online)
        return _json({"id": agent.id, "online": online})

    async def _openapi(self, _request: web.Request) -> web.StreamResponse:
        return _json(
            openapi(
                max_snooze_minutes=self.sla.max_snooze_days * 24 * 60,
                max_list=MAX_LIST,
                max_tier=MAX_TIER,
            )
        )
