"""Small builders for messages, so tests say only what matters to them."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from channels.base import ChatKind, Message

_ids = itertools.count(1)
# The embedding cache of tests that are not about the cache (the ``vector_cache``
# fixture): the folder the default configuration uses, ``var/embeddings`` of this
# checkout. Its files are keyed by content, so sharing them shares no state a test
# could change, and the model embeds the guard's anchors once per checkout instead of
# once per test process (10-15 s on two cores).
VECTORS = Path(__file__).resolve().parents[1] / "var" / "embeddings"
T = TypeVar("T")


def message(text: str = "hello", **fields: Any) -> Message:
    values: dict[str, Any] = {
        "channel": "web",
        "chat_id": "chat-1",
        "chat_kind": ChatKind.PRIVATE,
        "sender_id": "user-1",
        "platform_message_id": f"m{next(_ids)}",
        "received_at": datetime(2026, 11, 23, 12, 0, tzinfo=UTC),
        "display_name": "Alice",
    }
    values.update(fields)
    return Message(text=text, **values)


def bot_config(tmp_path: Any, **sections: Any) -> Any:
    """A configuration for a bot under test: its own SQLite file, a free port."""
    from bots.config import parse_config

    data: dict[str, Any] = {
        "database": {"url": f"sqlite:///{tmp_path / 'bot.db'}"},
        "server": {"port": 0},
    }
    data.update(sections)
    return parse_config(data)


async def eventually(
    probe: Callable[[], Awaitable[T]], done: Callable[[T], bool], within: float = 5.0
) -> T:
    """Ask ``probe`` until ``done`` holds or ``within`` seconds pass; its last answer.

    The bot works asynchronously, so a test waits for an outcome instead of sleeping a
    guessed time; the caller still asserts on what comes back.
    """
    deadline = asyncio.get_running_loop().time() + within
    value = await probe()
    while not done(value) and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.05)
        value = await probe()
    return value
