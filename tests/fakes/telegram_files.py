"""Files on the fake Telegram: what users send (photos, documents) and what the bot
sends back (``sendPhoto``), as the Bot API serves them.

A file sent by a user has a ``file_id``; ``getFile`` answers its ``file_size`` and a
``file_path``, and the bytes are downloaded from ``/file/bot<token>/<file_path>``
(python-telegram-bot prefixes the path with its ``base_file_url``). Telegram refuses
``getFile`` for files over 20 MB with "Bad Request: file is too big"; so does this.
"""

from __future__ import annotations

import itertools
from functools import cached_property
from typing import Any

from aiohttp import web

DOWNLOAD_LIMIT = 20 * 1024 * 1024


class TelegramFiles:
    """Mixed into ``FakeTelegram``: it needs ``token``, ``user``, ``message``, ``push``."""

    token: str

    @cached_property
    def files(self) -> dict[str, tuple[str, bytes]]:
        """file_id -> (file_path, bytes)"""
        return {}

    @cached_property
    def _file_ids(self) -> itertools.count[int]:
        return itertools.count(1)

    def add_file(self, data: bytes, folder: str = "documents", extension: str = "") -> str:
        number = next(self._file_ids)
        file_id = f"AgAD{number:06d}"
        self.files[file_id] = (f"{folder}/file_{number}{extension}", data)
        return file_id

    def photo(self, user_id: int, data: bytes, caption: str = "") -> dict[str, Any]:
        """A private photo, in the two sizes Telegram sends (the larger last)."""
        file_id = self.add_file(data, "photos", ".jpg")
        sizes = [
            {"file_id": f"{file_id}s", "file_unique_id": "s", "width": 90, "height": 90},
            {
                "file_id": file_id,
                "file_unique_id": file_id,
                "width": 800,
                "height": 600,
                "file_size": len(data),
            },
        ]
        return self._private_file(user_id, caption, photo=sizes)

    def document(
        self, user_id: int, data: bytes, name: str, mime: str, caption: str = ""
    ) -> dict[str, Any]:
        """A private document, as Telegram describes it (the client's name and type)."""
        file_id = self.add_file(data)
        document = {
            "file_id": file_id,
            "file_unique_id": file_id,
            "file_name": name,
            "mime_type": mime,
            "file_size": len(data),
        }
        return self._private_file(user_id, caption, document=document)

    def _private_file(self, user_id: int, caption: str, **media: Any) -> dict[str, Any]:
        sender = self.user(user_id)  # type: ignore[attr-defined]
        chat = {"id": user_id, "type": "private", "first_name": sender["first_name"]}
        message = self.message(chat, sender, "", **media)  # type: ignore[attr-defined]
        del message["text"]
        if caption:
            message["caption"] = caption
        return self.push(message=message)  # type: ignore[attr-defined,no-any-return]

    def photos_sent(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        """Photos the bot sent successfully, with their bytes under ``photo``."""
        return [
            c.params
            for c in self.calls_to("sendPhoto")  # type: ignore[attr-defined]
            if c.params.get("_ok") and (chat_id is None or int(c.params["chat_id"]) == chat_id)
        ]

    async def _m_getfile(self, p: dict[str, Any]) -> tuple[int, Any]:
        known = self.files.get(str(p.get("file_id", "")))
        if known is None:
            return 400, "Bad Request: invalid file_id"
        path, data = known
        if len(data) > DOWNLOAD_LIMIT:
            return 400, "Bad Request: file is too big"
        file_id = str(p["file_id"])
        return 200, {
            "file_id": file_id,
            "file_unique_id": file_id,
            "file_size": len(data),
            "file_path": path,
        }

    async def _m_sendphoto(self, p: dict[str, Any]) -> tuple[int, Any]:
        upload = p.get("photo")
        if not isinstance(upload, web.FileField):
            return 400, "Bad Request: there is no photo in the request"
        p["photo"] = {"filename": upload.filename, "data": upload.file.read()}
        chat_id = int(p["chat_id"])
        file_id = self.add_file(p["photo"]["data"], "photos", ".jpg")
        message = {
            "message_id": 10_000 + len(self.files),
            "date": 0,
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
            "photo": [{"file_id": file_id, "file_unique_id": file_id, "width": 1, "height": 1}],
        }
        return 200, message

    async def _download(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.Response(status=404, text="Not Found")
        path = request.match_info["path"]
        for known_path, data in self.files.values():
            if known_path == path:
                return web.Response(body=data, content_type="application/octet-stream")
        return web.Response(status=404, text="Not Found")
