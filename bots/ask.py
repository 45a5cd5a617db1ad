"""``socialdesk ask``: the router's decision for messages, without any channel.

Nothing is stored and nothing is sent: the same pipeline decides as in production, with
the clock set to ``--at``, so an answer can be checked "as of" any instant and
thousands of labelled messages can be evaluated in one process.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, Any

from bots.config import Config
from bots.routing import build_pipeline, system_clock
from channels.base import ChatKind, Message
from handlers.answers import AnswerStage
from handlers.texts import Texts

CHATS = {"private": ChatKind.PRIVATE, "group": ChatKind.GROUP}
READ_AHEAD = 64  # lines of a file whose questions are embedded in one batch
Chunk = list[tuple[int, dict[str, Any] | str]]  # numbered lines: a message, or its error


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
        ``READ_AHEAD`` at a time and the questions of each chunk embedded together, in
        a worker thread, while the chunk before is routed (the model's throughput on a
        batch is several times that of one question at a time); from a pipe, each line
        is answered as it comes.
        """
        if not lines.seekable():  # a pipe: each line is answered before the next is read
            return sum([await self._route(chunk, defaults, emit) for chunk in _chunks(lines, 1)])
        failures = 0
        chunks = _chunks(lines, READ_AHEAD)
        chunk = next(chunks, None)
        ready = self._prepare(chunk)
        while chunk is not None:
            await ready
            # the next chunk's questions are embedded while this one's are routed: the
            # model's threads and the router share the two cores instead of taking turns
            following = next(chunks, None)
            ready = self._prepare(following)
            failures += await self._route(chunk, defaults, emit)
            chunk = following
        await ready
        return failures

    async def _route(
        self, chunk: Chunk, defaults: Defaults, emit: Callable[[dict[str, Any]], None]
    ) -> int:
        failures = 0
        for number, item in chunk:
            try:
                if isinstance(item, str):
                    raise AskError(item)
                emit(await self.one(item, defaults))
            except AskError as exc:
                failures += 1
                emit({"line": number, "error": str(exc)})
        return failures

    def _prepare(self, chunk: Chunk | None) -> Awaitable[object]:
        """Embed the chunk's questions in a worker thread (nothing to do for one line)."""
        if self.answers is None or chunk is None or len(chunk) < 2:
            return asyncio.sleep(0)
        texts = [item.get("text") for _, item in chunk if isinstance(item, dict)]
        questions = [t for t in texts if isinstance(t, str)]
        return asyncio.get_running_loop().run_in_executor(None, self.answers.prepare, questions)


def _chunks(lines: IO[bytes], size: int) -> Iterator[Chunk]:
    """Numbered, parsed non-empty lines, ``size`` lines at a time."""
    numbered = enumerate(lines, start=1)
    while raw := list(itertools.islice(numbered, size)):
        yield [(number, _read(line)) for number, line in raw if line.strip()]


def _read(raw: bytes) -> dict[str, Any] | str:
    """One line's message object, or why it cannot be one."""
    try:
        item = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        return f"not valid UTF-8 (byte {exc.start})"
    except json.JSONDecodeError as exc:
        return str(exc)
    return item if isinstance(item, dict) else "each line must be a JSON object"
