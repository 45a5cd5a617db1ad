"""Faults of the fake Telegram's ``sendMessage``, injected on demand: a send whose
answer is lost after Telegram delivered it, and a mix of every way a send fails.

A lost answer is the fault the Bot API gives a bot no way to resolve: the message
reached the chat (the fake records it as sent) and then the connection is closed,
or never answered until the fake goes offline, so the bot sees a dropped connection
or its read timeout and cannot know the message went out. ``lose_responses`` does it
to given chats, ``lose_rate`` to a share of all sends.

``fault_rate`` (for ``bench/load.py``, also through ``POST /_fake/faults``) fails that
share of all sends, each with one of :data:`FAULT_KINDS` in equal parts: a 500 (not
processed), a 429 naming a ``retry_after`` of 1 s (not processed), a hang (never
processed nor answered until the end), and a lost answer (delivered, then its
connection reset, or never answered, alternately). ``GET /_fake/faults`` reports how
many of each were injected and, per lost answer, how long until the same text reached
the chat again (the window a user sees the message twice in).
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from typing import Any

from aiohttp import web

from tests.fakes.faults import LostAnswers
from tests.fakes.telegram_api import Call

FAULT_KINDS = ("5xx", "429", "hang", "lost_reset", "lost_unanswered")


class TelegramFaults:
    """Mixed into ``FakeTelegram``, which calls :meth:`_init_faults`."""

    calls: list[Call]
    _closing: asyncio.Event

    def _init_faults(self, seed: int) -> None:
        self.losing = LostAnswers(reset="lost_reset", unanswered="lost_unanswered")  # per chat
        self.lose_rate = 0.0  # share of all sends whose answer is lost (reset)
        self.lost = 0  # sends delivered whose answer was lost
        self.fault_rate = 0.0  # share of all sends failed with one of FAULT_KINDS
        self.faults: Counter[str] = Counter()  # injected by fault_rate, by kind
        self._fault_random = random.Random(seed + 1)

    def lose_responses(self, chat_id: int, times: int = 1) -> None:
        """The next ``times`` ``sendMessage`` calls to ``chat_id`` are delivered (the
        chat gets them) and their connection is then closed unanswered."""
        self.losing.add(chat_id, times)

    def _fault_before(self, chat: int) -> str | None:
        """The fault injected into this send, if any (``fault_rate``), or ``lost`` when
        it is delivered and its answer lost (``lose_responses``, ``lose_rate``)."""
        if self.fault_rate and self._fault_random.random() < self.fault_rate:
            kind = self._fault_random.choice(FAULT_KINDS)
            self.faults[kind] += 1
            return kind
        if lost := self.losing.take(chat):
            return lost
        if self.lose_rate and self._fault_random.random() < self.lose_rate:
            return "lost_reset"
        return None

    async def _lose_answer(self, request: web.Request, call: Call, kind: str) -> web.StreamResponse:
        """After the send was delivered: close its connection, at once or at the end."""
        self.lost += 1
        call.params["_lost"] = kind
        return await self.losing.lose(request, kind, self._closing)

    def lost_windows(self) -> list[dict[str, Any]]:
        """Per lost answer: its kind and the seconds until the same text reached the
        same chat again (``None``: it never did)."""
        windows = []
        for i, call in enumerate(self.calls):
            kind = call.params.get("_lost")
            if call.method != "sendmessage" or not kind:
                continue
            again = next(
                (
                    c.at - call.at
                    for c in self.calls[i + 1 :]
                    if c.method == "sendmessage"
                    and c.params.get("_ok")
                    and c.params.get("chat_id") == call.params.get("chat_id")
                    and c.params.get("text") == call.params.get("text")
                ),
                None,
            )
            windows.append({"kind": kind, "again_s": again})
        return windows

    async def _control_faults(self, request: web.Request) -> web.Response:
        """POST ``{"rate": P}``: fail that share of sends from now on; GET: the counts."""
        if request.method == "POST":
            self.fault_rate = float((await request.json())["rate"])
        return web.json_response(
            {"rate": self.fault_rate, "injected": dict(self.faults), "lost": self.lost_windows()}
        )
