"""One message through a fresh ``GuardStage`` as the Example Exchange's bot reads it:
what the guard's tests share (the brand, a chat that allows removal and timeouts)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from channels.base import Capabilities, ChatKind, Reply
from handlers.context import Brand, Context, Handled, Pass
from handlers.guard import GuardStage
from handlers.scam.settings import GuardSettings
from handlers.texts import Texts
from handlers.understanding import shared_engine
from tests.builders import VECTORS, message

BRAND = Brand(
    name="Example Exchange",
    official_domains=("example.com",),
    official_handles=("@example_support",),
    languages=("en", "zh", "vi", "de", "es", "ru", "tr", "id", "pt", "fr", "ja", "ko"),
)
TEXTS = Texts.load()
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
GROUP_CAPS = Capabilities(max_length=4096, delete=True, restrict=True)

needs_model = pytest.mark.skipif(
    shared_engine().engine is None, reason="the embedding model is not available here"
)


async def run(
    text: str, language: str = "en", kind: ChatKind = ChatKind.PRIVATE, **settings: Any
) -> tuple[Handled | Pass, Context]:
    """``text`` from user u1 in a private chat (or a group, by ``kind``), read by a guard
    with ``settings``; what the guard returned and the context it filled."""
    stage = GuardStage(GuardSettings(**settings), embedding_cache=VECTORS)
    context = Context(now=NOW, language=language, texts=TEXTS, brand=BRAND, capabilities=GROUP_CAPS)
    chat = "-100" if kind is not ChatKind.PRIVATE else "u1"
    result = await stage.handle(
        message(text, chat_kind=kind, chat_id=chat, sender_id="u1", platform_message_id="9"),
        context,
    )
    return result, context


def replies(result: Handled | Pass) -> list[str]:
    """The texts the guard would send back (a warning, a notice), none when it passed."""
    return [a.text for a in getattr(result, "actions", ()) if isinstance(a, Reply)]
