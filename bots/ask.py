"""``socialdesk ask``: the router's decision for messages, without any channel.

Nothing is stored and nothing is sent: the same pipeline decides as in production, with
the clock set to ``--at``, so an answer can be checked "as of" any instant and
thousands of labelled messages can be evaluated in one process.
"""

from __future__ import annotations

import itertools
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, Any

from bots.app import build_pipeline, system_clock
from bots.config import Config
from channels.base import ChatKind, Message
from handlers.answers import AnswerStage
from handlers.texts import Texts

CHATS = {"private": ChatKind.PRIVATE, "group": ChatKind.GROUP}
READ_AHEAD = 64  # lines of a file whose questions are embedded in one batch


class AskError(Exception):
    """A bad option or field, worded for the person who typed it."""


@dataclass(frozen=True, slots=True)
class Defaults:
    channel: str
    chat: ChatKind
    lang: str | None
    at: datetime | None


def parse_instant(value: str, field: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise AskError(f"{field}: not an ISO-8601 instant: {value!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class Asker:
    """Routes messages through a pipeline that has no store and no channels."""

    def __init__(self, config: Config) -> None:
        self.pipeline = build_pipeline(config, None, Texts.load(), system_clock)
        self.answers = next(
            (h for h in self.pipeline.router.handlers if isinstance(h, AnswerStage)), None
        )

    def defaults(self, *, channel: str, chat: str, lang: str | None, at: str | None) -> Defaults:
        if chat not in CHATS:
            raise AskError(f"--chat: expected private or group, got {chat!r}")
        return Defaults(channel, CHATS[chat], lang, parse_instant(at, "--at") if at else None)

    async def one(self, item: dict[str, Any], defaults: Defaults) -> dict[str, Any]:
        """The decision for one message object (``text`` and optional overrides)."""
        text = item.get("text")
        if not isinstance(text, str):
            raise AskError("text: a string is required")
        chat = item.get("chat", defaults.chat.value)
        if chat not in CHATS:
            raise AskError(f"chat: expected private or group, got {chat!r}")
        at = parse_instant(item["at"], "at") if item.get("at") else defaults.at
        now = at or system_clock()
        user = str(item.get("user") or "ask-user")
        message = Message(
            channel=str(item.get("channel") or defaults.channel),
            chat_id=user if chat == "private" else "ask-group",
            chat_kind=CHATS[chat],
            sender_id=user,
            text=text,
            platform_message_id=uuid.uuid4().hex,
            received_at=now,
            language_hint=item.get("lang") or defaults.lang,
        )
        decision = await self.pipeline.decide(message, now=now)
        return decision.to_json()

    async def many(
        self, lines: IO[bytes], defaults: Defaults, emit: Callable[[dict[str, Any]], None]
    ) -> int:
        """Route every line of a JSON Lines stream in order; returns how many failed.

        A line that cannot be read yields ``{"line": N, "error": ...}`` in its place, so
        output line N always answers input line N. From a file, lines are read
        ``READ_AHEAD`` at a time and their questions embedded together first (the
        model's batch throughput); from a pipe, each line is answered as it comes.
        """
        failures = 0
        ahead = READ_AHEAD if lines.seekable() else 1
        numbered = enumerate(lines, start=1)
        while chunk := list(itertools.islice(numbered, ahead)):
            read = [(number, _read(raw)) for number, raw in chunk if raw.strip()]
            if self.answers is not None and ahead > 1:
                texts = [r.get("text") for _, r in read if isinstance(r, dict)]
                self.answers.prepare([t for t in texts if isinstance(t, str)])
            for number, item in read:
                try:
                    if isinstance(item, str):
                        raise AskError(item)
                    emit(await self.one(item, defaults))
                except AskError as exc:
                    failures += 1
                    emit({"line": number, "error": str(exc)})
        return failures


def _read(raw: bytes) -> dict[str, Any] | str:
    """One line's message object, or why it cannot be one."""
    try:
        item = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        return f"not valid UTF-8 (byte {exc.start})"
    except json.JSONDecodeError as exc:
        return str(exc)
    return item if isinstance(item, dict) else "each line must be a JSON object"
