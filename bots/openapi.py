"""The OpenAPI document served at ``/api/openapi.json``: the agent and broadcast APIs
as they really answer.

Each operation lists the role it needs (``x-role``), its request body and query
parameters exactly as the handlers check them, and every status it can answer with, so
a client (or schemathesis, which the test suite runs against this document) finds no
surprise: 400 a malformed request, 401 no valid token, 403 the role or tier does not
allow it, 404 no such ticket or notice, 409 the ticket's or notice's state forbids it.
Errors are ``{"error": "..."}``.
"""

from __future__ import annotations

from typing import Any

from bots.attachments_openapi import attachment_paths

MAX_ID = 999_999_999_999_999_999  # ids have at most 18 digits (the routes say so too)
MAX_NUMBER = 999_999_999  # an agent id in a query parameter

_ERROR = {
    "type": "object",
    "properties": {"error": {"type": "string"}},
    "required": ["error"],
}
_JSON_OBJECT = {"application/json": {"schema": {"type": "object"}}}
_STATUS_TEXT = {
    "400": "the request is malformed (the error names the field or parameter)",
    "401": "no valid bearer token",
    "403": "the caller's role or tier does not allow it",
    "404": "no such ticket, notice or agent",
    "409": "the ticket's or notice's state does not allow it now",
}
_WINDOW_START = "an ISO date (a whole UTC day) or date-time; default: 7 days before until"
_WINDOW_END = "an ISO date (that day included) or date-time; default: now"
_TEXT = {  # the text an agent writes: something besides white space
    "type": "object",
    "properties": {"text": {"type": "string", "pattern": "\\S"}},
    "required": ["text"],
    "additionalProperties": False,
}


def _op(
    summary: str,
    *,
    role: str = "agent",
    ok: str = "200",
    errors: tuple[str, ...] = (),
    body: dict[str, Any] | None = None,
    body_required: bool = True,
    query: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    statuses = {"400", "401", "403", *errors}  # 400: any unknown query parameter
    responses: dict[str, Any] = {ok: {"description": "done", "content": _JSON_OBJECT}}
    for status in sorted(statuses):
        responses[status] = {
            "description": _STATUS_TEXT[status],
            "content": {"application/json": {"schema": _ERROR}},
        }
    op: dict[str, Any] = {
        "summary": summary,
        "security": [{"bearer": []}],
        "x-role": role,
        "responses": responses,
    }
    if body is not None:
        op["requestBody"] = {
            "required": body_required,
            "content": {"application/json": {"schema": body}},
        }
    if query:
        op["parameters"] = query
    return op


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


def _number(low: int, high: int) -> dict[str, Any]:
    return {"type": "integer", "minimum": low, "maximum": high}


def openapi(*, max_snooze_minutes: int, max_list: int, max_tier: int) -> dict[str, Any]:
    """The document, with the limits of this bot's configuration."""
    ticket = [
        {"name": "id", "in": "path", "required": True, "schema": _number(1, MAX_ID)},
    ]
    notice = [
        {
            "name": "id",
            "in": "path",
            "required": True,
            "schema": {"type": "string", "pattern": "^[A-Za-z0-9-]{1,64}$"},
            "description": "the notice's number or its short id (N-…)",
        }
    ]
    tier = _number(1, max_tier)
    agent = [
        {
            "name": "name",
            "in": "path",
            "required": True,
            "schema": {"type": "string", "pattern": "^[^/]{1,128}$"},
            "description": "the agent's name",
        }
    ]
    listing = [
        _query(
            "status",
            {"type": "string", "enum": ["open", "pending", "resolved", "snoozed"]},
            "snoozed: only the snoozed tickets, which the others leave out",
        ),
        _query("category", {"type": "string"}, "the intake's category"),
        _query("priority", _number(1, 3), "1 urgent, 2 normal, 3 low"),
        _query("tier", tier, "support tier"),
        _query("channel", {"type": "string"}, "the platform the user wrote from"),
        _query("language", {"type": "string"}, "the user's language code"),
        _query(
            "assignee",
            {"oneOf": [_number(1, MAX_NUMBER), {"type": "string", "enum": ["none"]}]},
            "an agent's id, or none: the unclaimed queue",
        ),
        _query(
            "limit", _number(1, max_list), f"a page of tickets (default 100, at most {max_list})"
        ),
        _query(
            "q",
            {"type": "string", "maxLength": 200},
            "search, every status: a ticket number, the user, words they wrote, a tx hash, "
            "address or UID",
        ),
    ]
    patch = {
        "type": "object",
        "properties": {
            "category": {"type": "string", "minLength": 1, "maxLength": 32},
            "priority": {"type": "integer", "enum": [1, 2, 3]},
            "tier": tier,
        },
        "minProperties": 1,
        "additionalProperties": False,
    }
    snooze = {
        "oneOf": [
            {
                "type": "object",
                "properties": {"minutes": _number(1, max_snooze_minutes)},
                "required": ["minutes"],
                "additionalProperties": False,
            },
            {
                "type": "object",
                "properties": {
                    "until": {
                        "type": ["string", "null"],
                        "format": "date-time",
                        "description": "a future instant within the snooze limit; null: now",
                    }
                },
                "required": ["until"],
                "additionalProperties": False,
            },
        ]
    }
    escalate = {
        "type": "object",
        "properties": {"reason": {"type": "string"}},
        "additionalProperties": False,
    }
    presence = {
        "type": "object",
        "properties": {"online": {"type": "boolean"}},
        "required": ["online"],
        "additionalProperties": False,
    }
    send = {
        "type": "object",
        "properties": {
            "at": {"type": "string", "format": "date-time", "description": "a future instant"}
        },
        "additionalProperties": False,
    }
    manager = "manager"
    return {
        "openapi": "3.1.0",
        "info": {"title": "socialdesk agent API", "version": "1"},
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "paths": {
            "/api/tickets": {
                "get": _op(
                    "List the tickets the caller may work, by priority then age",
                    errors=("400",),
                    query=listing,
                )
            },
            "/api/tickets/{id}": {
                "parameters": ticket,
                "get": _op(
                    "A ticket with its transcript, notes, and customer (linked accounts "
                    "and their other conversations)",
                    errors=("404",),
                ),
                "patch": _op(
                    "Change category, priority and/or tier",
                    role="supervisor",
                    errors=("400", "404"),
                    body=patch,
                ),
            },
            "/api/tickets/{id}/claim": {
                "parameters": ticket,
                "post": _op("Claim an unassigned ticket of your tier", errors=("404", "409")),
            },
            "/api/tickets/{id}/reply": {
                "parameters": ticket,
                "post": _op(
                    "Reply to the user", ok="202", errors=("400", "404", "409"), body=_TEXT
                ),
            },
            "/api/tickets/{id}/notes": {
                "parameters": ticket,
                "post": _op("Add an internal note", ok="201", errors=("400", "404"), body=_TEXT),
            },
            "/api/tickets/{id}/resolve": {
                "parameters": ticket,
                "post": _op("Resolve and ask the user for a rating", errors=("404", "409")),
            },
            "/api/tickets/{id}/reopen": {
                "parameters": ticket,
                "post": _op("Reopen a resolved ticket", errors=("404", "409")),
            },
            "/api/tickets/{id}/snooze": {
                "parameters": ticket,
                "post": _op(
                    "Hide from the queue for some minutes or until a time (until null: "
                    "show it again now)",
                    errors=("400", "404", "409"),
                    body=snooze,
                ),
            },
            "/api/tickets/{id}/escalate": {
                "parameters": ticket,
                "post": _op(
                    "Up one support tier, back to its queue",
                    errors=("400", "404", "409"),
                    body=escalate,
                    body_required=False,
                ),
            },
            "/api/agents": {"get": _op("Every agent, disabled or not", role="admin")},
            "/api/agents/{name}/disable": {
                "parameters": agent,
                "post": _op(
                    "Disable: their token and staff-chat accounts stop working at once",
                    role="admin",
                    errors=("404", "409"),
                ),
            },
            "/api/agents/{name}/rotate": {
                "parameters": agent,
                "post": _op(
                    "A new token for the agent, answered once; the old one stops working",
                    role="admin",
                    errors=("404",),
                ),
            },
            "/api/agents/me": {
                "get": _op("Who the token belongs to: name, role, tier", role="any")
            },
            "/api/agents/me/presence": {
                "post": _op(
                    "Go online or offline for round-robin assignment",
                    errors=("400",),
                    body=presence,
                )
            },
            "/api/canned": {
                "get": _op(
                    "Canned replies in a language",
                    query=[_query("language", {"type": "string"}, "a language code (en)")],
                )
            },
            "/api/reports": {
                "get": _op(
                    "Support figures of a window: first response and resolution p50/p90, "
                    "CSAT, the bot's share, volume, agents, incidents (what "
                    "`socialdesk report --json` prints)",
                    role="supervisor",
                    query=[
                        _query("since", {"type": "string"}, _WINDOW_START),
                        _query("until", {"type": "string"}, _WINDOW_END),
                    ],
                )
            },
            "/api/broadcasts": {
                "get": _op("List broadcasts, newest first", role=manager),
                "post": _op(
                    "Create a draft from a notice (JSON, as the TOML file in the README)",
                    role=manager,
                    ok="201",
                    errors=("400",),
                    body={"type": "object"},
                ),
            },
            "/api/broadcasts/{id}": {
                "parameters": notice,
                "get": _op(
                    "Status and report per channel and language", role=manager, errors=("404",)
                ),
            },
            "/api/broadcasts/{id}/preview": {
                "parameters": notice,
                "get": _op(
                    "Texts as recipients see them, recipients counted",
                    role=manager,
                    errors=("404",),
                ),
            },
            "/api/broadcasts/{id}/approve": {
                "parameters": notice,
                "post": _op(
                    "Approve (a manager other than the creator)",
                    role=manager,
                    errors=("404", "409"),
                ),
            },
            "/api/broadcasts/{id}/send": {
                "parameters": notice,
                "post": _op(
                    "Send now, or schedule at a time",
                    role=manager,
                    ok="202",
                    errors=("400", "404", "409"),
                    body=send,
                    body_required=False,
                ),
            },
            "/api/broadcasts/{id}/cancel": {
                "parameters": notice,
                "post": _op(
                    "Cancel; messages not yet sent are withdrawn",
                    role=manager,
                    errors=("404", "409"),
                ),
            },
            **attachment_paths(ticket, _number(1, MAX_ID)),
        },
    }
