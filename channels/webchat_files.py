"""The web chat's files: uploads from the page, and the images sent to it.

An upload is one ``multipart/form-data`` POST to ``/chat/upload`` with the page's id
for it (``id``), optionally ``lang``, and the ``file``. Its bytes are read up to one
byte past the largest file any channel takes, held while the message is handled (the
inbox fetches them from here like a Telegram ``file_id``), and dropped after: what is
kept, the inbox keeps. The page's id makes a resent upload the same message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from aiohttp import BodyPartReader, web

from channels.base import Attachment, ChatKind, Message

UPLOAD_PREFIX = "upload:"
_CLIENT_ID = re.compile(r"^[A-Za-z0-9-]{1,64}$")
_CHUNK = 64 * 1024


@dataclass(frozen=True, slots=True)
class Upload:
    """A file from the page: ``data`` holds at most ``limit + 1`` bytes of it."""

    client_id: str
    name: str
    data: bytes
    language: str | None


async def read_upload(request: web.Request, limit: int) -> Upload:
    """The upload in ``request``; raises ``ValueError`` for a malformed one."""
    if request.content_type != "multipart/form-data":
        raise ValueError("an upload is multipart/form-data")
    reader = await request.multipart()
    fields: dict[str, str] = {}
    name, data = "", b""
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader):
            raise ValueError("nested multipart is not an upload")
        if part.name == "file":
            name, data = part.filename or "", await _read_bounded(part, limit + 1)
            break  # the file comes last; anything after it is not read
        if part.name in ("id", "lang"):
            fields[part.name] = (await part.read_chunk(256)).decode("utf-8", "replace")
    client_id = fields.get("id", "")
    if not _CLIENT_ID.match(client_id):
        raise ValueError("id must be 1-64 letters, digits or dashes")
    if not data:
        raise ValueError("no file, or an empty one")
    return Upload(client_id, name[:200], data, fields.get("lang") or None)


async def _read_bounded(part: BodyPartReader, most: int) -> bytes:
    data = bytearray()
    while len(data) < most and (chunk := await part.read_chunk(_CHUNK)):
        data += chunk
    return bytes(data[:most])


def upload_message(session: str, upload: Upload, token: str, now: datetime) -> Message:
    """The upload as a message with one attachment and no text (a pure converter)."""
    return Message(
        channel="web",
        chat_id=session,
        chat_kind=ChatKind.PRIVATE,
        sender_id=session,
        text="",
        platform_message_id=f"in-{upload.client_id}",
        received_at=now,
        language_hint=upload.language,
        attachments=(
            Attachment(
                kind="file", name=upload.name, ref=UPLOAD_PREFIX + token, size=len(upload.data)
            ),
        ),
    )


def file_response(data: bytes, mime: str, name: str) -> web.Response:
    """A kept file for the browser: shown when an image, downloaded otherwise."""
    disposition = "inline" if mime.startswith("image/") else "attachment"
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", name)[:120] or "file"
    return web.Response(
        body=data,
        content_type=mime,
        headers={
            "Content-Disposition": f'{disposition}; filename="{safe}"',
            "Cache-Control": "private, max-age=3600",
        },
    )
