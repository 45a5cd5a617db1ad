"""The guard reads a busy group's messages side by side: the models run off the event
loop, so one message's embedding neither holds every other chat nor waits for it."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime
from typing import Any

import pytest

from channels.base import ChatKind
from handlers.context import Brand, Context
from handlers.guard import GuardStage
from handlers.scam.settings import GuardSettings
from handlers.texts import Texts
from handlers.understanding import shared_engine
from tests.builders import VECTORS, message

BRAND = Brand(name="Example Exchange", official_domains=("example.com",), languages=("en", "ru"))
TEXTS = Texts.load()
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)

needs_model = pytest.mark.skipif(
    shared_engine().engine is None, reason="the embedding model is not available here"
)


class MeetingModel:
    """The real model, whose first call from each message waits until the other
    message's first call has begun too: two messages read one after another on the
    event loop never meet, and the wait runs out."""

    def __init__(self, inner: Any, meeting: threading.Barrier, met: threading.Event) -> None:
        self.inner, self.meeting, self.met = inner, meeting, met
        self.dim = inner.dim

    def _meet(self) -> None:
        if not self.met.is_set():
            self.meeting.wait()  # raises BrokenBarrierError when the other never comes
            self.met.set()

    def query(self, texts: list[str]) -> Any:
        self._meet()
        return self.inner.query(texts)

    def passage(self, texts: list[str]) -> Any:
        self._meet()
        return self.inner.passage(texts)


@needs_model
async def test_two_messages_of_a_busy_group_are_read_at_once_and_both_warned() -> None:
    engine = shared_engine().engine
    assert engine is not None
    stage = GuardStage(GuardSettings(), embedding_cache=VECTORS)
    meeting, met = threading.Barrier(2, timeout=10), threading.Event()
    models = [engine] + ([engine.second] if engine.second is not None else [])
    before = [m.model for m in models]
    for m in models:
        m.model = MeetingModel(m.model, meeting, met)
    texts = [  # new to the query cache, so each reaches a model
        "hi all, the admin messaged me privately asking for my 12 words to fix order 80417",
        "мне написал админ в личку и просит фразу восстановления, заявка 80417",
    ]

    async def read(n: int, text: str) -> Context:
        ctx = Context(now=NOW, language="en", texts=TEXTS, brand=BRAND)
        msg = message(text, chat_kind=ChatKind.GROUP, chat_id="-100", sender_id=f"u{n}")
        await stage.handle(msg, ctx)
        return ctx

    try:
        contexts = await asyncio.wait_for(
            asyncio.gather(*(read(n, t) for n, t in enumerate(texts))), 30
        )
    finally:
        for m, model in zip(models, before, strict=True):
            m.model = model
    assert met.is_set()  # both messages were with the models at the same time
    assert [c.scam.verdict != "clean" for c in contexts] == [True, True]
