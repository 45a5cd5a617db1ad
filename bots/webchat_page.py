"""The web chat page's texts, in the language the browser asks for.

The page is served before anyone has written, so its language comes from the
browser's ``Accept-Language``: the first the bot offers, else the bot's default.
"""

from __future__ import annotations

from collections.abc import Callable

from handlers.context import Brand
from handlers.language import normalize_code
from handlers.texts import Texts

_PAGE_KEYS = ("title", "connecting", "online", "reconnecting", "placeholder", "send")
# what the page says when it refuses to send, or the server refuses a chat
_NOTICE_KEYS = (
    "too_long",
    "too_big",
    "slow_down",
    "session_ended",
    "too_many_tabs",
    "too_many_chats",
)


def page_texts(texts: Texts, brand: Brand) -> Callable[[str | None], tuple[str, dict[str, str]]]:
    """A function from ``Accept-Language`` to the page's language and its texts."""

    def texts_for(accept_language: str | None) -> tuple[str, dict[str, str]]:
        language = brand.default_language
        for part in (accept_language or "").split(","):
            code = normalize_code(part.split(";")[0])
            if code in brand.languages:
                language = code
                break
        page = {k: texts.get(f"webchat.{k}", language, brand=brand.name) for k in _PAGE_KEYS}
        # templates the page fills in itself ({length}, {limit})
        page |= {k: texts.get(f"webhistory.{k}", language) for k in _NOTICE_KEYS}
        page |= {k: texts.get(f"attachments.{k}", language) for k in ("attach", "upload_failed")}
        return language, page

    return texts_for
