"""The agents' REST API under ``/api/``: tickets to list, read, claim, answer, resolve.

Every call needs ``Authorization: Bearer <token>`` (tokens are created with
``socialdesk agents add`` and stored only as a SHA-256 hash) and is checked against the
caller's role and tier on every ticket it touches: an agent works the unclaimed queue of
their tier and below, and their own tickets; supervisors and admins see and change
everything; managers send notices (``/api/broadcasts``) and work no tickets. Replies
reach the user through the outbox, on the platform they wrote from.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from aiohttp import web

from bots.http_json import answer as _json
from bots.http_json import instant as _instant
from bots.http_json import read_body as _body
from bots.http_json import refusal as _refusal
from bots.http_json import text_field as _text_field
from bots.openapi import MAX_NUMBER, openapi
from channels.base import Button, Reply
from handlers.outbox_rows import Outbox
from handlers.requests import AlertStaff
from handlers.staffdesk import STAFF_CALLBACK, resolution_reply
from handlers.texts import Texts
from scheduler.sla import SlaSettings
from storage.audit import AuditedDesk
from storage.links import LinkStore
from storage.queue import MAX_TIER, TICKET_ROLES, QueueStore
from storage.ticket_query import SEARCH_MAX
from storage.tickets import ROLES, AgentRecord, TicketStore

Clock = Callable[[], datetime]
Handler = Callable[[web.Request, AgentRecord], Awaitable[web.StreamResponse]]
STATUSES = ("open", "pending", "resolved")
MAX_LIST = 500
# who may call what: a route needs one of these (``any``: every role, e.g. who am I)
ALLOWED: dict[str, tuple[str, ...]] = {
    "agent": TICKET_ROLES,
    "supervisor": ("supervisor", "admin"),
    "manager": ("manager", "admin"),
    "admin": ("admin",),
    "any": ROLES,
}
# q: search (a ticket number, user, words, tx hash, UID: storage/ticket_query.py)
LIST_QUERY = (
    "status",
    "category",
    "priority",
    "tier",
    "channel",
    "language",
    "assignee",
    "limit",
    "q",
)
TICKET_ID = "{id:\\d{1,18}}"  # larger numbers are no ticket: 404, never a database error
_DIGITS = re.compile(r"^[0-9]{1,9}$")
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
        self.links = links or LinkStore(tickets.store)
        # every change an agent makes, with its audit entry in the same transaction
        self.desk = AuditedDesk(tickets.store, round_robin=sla.round_robin)
        self.tickets = tickets
        self.outbox = outbox  # answers, resolutions and escalations leave through it
        self.texts = texts
        self.clock = clock
        self.wake = wake
        self._console_page = CONSOLE.read_text(encoding="utf-8")

    def __repr__(self) -> str:
        return "AgentApi(/api)"

    def routes(self) -> list[web.RouteDef]:
        guard = self._authenticated
        ticket = "/api/tickets/" + TICKET_ID
        return [
            web.get("/api/openapi.json", self._openapi),
            web.get("/console", self._console),
            web.get("/api/canned", guard(self._canned, query=("language",))),
            web.get("/api/tickets", guard(self._list, query=LIST_QUERY)),
            web.get(ticket, guard(self._get)),
            web.patch(ticket, guard(self._patch, "supervisor")),
            web.post(ticket + "/claim", guard(self._claim)),
            web.post(ticket + "/reply", guard(self._reply)),
            web.post(ticket + "/notes", guard(self._note)),
            web.post(ticket + "/resolve", guard(self._resolve)),
            web.post(ticket + "/reopen", guard(self._reopen)),
            web.post(ticket + "/snooze", guard(self._snooze)),
            web.post(ticket + "/escalate", guard(self._escalate)),
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
        return await self.tickets.agent_by_token_hash(hashed)

    async def _list(self, request: web.Request, agent: AgentRecord) -> web.StreamResponse:
        filters: dict[str, Any] = {}
        for key in ("status", "category", "channel", "language"):
            if key in request.query:
                filters[key] = request.query[key]
        filters["search"] = request.query.get("q", "").strip()
        if len(filters["search"]) > SEARCH_MAX:
            raise _refusal(400, f"q must be at most {SEARCH_MAX} characters")
        ranges = {"priority": (1, 3), "assignee": (1, MAX_NUMBER), "tier": (1, MAX_TIER)}
        ranges["limit"] = (1, MAX_LIST)
        if request.query.get("assignee") == "none":  # the unclaimed queue
            filters["unassigned"] = True
            del ranges["assignee"]
        for key, (low, high) in ranges.items():
            if key in request.query:
                value = request.query[key]
                if not _DIGITS.match(value) or not low <= int(value) <= high:
                    extra = " or none" if key == "assignee" else ""
                    raise _refusal(400, f"{key} must be a number from {low} to {high}{extra}")
                filters[key] = int(value)
        if filters.get("status") not in (None, *STATUSES, "snoozed"):
            raise _refusal(400, f"status must be one of {', '.join(STATUSES)} or snoozed")
        now = self.clock()
        tickets = await self.tickets.list(agent, now, **filters)
        for ticket in tickets:
            target = timedelta(minutes=self.sla.target(ticket["category"]))
            ticket["sla_due_at"] = ticket["created_at"] + target
            ticket["snoozed"] = _snoozed(ticket, now)
        return _json({"tickets": tickets})

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

    async def _ticket(self, request: web.Request, agent: AgentRecord) -> dict[str, Any]:
        """The ticket, if ``agent`` may see it: the rule the queue's list applies."""
        ticket = await self.tickets.get(int(request.match_info["id"]))
        if ticket is None:
            raise _refusal(404, "no such ticket")
        if not agent.may_see(ticket):
            if ticket["assignee_id"] not in (None, agent.id):
                raise _refusal(403, "this ticket is assigned to another agent")
            raise _refusal(403, f"the ticket is at tier {ticket['tier']}, above yours")
        return ticket

    async def _get(self, request: web.Request, agent: AgentRecord) -> web.StreamResponse:
        ticket = await self._ticket(request, agent)
        ticket["snoozed"] = _snoozed(ticket, self.clock())
        # the person across platforms: linked accounts and their other conversations
        ticket["customer"] = await self.links.customer(ticket["conversation_id"])
        ticket["audit"] = await self.desk.history(ticket["id"])  # who did what, oldest first
        return _json(ticket)

    async def _claim(self, request: web.Request, agent: AgentRecord) -> web.StreamResponse:
        ticket_id = int(request.match_info["id"])
        won, ticket = await self.desk.claim(ticket_id, agent, self.clock())
        if won:
            return _json({"id": ticket_id, "assignee_id": agent.id})
        if ticket is None:
            raise _refusal(404, "no such ticket")
        if ticket["tier"] > agent.takes_tier and ticket["assignee_id"] is None:
            raise _refusal(403, f"the ticket is at tier {ticket['tier']}, above yours")
        raise _refusal(409, "the ticket was claimed by someone else or is resolved")

    async def _owned(self, request: web.Request, agent: AgentRecord) -> dict[str, Any]:
        ticket = await self._ticket(request, agent)
        if not agent.sees_all and ticket["assignee_id"] != agent.id:
            raise _refusal(403, "claim the ticket first")
        return ticket

    async def _reply(self, request: web.Request, agent: AgentRecord) -> web.StreamResponse:
        ticket = await self._owned(request, agent)
        text = await _text_field(request)
        reply = Reply(chat_id=ticket["chat_id"], text=text)
        rows = self.outbox.rows(
            [reply], ticket["channel"], ticket["conversation_id"], sender=f"agent:{agent.name}"
        )
        if not await self.desk.reply(ticket["id"], agent, rows, self.clock()):
            raise _refusal(409, "the ticket is resolved; reopen it to reply")
        self.wake()
        return _json({"id": ticket["id"], "queued": len(rows)}, status=202)

    async def _note(self, request: web.Request, agent: AgentRecord) -> web.StreamResponse:
        ticket = await self._ticket(request, agent)
        text = await _text_field(request)
        await self.desk.note(ticket["id"], agent, text, self.clock())
        return _json({"id": ticket["id"]}, status=201)

    async def _resolve(self, request: web.Request, agent: AgentRecord) -> web.StreamResponse:
        ticket = await self._owned(request, agent)
        reply = resolution_reply(ticket, self.texts)
        rows = self.outbox.rows([reply], ticket["channel"], ticket["conversation_id"])
        if not await self.desk.set_status(ticket["id"], agent, "resolved", rows, self.clock()):
            raise _refusal(409, "the ticket is resolved already")
        self.wake()
        return _json({"id": ticket["id"], "status": "resolved"})

    async def _reopen(self, request: web.Request, agent: AgentRecord) -> web.StreamResponse:
        ticket = await self._ticket(request, agent)
        reply = Reply(
            chat_id=ticket["chat_id"],
            text=self.texts.get("tickets.reopened", ticket["language"], number=ticket["id"]),
        )
        rows = self.outbox.rows([reply], ticket["channel"], ticket["conversation_id"])
        if not await self.desk.set_status(ticket["id"], agent, "open", rows, self.clock()):
            raise _refusal(409, "only a resolved ticket can be reopened")
        self.wake()
        return _json({"id": ticket["id"], "status": "open"})

    async def _patch(self, request: web.Request, agent: AgentRecord) -> web.StreamResponse:
        body = await _body(request, ("category", "priority", "tier"))
        values: dict[str, Any] = {}
        if "category" in body:
            category = body["category"]
            if not isinstance(category, str) or not 1 <= len(category) <= 32:
                raise _refusal(400, "category must be a string of 1 to 32 characters")
            values["category"] = category
        if "priority" in body:
            if body["priority"] not in (1, 2, 3):
                raise _refusal(400, "priority must be 1 (urgent), 2 (normal) or 3 (low)")
            values["priority"] = body["priority"]
        if "tier" in body:
            if body["tier"] not in range(1, MAX_TIER + 1):
                raise _refusal(400, f"tier must be 1 to {MAX_TIER}")
            values["tier"] = body["tier"]
        if not values:
            raise _refusal(400, "give category, priority and/or tier")
        ticket_id = int(request.match_info["id"])
        if not await self.desk.update_fields(ticket_id, agent, values, self.clock()):
            raise _refusal(404, "no such ticket")
        return _json({"id": ticket_id, **values})

    async def _snooze(self, request: web.Request, agent: AgentRecord) -> web.StreamResponse:
        """``{"until": ISO 8601}`` or ``{"minutes": n}`` hides the ticket from the
        queue until then; ``{"until": null}`` shows it again."""
        ticket = await self._ticket(request, agent)
        body = await _body(request, ("until", "minutes"))
        now = self.clock()
        until: datetime | None
        most = self.sla.max_snooze_days * 24 * 60
        if len(body) > 1:
            raise _refusal(400, "give until or minutes, not both")
        if "minutes" in body:
            minutes = body["minutes"]
            if not isinstance(minutes, int) or isinstance(minutes, bool) or minutes <= 0:
                raise _refusal(400, "minutes must be a positive whole number")
            if minutes > most:
                days = self.sla.max_snooze_days
                raise _refusal(400, f"a ticket can be snoozed {days} days ({most} minutes) at most")
            until = now + timedelta(minutes=minutes)
        elif "until" in body:
            until = _instant(body["until"]) if body["until"] is not None else None
        else:
            raise _refusal(400, "give until (ISO 8601, or null to unsnooze) or minutes")
        if until is not None and until <= now:
            raise _refusal(400, "until must be in the future")
        if until is not None and until > now + timedelta(days=self.sla.max_snooze_days):
            raise _refusal(400, f"a ticket can be snoozed {self.sla.max_snooze_days} days at most")
        if not await self.desk.snooze(ticket["id"], agent, until, now):
            raise _refusal(409, "a resolved ticket cannot be snoozed")
        return _json({"id": ticket["id"], "snoozed_until": until, "snoozed": until is not None})

    async def _escalate(self, request: web.Request, agent: AgentRecord) -> web.StreamResponse:
        """Up one support tier, back to that tier's queue; the staff chats are told."""
        ticket = await self._owned(request, agent)
        body = await _body(request, ("reason",)) if request.can_read_body else {}
        reason = body.get("reason", "")
        if not isinstance(reason, str):
            raise _refusal(400, "reason must be text")
        tier = ticket["tier"] + 1
        text = self.texts.get(
            "tickets.staff_escalated",
            "en",
            number=ticket["id"],
            category=ticket["category"],
            tier=tier,
            agent=agent.name,
            reason=reason.strip()[:300],
        )
        claim = Button(
            label=self.texts.get("tickets.staff_claim", "en"),
            data=f"{STAFF_CALLBACK}claim:{ticket['id']}",
        )
        rows = self.outbox.rows([AlertStaff(text=text.strip(), buttons=((claim,),))], "")
        note = self.texts.get("tickets.note_escalated", "en", tier=tier, reason=reason.strip())
        done = await self.desk.escalate(ticket["id"], agent, note.strip(), rows, self.clock())
        if done is None:
            raise _refusal(409, f"the ticket is resolved or at tier {MAX_TIER} already")
        self.wake()
        return _json({"id": ticket["id"], "tier": done[0], "assignee": done[1]})

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


def _snoozed(ticket: dict[str, Any], now: datetime) -> bool:
    until = ticket.get("snoozed_until")
    return until is not None and until > now
