"""What every answer of the one server carries against a hostile browser or client.

- Pages (the console, the web chat) get a Content-Security-Policy that allows their own
  inline script and style by hash, and this origin's files, nothing else: no other
  origin's scripts, no framing (``frame-ancestors 'none'`` and ``X-Frame-Options:
  DENY``, so no page can overlay the console to steal an agent's clicks), connections
  to this origin only.
- Every answer: ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy: no-referrer``;
  there is no ``Access-Control-Allow-Origin``, so another origin's page cannot read an
  answer (the API also needs a bearer token, which a browser never sends by itself).
- Request bodies are capped per route: the agent API takes small JSON, a notice a
  little more, the platforms' webhooks their largest updates; past that, 413.
- Errors under ``/api/`` are JSON (``{"error": ...}``) whoever raised them (the router's
  404 and 405 too), as the OpenAPI document says.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Awaitable, Callable, Sequence

from aiohttp import web

from channels.base import MAX_FILE_BYTES

KIB = 1024
# (path prefix, largest body in bytes): the first match wins
BODY_LIMITS: tuple[tuple[str, int], ...] = (
    # an image as base64 in JSON, and a file from the web chat; the configured
    # [attachments] max_bytes is checked by the routes themselves
    ("/api/attachments", MAX_FILE_BYTES * 4 // 3 + 64 * KIB),
    ("/chat/upload", MAX_FILE_BYTES + 64 * KIB),
    ("/api/broadcasts", 256 * KIB),  # a notice in twelve languages with its buttons
    ("/api/", 64 * KIB),  # replies, notes, fields: an agent's text is a few KB
)
WEBHOOK_LIMIT = 1024 * KIB  # Telegram's and X's largest updates are well under this
# the web chat's frames come over its websocket, capped there (channels.webchat.MAX_FRAME)
LARGEST_BODY = max(WEBHOOK_LIMIT, *(size for _, size in BODY_LIMITS))

_INLINE = re.compile(r"<(script|style)>(.*?)</\1>", re.DOTALL)
_EVERY_ANSWER = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}
_NOT_A_PAGE = "default-src 'none'; frame-ancestors 'none'"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def body_limit(path: str, limits: Sequence[tuple[str, int]] = BODY_LIMITS) -> int:
    """The largest request body ``path`` accepts."""
    return next((size for prefix, size in limits if path.startswith(prefix)), WEBHOOK_LIMIT)


def page_policy(html: str) -> str:
    """The Content-Security-Policy of a page: its own inline blocks, by hash."""
    sources: dict[str, list[str]] = {"script": [], "style": []}
    for kind, content in _INLINE.findall(html):
        digest = base64.b64encode(hashlib.sha256(content.encode()).digest()).decode()
        sources[kind].append(f"'sha256-{digest}'")
    return "; ".join(
        (
            "default-src 'none'",
            " ".join(("script-src 'self'", *sources["script"])),
            " ".join(("style-src 'self'", *sources["style"])),
            "connect-src 'self'",
            "img-src 'self' data:",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        )
    )


@web.middleware
async def harden(request: web.Request, handler: Handler) -> web.StreamResponse:
    """The headers above on every answer, the body cap, JSON errors under ``/api/``."""
    limit = body_limit(request.path)
    if request.content_length is not None and request.content_length > limit:
        response: web.StreamResponse = _too_large(request, limit)
    else:
        try:
            response = await handler(request.clone(client_max_size=limit))
        except web.HTTPException as exc:
            if not request.path.startswith("/api/") or exc.content_type == "application/json":
                exc.headers.update(_EVERY_ANSWER)
                exc.headers.setdefault("Content-Security-Policy", _NOT_A_PAGE)
                raise
            response = web.json_response(
                {"error": exc.reason.lower()}, status=exc.status, headers=_kept(exc)
            )
    if response.prepared:  # a websocket: its headers are gone already
        return response
    response.headers.update(_EVERY_ANSWER)
    if isinstance(response, web.Response) and response.content_type == "text/html":
        response.headers["Content-Security-Policy"] = page_policy(response.text or "")
    else:
        response.headers.setdefault("Content-Security-Policy", _NOT_A_PAGE)
    return response


def _too_large(request: web.Request, limit: int) -> web.Response:
    message = f"the body is larger than this route's {limit // KIB} KiB"
    if request.path.startswith("/api/"):
        return web.json_response({"error": message}, status=413)
    return web.Response(status=413, text=message)


def _kept(exc: web.HTTPException) -> dict[str, str]:
    """The headers of a refusal worth keeping on its JSON form (405's Allow, ...)."""
    dropped = {"content-type", "content-length"}
    return {k: v for k, v in exc.headers.items() if k.lower() not in dropped}
