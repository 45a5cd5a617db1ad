"""Files in the agents' API: a ticket's files, each file's bytes, and answers with an
image (an agent's screenshot).

- ``GET /api/tickets/{id}/attachments``: the files of the ticket's conversation, as
  its transcript shows that conversation, without their bytes.
- ``GET /api/attachments/{id}``: the bytes, with the type their content was checked to
  be; images inline, anything else as a download (``Content-Disposition:
  attachment``), never sniffed (``X-Content-Type-Options: nosniff``).
- ``POST /api/attachments``: ``{"ticket_id", "data" (base64), "name"?, "text"?}``
  answers the ticket with the image: the text first, then the image, through the
  outbox, which names the kept file by id.

Every call needs an agent's bearer token and the right to see the ticket (the queue's
rule); answering needs the ticket claimed, as a text reply does.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from aiohttp import web

from bots.api import TICKET_ID, _json, _refusal
from bots.openapi import MAX_ID
from bots.records_json import plain
from channels.base import Action, Channel, Image, Reply
from handlers.attachments import IMAGES, AttachmentIntake, content_type, download_name
from handlers.outbox_rows import Outbox
from handlers.texts import Texts
from storage.agents import AgentRecord
from storage.attachments import AttachmentStore, NewFile
from storage.store import NewOutbound
from storage.ticket_records import TicketView
from storage.ticket_views import TicketViews
from storage.tickets import TicketStore

Clock = Callable[[], datetime]
_FIELDS = ("ticket_id", "data", "name", "text")


class AttachmentApi:
    """aiohttp routes for agents' files; ``guard`` is the agent API's token check."""

    def __init__(
        self,
        files: AttachmentStore,
        tickets: TicketStore,
        outbox: Outbox,
        guard: Callable[..., Any],
        *,
        max_bytes: int,
        clock: Clock,
        wake: Callable[[], None],
    ) -> None:
        self.files = files
        self.views = TicketViews(tickets.store)
        self.outbox = outbox
        self.guard = guard
        self.max_bytes = max_bytes
        self.clock = clock
        self.wake = wake

    def __repr__(self) -> str:
        return "AttachmentApi(/api/attachments)"

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get(f"/api/tickets/{TICKET_ID}/attachments", self.guard(self._list)),
            web.get("/api/attachments/" + TICKET_ID, self.guard(self._download)),
            web.post("/api/attachments", self.guard(self._answer)),
        ]

    async def _visible(self, ticket_id: int, agent: AgentRecord) -> TicketView:
        """The ticket, if ``agent`` may see it (the rule the queue applies)."""
        ticket = await self.views.get(ticket_id)
        if ticket is None:
            raise _refusal(404, "no such ticket")
        if not agent.may_see(ticket):
            raise _refusal(403, "this ticket is not yours to see")
        return ticket

    async def _list(self, request: web.Request, agent: AgentRecord) -> web.StreamResponse:
        ticket = await self._visible(int(request.match_info["id"]), agent)
        found = await self.files.of_conversation(ticket.conversation_id)
        listed = [
            plain(item) | {"url": f"/api/attachments/{item.id}", "image": item.mime in IMAGES}
            for item in found
        ]
        return _json({"attachments": listed})

    async def _download(self, request: web.Request, agent: AgentRecord) -> web.StreamResponse:
        attachment_id = int(request.match_info["id"])
        conversation = await self.files.conversation_of(attachment_id)
        if conversation is None:
            raise _refusal(404, "no such file")
        if not agent.sees_all:
            tickets = await self.files.tickets_of(conversation)
            if not any(agent.may_see(t) for t in tickets):
                raise _refusal(403, "this file belongs to a ticket that is not yours to see")
        stored = await self.files.load(attachment_id)
        if stored is None:
            raise _refusal(404, "no such file")
        name = download_name(stored.name, stored.mime, f"file-{attachment_id}")
        disposition = "inline" if stored.mime in IMAGES else "attachment"
        return web.Response(
            body=stored.data,
            content_type=stored.mime,
            headers={
                "Content-Disposition": f'{disposition}; filename="{name}"',
                "X-Content-Type-Options": "nosniff",
                "Cache-Control": "no-store",
            },
        )

    async def _answer(self, request: web.Request, agent: AgentRecord) -> web.StreamResponse:
        body = await _body(request)
        ticket_id, data, name, text = _fields(body)
        image = _decode(data)
        if len(image) > self.max_bytes:
            return _json(
                {"error": f"the image is larger than [attachments] max_bytes ({self.max_bytes})"},
                status=413,
            )
        mime = content_type(image)
        if mime not in IMAGES:
            return _json({"error": "data must be a PNG, JPEG or WebP image"}, status=415)
        ticket = await self._visible(ticket_id, agent)
        if not agent.sees_all and ticket.assignee_id != agent.id:
            raise _refusal(403, "claim the ticket first")
        channel, chat = ticket.channel, ticket.chat_id
        caps = self.outbox.capabilities.get(channel)
        if caps is None or not caps.files:
            raise _refusal(409, f"the user's platform ({channel}) cannot receive images here")
        sender = f"agent:{agent.name}"
        words: list[Action] = [Reply(chat_id=chat, text=text)] if text else []
        conversation = ticket.conversation_id
        rows = self.outbox.rows(words, channel, conversation, sender=sender)

        def send(attachment_id: int) -> NewOutbound:
            image = Image(chat_id=chat, attachment_id=attachment_id)
            (row,) = self.outbox.rows([image], channel, conversation, sender=sender)
            return row

        kept = NewFile(name=download_name(name, mime, "screenshot"), mime=mime, data=image)
        attachment_id = await self.files.answer_with(
            ticket_id, kept, agent.name, rows, send, self.clock()
        )
        if attachment_id is None:
            raise _refusal(409, "the ticket is resolved; reopen it to reply")
        self.wake()
        return _json(
            {"id": ticket_id, "attachment_id": attachment_id, "queued": len(rows) + 1}, status=202
        )


async def _body(request: web.Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.read())
    except (ValueError, RecursionError):
        raise _refusal(400, "the body must be a JSON object") from None
    if not isinstance(body, dict):
        raise _refusal(400, "the body must be a JSON object")
    unknown = sorted(set(body) - set(_FIELDS))
    if unknown:
        raise _refusal(400, f"unknown field {unknown[0]!r}; give {', '.join(_FIELDS)}")
    return body


def _fields(body: dict[str, Any]) -> tuple[int, str, str, str]:
    ticket_id = body.get("ticket_id")
    if not isinstance(ticket_id, int) or isinstance(ticket_id, bool):
        raise _refusal(400, "ticket_id must be a ticket's number")
    if not 1 <= ticket_id <= MAX_ID:
        raise _refusal(400, f"ticket_id must be from 1 to {MAX_ID}")
    data, name, text = body.get("data"), body.get("name", ""), body.get("text", "")
    if not isinstance(data, str) or not data:
        raise _refusal(400, "data must be the image, base64-encoded")
    if not isinstance(name, str) or len(name) > 200:
        raise _refusal(400, "name must be a file name of at most 200 characters")
    if not isinstance(text, str):
        raise _refusal(400, "text must be a string")
    try:
        text.encode()
    except UnicodeEncodeError:
        raise _refusal(400, "text must be Unicode text") from None
    return ticket_id, data, name, text.strip()


def _decode(data: str) -> bytes:
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise _refusal(400, "data must be base64 (RFC 4648, with padding)") from None


def attachment_intake(
    files: AttachmentStore, channels: Mapping[str, Channel], texts: Texts, max_bytes: int
) -> AttachmentIntake:
    """Files, wired into a bot being built: the inbox keeps users' files (fetched
    through the channels that can), and the channels read kept files (agents' images)."""
    fetchers = {n: c for n, c in channels.items() if hasattr(c, "fetch_attachment")}
    for channel in channels.values():
        use_files = getattr(channel, "use_files", None)
        if use_files is not None:
            use_files(files)
    return AttachmentIntake(files, texts, max_bytes, fetchers)  # type: ignore[arg-type]
