"""What a file is, read from its content: a small explicit table of magic bytes.

A name or a declared type is whatever the sender's client says (``invoice.png`` may
hold a web page); only the bytes decide. Five types are accepted, the ones a support
conversation needs: screenshots and photos (PNG, JPEG, WebP), statements (PDF) and
logs (plain text). Plain text has no magic bytes, so it is accepted only when it is
UTF-8 without control characters and without markup: HTML, SVG and XML are refused,
because a browser would run what they contain if anything ever served them as such.
"""

from __future__ import annotations

import re

ACCEPTED = ("image/png", "image/jpeg", "image/webp", "application/pdf", "text/plain")
IMAGES = ("image/png", "image/jpeg", "image/webp")
EXTENSIONS = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/webp": ".webp",
    "application/pdf": ".pdf",
    "text/plain": ".txt",
}
# (offset, bytes) that must all match
_MAGIC: tuple[tuple[str, tuple[tuple[int, bytes], ...]], ...] = (
    ("image/png", ((0, b"\x89PNG\r\n\x1a\n"),)),
    ("image/jpeg", ((0, b"\xff\xd8\xff"),)),
    ("image/webp", ((0, b"RIFF"), (8, b"WEBP"))),
    ("application/pdf", ((0, b"%PDF-"),)),
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
# the start of an element a browser would render or run, anywhere in the text
_MARKUP = re.compile(
    r"<\s*(?:!doctype|!--|\?xml|html|head|body|script|iframe|frame|object|embed|svg|math|"
    r"style|link|meta|base|form|img|video|audio|a\s|div|span|p\b|table|title)",
    re.IGNORECASE,
)


def content_type(data: bytes) -> str | None:
    """The accepted type ``data`` is, or ``None`` when it is none of them."""
    for mime, checks in _MAGIC:
        if all(data[at : at + len(magic)] == magic for at, magic in checks):
            return mime
    return "text/plain" if _plain_text(data) else None


def _plain_text(data: bytes) -> bool:
    if not data:
        return False
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return not _CONTROL.search(text) and not _MARKUP.search(text)


def download_name(name: str | None, mime: str, fallback: str) -> str:
    """A file name safe to put in a header, ending in the extension of its checked
    type (``invoice.png`` that is text becomes ``invoice.png.txt``)."""
    cleaned = re.sub(r"[^A-Za-z0-9._\- ]", "_", (name or "").strip())[:120].strip(" .") or fallback
    extension = EXTENSIONS[mime]
    aliases = (".jpeg",) if mime == "image/jpeg" else ()
    if not cleaned.lower().endswith((extension, *aliases)):
        cleaned += extension
    return cleaned
