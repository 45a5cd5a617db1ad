"""Files on the fake Discord: attachments users post (served from a CDN path on the
fake's own port, as ``cdn.discordapp.com`` serves them) and files the bot sends
(``multipart/form-data`` with ``payload_json`` and ``files[n]``, as discord.py sends
them), parsed so a test sees the bytes."""

from __future__ import annotations

import itertools
import json
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default
from functools import cached_property
from typing import Any, cast

from aiohttp import web


class DiscordFiles:
    """Mixed into ``FakeDiscord``: it needs ``port``."""

    port: int

    @cached_property
    def cdn(self) -> dict[str, tuple[str, bytes]]:
        """path under /attachments/ -> (content type, bytes)"""
        return {}

    @cached_property
    def _attachment_ids(self) -> itertools.count[int]:
        return itertools.count(1)

    def attachment(self, data: bytes, filename: str, content_type: str | None) -> dict[str, Any]:
        """An attachment object as the gateway sends it, its URL on this fake."""
        number = next(self._attachment_ids)
        path = f"{900 + number}/{filename}"
        self.cdn[path] = (content_type or "application/octet-stream", data)
        url = f"http://127.0.0.1:{self.port}/attachments/{path}"
        found: dict[str, Any] = {
            "id": str(700_000 + number),
            "filename": filename,
            "size": len(data),
            "url": url,
            "proxy_url": url,
        }
        if content_type:
            found["content_type"] = content_type
        return found

    async def _cdn(self, request: web.Request) -> web.StreamResponse:
        known = self.cdn.get(request.match_info["path"])
        if known is None:
            return web.Response(status=404, text="Not Found")
        return web.Response(body=known[1], content_type=known[0])


def multipart_body(raw: bytes, content_type: str) -> dict[str, Any]:
    """A message send with files: its ``payload_json``, and ``_files`` with each
    file's name and bytes."""
    head = f"Content-Type: {content_type}\r\n\r\n".encode()
    parsed = cast(EmailMessage, BytesParser(policy=default).parsebytes(head + raw))
    body: dict[str, Any] = {"_files": []}
    for part in parsed.iter_parts():
        name = part.get_param("name", header="content-disposition")
        data = part.get_payload(decode=True)
        if name == "payload_json":
            body.update(json.loads(data))
        elif part.get_filename():
            body["_files"].append({"filename": part.get_filename(), "data": data})
    return body
