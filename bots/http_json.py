"""JSON in and out of the REST API: bodies read strictly, answers and refusals.

Every API module (tickets, broadcasts, agents) reads and answers the same way: a body
that is not a JSON object of the expected fields is a 400 naming the problem, never a
traceback, and every refusal is ``{"error": message}`` with its status.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from aiohttp import web


async def read_body(request: web.Request, fields: tuple[str, ...] | None = None) -> dict[str, Any]:
    """The JSON object in the body; with ``fields``, only those keys may be in it.

    Anything else is a 400 naming the problem, never a traceback: not JSON, not an
    object, nested deeper than a parser's stack, text that is not Unicode."""
    try:
        body = json.loads(await request.read())
        json.dumps(body, ensure_ascii=False).encode()  # lone surrogates: not storable text
    except (ValueError, RecursionError):
        raise refusal(400, "the body must be a JSON object") from None
    if not isinstance(body, dict):
        raise refusal(400, "the body must be a JSON object")
    unknown = sorted(set(body) - set(fields)) if fields is not None else []
    if unknown:
        raise refusal(400, f"unknown field {unknown[0]!r}; give {', '.join(fields or ())}")
    return body


async def text_field(request: web.Request) -> str:
    """The body's one ``text`` field, stripped; empty or missing is a 400."""
    body = await read_body(request, ("text",))
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        raise refusal(400, "text must be a non-empty string")
    return text.strip()


def instant(value: Any) -> datetime:
    """An ISO 8601 instant with its offset; a time without one is ambiguous: 400."""
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise refusal(400, "until must be an ISO 8601 instant with its offset (…Z or +hh:mm)")
    return moment


def answer(data: Any, status: int = 200) -> web.Response:
    """``data`` as JSON, datetimes as ISO 8601."""
    return web.json_response(data, status=status, dumps=lambda d: json.dumps(d, default=_iso))


def _iso(value: Any) -> str:
    """Datetimes as ISO 8601 (what browsers parse); anything else as its text."""
    return value.isoformat() if isinstance(value, datetime) else str(value)


_REFUSALS: dict[int, type[web.HTTPException]] = {
    400: web.HTTPBadRequest,
    401: web.HTTPUnauthorized,
    403: web.HTTPForbidden,
    404: web.HTTPNotFound,
    409: web.HTTPConflict,
}


def refusal(status: int, message: str, headers: dict[str, str] | None = None) -> web.HTTPException:
    """An error answer to raise: ``{"error": message}`` with the status."""
    return _REFUSALS[status](
        text=json.dumps({"error": message}), content_type="application/json", headers=headers
    )
