"""``/api/tickets``: the queue, one ticket, and what an agent does to it (claim,
answer, note, resolve, reopen, change, snooze, escalate).

Every route is behind the agent API's token check (:meth:`bots.api.AgentApi.guard`);
each one that touches a ticket checks, for that ticket, the rule the queue's list
applies (:meth:`storage.agents.AgentRecord.may_see`), and answering, resolving and
escalating need the ticket claimed (supervisors and admins excepted). Every change is
audited in its own transaction (:class:`storage.audit.AuditedDesk`); what the user
must hear goes through the outbox in that same transaction.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web

from bots.http_json import answer as _json
from bots.http_json import instant as _instant
from bots.http_json import read_body as _body
from bots.http_json import refusal as _refusal
from bots.http_json import text_field as _text_field
from bots.openapi import MAX_NUMBER
from bots.records_json import plain
from channels.base import Button, Reply
from handlers.outbox_rows import Outbox
from handlers.requests import AlertStaff
from handlers.staffdesk import STAFF_CALLBACK, resolution_reply
from handlers.texts import Texts
from scheduler.sla import SlaSettings
from storage.agents import AgentRecord
from storage.audit import AuditedDesk
from storage.links import LinkStore
from storage.queue import MAX_TIER
from storage.ticket_query import SEARCH_MAX
from storage.ticket_records import TicketFields, TicketFilters, TicketView
from storage.ticket_views import TicketViews

Clock = Callable[[], datetime]
Handler = Callable[[web.Request, AgentRecord], Awaitable[web.StreamResponse]]
Guard = Callable[..., Callable[..., Any]]
STATUSES = ("open", "pending", "resolved")
MAX_LIST = 500
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


class TicketsApi:
    """The ticket routes of the agents' API; built by :class:`bots.api.AgentApi`."""

    def __init__(
        self,
        views: TicketViews,
        desk: AuditedDesk,
        links: LinkStore,
        outbox: Outbox,
        texts: Texts,
        clock: Clock,
        wake: Callable[[], None],
        sla: SlaSettings,
    ) -> None:
        self.views = views
        self.desk = desk
        self.links = links
        self.outbox = outbox  # answers, resolutions and escalations leave through it
        self.texts = texts
        self.clock = clock
        self.wake = wake
        self.sla = sla

    def __repr__(self) -> str:
        return "TicketsApi(/api/tickets)"

    def routes(self, guard: Guard) -> list[web.RouteDef]:
        ticket = "/api/tickets/" + TICKET_ID
        return [
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
        ]

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
        tickets = await self.views.list(agent, now, TicketFilters(**filters))
        listed = [
            plain(ticket)
            | {
                "sla_due_at": ticket.created_at
                + timedelta(minutes=self.sla.target(ticket.category)),
                "snoozed": ticket.snoozed(now),
            }
            for ticket in tickets
        ]
        return _json({"tickets": listed})

    async def _ticket(self, request: web.Request, agent: AgentRecord) -> TicketView:
        """The ticket, if ``agent`` may see it: the rule the queue's list applies."""
        ticket = await self.views.get(int(request.match_info["id"]))
        if ticket is None:
            raise _refusal(404, "no such ticket")
        if not agent.may_see(ticket):
            if ticket.assignee_id not in (None, agent.id):
                raise _refusal(403, "this ticket is assigned to another agent")
            raise _refusal(403, f"the ticket is at tier {ticket.tier}, above yours")
        return ticket

    async def _get(self, request: web.Request, agent: AgentRecord) -> web.StreamResponse:
        ticket = await self._ticket(request, agent)
        # the person across platforms: linked accounts and their other conversations
        customer = await self.links.customer(ticket.conversation_id)
        audit = await self.desk.history(ticket.id)  # who did what, oldest first
        return _json(
            plain(ticket)
            | {
                "snoozed": ticket.snoozed(self.clock()),
                "customer": plain(customer),
                "audit": plain(audit),
            }
        )

    async def _claim(self, request: web.Request, agent: AgentRecord) -> web.StreamResponse:
        ticket_id = int(request.match_info["id"])
        won, ticket = await self.desk.claim(ticket_id, agent, self.clock())
        if won:
            return _json({"id": ticket_id, "assignee_id": agent.id})
        if ticket is None:
            raise _refusal(404, "no such ticket")
        if ticket.tier > agent.takes_tier and ticket.assignee_id is None:
            raise _refusal(403, f"the ticket is at tier {ticket.tier}, above yours")
        raise _refusal(409, "the ticket was claimed by someone else or is resolved")

    async def _owned(self, request: web.Request, agent: AgentRecord) -> TicketView:
        ticket = await self._ticket(request, agent)
        if not agent.sees_all and ticket.assignee_id != agent.id:
            raise _refusal(403, "claim the ticket first")
        return ticket

    async def _reply(self, request: web.Request, agent: AgentRecord) -> web.StreamResponse:
        ticket = await self._owned(request, agent)
        text = await _text_field(request)
        reply = Reply(chat_id=ticket.chat_id, text=text)
        rows = self.outbox.rows(
            [reply], ticket.channel, ticket.conversation_id, sender=f"agent:{agent.name}"
        )
        if not await self.desk.reply(ticket.id, agent, rows, self.clock()):
            raise _refusal(409, "the ticket is resolved; reopen it to reply")
        self.wake()
        return _json({"id": ticket.id, "queued": len(rows)}, status=202)

    async def _note(self, request: web.Request, agent: AgentRecord) -> web.StreamResponse:
        ticket = await self._ticket(request, agent)
        text = await _text_field(request)
        await self.desk.note(ticket.id, agent, text, self.clock())
        return _json({"id": ticket.id}, status=201)

    async def _resolve(self, request: web.Request, agent: AgentRecord) -> web.StreamResponse:
        ticket = await self._owned(request, agent)
        reply = resolution_reply(ticket, self.texts)
        rows = self.outbox.rows([reply], ticket.channel, ticket.conversation_id)
        if not await self.desk.set_status(ticket.id, agent, "resolved", rows, self.clock()):
            raise _refusal(409, "the ticket is resolved already")
        self.wake()
        return _json({"id": ticket.id, "status": "resolved"})

    async def _reopen(self, request: web.Request, agent: AgentRecord) -> web.StreamResponse:
        ticket = await self._ticket(request, agent)
        reply = Reply(
            chat_id=ticket.chat_id,
            text=self.texts.get("tickets.reopened", ticket.language, number=ticket.id),
        )
        rows = self.outbox.rows([reply], ticket.channel, ticket.conversation_id)
        if not await self.desk.set_status(ticket.id, agent, "open", rows, self.clock()):
            raise _refusal(409, "only a resolved ticket can be reopened")
        self.wake()
        return _json({"id": ticket.id, "status": "open"})

    async def _patch(self, request: web.Request, agent: AgentRecord) -> web.StreamResponse:
        body = await _body(request, ("category", "priority", "tier"))
        category = priority = tier = None
        if "category" in body:
            category = body["category"]
            if not isinstance(category, str) or not 1 <= len(category) <= 32:
                raise _refusal(400, "category must be a string of 1 to 32 characters")
        if "priority" in body:
            priority = body["priority"]
            if priority not in (1, 2, 3):
                raise _refusal(400, "priority must be 1 (urgent), 2 (normal) or 3 (low)")
        if "tier" in body:
            tier = body["tier"]
            if tier not in range(1, MAX_TIER + 1):
                raise _refusal(400, f"tier must be 1 to {MAX_TIER}")
        fields = TicketFields(category=category, priority=priority, tier=tier)
        if not fields.given():
            raise _refusal(400, "give category, priority and/or tier")
        ticket_id = int(request.match_info["id"])
        if not await self.desk.update_fields(ticket_id, agent, fields, self.clock()):
            raise _refusal(404, "no such ticket")
        return _json({"id": ticket_id, **fields.given()})

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
        if not await self.desk.snooze(ticket.id, agent, until, now):
            raise _refusal(409, "a resolved ticket cannot be snoozed")
        return _json({"id": ticket.id, "snoozed_until": until, "snoozed": until is not None})

    async def _escalate(self, request: web.Request, agent: AgentRecord) -> web.StreamResponse:
        """Up one support tier, back to that tier's queue; the staff chats are told."""
        ticket = await self._owned(request, agent)
        body = await _body(request, ("reason",)) if request.can_read_body else {}
        reason = body.get("reason", "")
        if not isinstance(reason, str):
            raise _refusal(400, "reason must be text")
        tier = ticket.tier + 1
        text = self.texts.get(
            "tickets.staff_escalated",
            "en",
            number=ticket.id,
            category=ticket.category,
            tier=tier,
            agent=agent.name,
            reason=reason.strip()[:300],
        )
        claim = Button(
            label=self.texts.get("tickets.staff_claim", "en"),
            data=f"{STAFF_CALLBACK}claim:{ticket.id}",
        )
        rows = self.outbox.rows([AlertStaff(text=text.strip(), buttons=((claim,),))], "")
        note = self.texts.get("tickets.note_escalated", "en", tier=tier, reason=reason.strip())
        done = await self.desk.escalate(ticket.id, agent, note.strip(), rows, self.clock())
        if done is None:
            raise _refusal(409, f"the ticket is resolved or at tier {MAX_TIER} already")
        self.wake()
        return _json({"id": ticket.id, "tier": done[0], "assignee": done[1]})
