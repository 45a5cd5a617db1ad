"""Files users send and agents answer with: checked by content, size-capped, kept."""

from __future__ import annotations

from handlers.attachments.envelope import attachments_from_envelope, attachments_to_envelope
from handlers.attachments.intake import AttachmentIntake, Fetcher
from handlers.attachments.settings import AttachmentSettings
from handlers.attachments.sniff import ACCEPTED, IMAGES, content_type, download_name

__all__ = [
    "ACCEPTED",
    "IMAGES",
    "AttachmentIntake",
    "AttachmentSettings",
    "Fetcher",
    "attachments_from_envelope",
    "attachments_to_envelope",
    "content_type",
    "download_name",
]
