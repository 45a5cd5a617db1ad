"""Attachments as the inbox's envelope keeps them: enough to fetch a file again when a
message is handled after a crash (its reference, declared size and type)."""

from __future__ import annotations

from typing import Any

from channels.base import Attachment

_FIELDS = ("kind", "name", "ref", "size", "mime")  # the fields of Attachment


def attachments_to_envelope(attachments: tuple[Attachment, ...]) -> list[dict[str, Any]]:
    return [
        {key: getattr(a, key) for key in _FIELDS if getattr(a, key) is not None}
        for a in attachments
    ]


def attachments_from_envelope(items: list[Any]) -> tuple[Attachment, ...]:
    """Both forms: a dict per attachment, or (rows written before files were kept)
    only its kind."""
    found = []
    for item in items:
        if isinstance(item, str):
            found.append(Attachment(kind=item))
        elif isinstance(item, dict) and isinstance(item.get("kind"), str):
            found.append(
                Attachment(
                    kind=item["kind"],
                    name=item.get("name"),
                    ref=item.get("ref"),
                    size=item.get("size"),
                    mime=item.get("mime"),
                )
            )
    return tuple(found)
