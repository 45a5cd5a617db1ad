"""Files on Telegram: a user's photo or document fetched by its ``file_id``
(``getFile``, then the download URL under ``base_file_url``), an agent's image sent
with ``sendPhoto``."""

from __future__ import annotations

from typing import Any

from telegram.error import TelegramError

from channels.base import Attachment, DeliveryError, FetchError, FileSource, Image


async def fetch(bot: Any, attachment: Attachment, limit: int) -> bytes:
    """The file's bytes; ``FetchError`` (``too_large``) when Telegram says it is bigger
    than ``limit``, before anything is downloaded."""
    assert attachment.ref is not None
    try:
        file = await bot.get_file(attachment.ref)
    except TelegramError as exc:
        # bots may download up to 20 MB: "Bad Request: file is too big"
        raise FetchError(f"telegram: {exc}", too_large="too big" in str(exc).lower()) from exc
    if file.file_size is not None and file.file_size > limit:
        raise FetchError(f"{file.file_size} bytes", too_large=True)
    try:
        data = bytes(await file.download_as_bytearray())
    except TelegramError as exc:
        raise FetchError(f"telegram: {exc}") from exc
    if len(data) > limit:
        raise FetchError(f"{len(data)} bytes", too_large=True)
    return data


async def send_image(bot: Any, action: Image, files: FileSource | None) -> str:
    """Send the kept image as a photo; Telegram errors are the caller's to map."""
    stored = await files.load(action.attachment_id) if files is not None else None
    if stored is None:
        raise DeliveryError(f"no kept file {action.attachment_id}", permanent=True)
    sent = await bot.send_photo(
        chat_id=int(action.chat_id),
        photo=stored.data,
        filename=stored.name,
        message_thread_id=int(action.thread_id) if action.thread_id else None,
    )
    return str(sent.message_id)
