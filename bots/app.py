"""The composition root: one bot assembled from its configuration, and its lifecycle.

Building is :func:`bots.assembly.assemble`'s: every part made and wired through its
constructor, nothing started. ``App`` starts the parts in the order that loses
nothing (migrate, resume what a previous run left half-done, start sending, then start
listening) and stops them in the reverse order, whatever had started when a start
failed.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from functools import partial

from bots.assembly import assemble, build_broadcaster, build_channels, scheduled_jobs
from bots.config import Config
from bots.metrics import Metrics
from bots.outgoing import staff_chats
from bots.routing import Clock, answer_stages, build_pipeline, build_router, system_clock
from bots.server import Server
from channels.base import Channel
from handlers.answers import KnowledgeBase, KnowledgeReloader
from handlers.broadcasts.service import Broadcaster
from handlers.incidents import IncidentService
from handlers.outbox import Sender
from handlers.outbox_rows import Outbox
from handlers.pipeline import Pipeline
from handlers.texts import Texts
from handlers.understanding import shared_engine
from scheduler.broadcasts import resume_jobs, send_broadcast
from scheduler.runtime import RUNNING, Runtime
from scheduler.service import Scheduler
from storage.migrate import upgrade
from storage.store import Store
from storage.tickets import TicketStore
from storage.webchat import WebChatStore

__all__ = [
    "App",
    "Clock",
    "build_broadcaster",
    "build_channels",
    "build_pipeline",
    "build_router",
    "scheduled_jobs",
    "staff_chats",
    "system_clock",
]

log = logging.getLogger(__name__)


class App:
    """A running bot: ``async with App(config) as app: ...``.

    The parts (``store``, ``pipeline``, ``sender``...) exist from ``start`` to ``stop``;
    the channels from construction, so that they can be looked at (or, in tests, one
    added) before the bot starts.
    """

    def __init__(self, config: Config, *, clock: Clock = system_clock) -> None:
        self.config = config
        self.clock = clock
        self.texts = Texts.load()
        self.channels = build_channels(config, self.texts)
        self.knowledge = KnowledgeBase(config.knowledge.paths)
        self.metrics = Metrics(self.channels)  # this bot's own registry (/metrics)
        self.store: Store | None = None
        self.reloader: KnowledgeReloader | None = None
        self.sender: Sender | None = None
        self.outbox: Outbox | None = None
        self.pipeline: Pipeline | None = None
        self.server: Server | None = None
        self.tickets: TicketStore | None = None
        self.scheduler: Scheduler | None = None
        self.broadcaster: Broadcaster | None = None
        self.incidents: IncidentService | None = None
        self.runtime: Runtime | None = None  # what scheduled jobs find (scheduler.runtime)
        self._started = AsyncExitStack()  # the stops of what started, run in reverse

    def __repr__(self) -> str:
        return f"App(channels={sorted(self.channels)})"

    async def __aenter__(self) -> App:
        try:
            await self.start()
        except BaseException:
            await self.stop()  # a channel that cannot start leaves nothing running
            raise
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://{self.server.host}:{self.server.port}"

    async def start(self) -> None:
        started = self._started = AsyncExitStack()
        url = self.config.database.url
        await asyncio.to_thread(upgrade, url)
        store = self.store = Store.open(url)
        started.push_async_callback(self._close_store)
        parts = assemble(
            self.config,
            store,
            self.texts,
            self.clock,
            self.channels,
            self.knowledge,
            self.metrics,
            self._health,
        )
        self.reloader, self.sender, self.pipeline = parts.reloader, parts.sender, parts.pipeline
        self.outbox = parts.outbox
        self.tickets, self.incidents = parts.tickets, parts.incidents
        self.broadcaster, self.scheduler = parts.broadcaster, parts.scheduler
        self.runtime, self.server = parts.runtime, parts.server
        if parts.shared is not None:  # closed after the sender and the channels stopped
            started.push_async_callback(parts.shared.close)

        await self._begin(parts.reloader.start, parts.reloader.stop)
        await self._prepare_answers(parts.pipeline)
        for channel in self.channels.values():
            # a channel that keeps its own history (the web chat) keeps it here
            use_history = getattr(channel, "use_history", None)
            if use_history is not None:
                await use_history(WebChatStore(store, channel.name))
        await self._begin(parts.server.start, parts.server.stop)
        # load the language models now, not while the first user waits for an answer
        await asyncio.to_thread(parts.pipeline.detector.detect, "warm up the language models")
        resumed = await parts.pipeline.resume()
        if resumed:
            log.info("inbox: handled %d message(s) left unanswered by the last run", resumed)
        await self._begin(parts.sender.start, parts.sender.stop)
        if not parts.outbox.staff_chats:
            log.warning(
                "no staff chat configured: alerts about new tickets, scams and SLA "
                "targets go nowhere (set staff_chat_id or staff_channel_id of a channel)"
            )
        RUNNING.attach(parts.runtime)
        started.callback(RUNNING.detach, parts.runtime)
        await self._begin(parts.scheduler.start, parts.scheduler.stop)
        for options in await resume_jobs(parts.broadcaster, self.clock()):
            parts.scheduler.add_job(send_broadcast, options)
        # what start built (models, knowledge, texts: about 180,000 objects) lives as
        # long as the bot: kept out of the collector's full passes, each of which would
        # otherwise walk it with the event loop stopped (100-160 ms, every few thousand
        # messages: the slowest replies under load)
        gc.collect()
        gc.freeze()
        started.callback(gc.unfreeze)
        dispatch = self.metrics.counting(parts.pipeline.dispatch)
        for channel in self.channels.values():
            await self._begin(partial(channel.start, dispatch), partial(_stop_channel, channel))
        log.info("socialdesk is up: %s on %s", ", ".join(self.channels) or "no channels", self.url)

    async def stop(self) -> None:
        """Stop what started, last started first; safe to call again, or after a
        start that failed part-way."""
        await self._started.aclose()

    async def _begin(
        self, start: Callable[[], Awaitable[None]], stop: Callable[[], Awaitable[None]]
    ) -> None:
        """Start a part, its stop registered first: a part whose start fails half-way
        is stopped too (every part's ``stop`` copes with that)."""
        self._started.push_async_callback(stop)
        await start()

    async def _prepare_answers(self, pipeline: Pipeline) -> None:
        """Embed the knowledge base before the first question (from the on-disk cache
        when unchanged), off the event loop; say in one line when the shared model could
        not load. The reloader does the same after every reload."""
        status = shared_engine()
        if status.engine is None:
            log.warning("%s", status.reason)
        elif status.second_reason:
            log.warning("%s; answering on e5's own calibration", status.second_reason)
        for stage in answer_stages(pipeline.router):
            await asyncio.to_thread(stage.resolver)
        second = status.engine.second if status.engine is not None else None
        if second is not None:
            # the second model reads its tokenizer and weights on its first text (0.3-0.6 s
            # from the tables kept in the embedding cache, 1-3 s the first time): now, not
            # on the event loop while the first user and every chat wait
            await asyncio.to_thread(second.model.query, ["warm up"])

    async def _close_store(self) -> None:
        if self.store is not None:
            await self.store.close()
            self.store = None

    def _health(self) -> dict[str, object]:
        return {"status": "ok", "channels": sorted(self.channels)}


async def _stop_channel(channel: Channel) -> None:
    """A channel that fails to stop is logged; the others, and the rest, still stop."""
    try:
        await channel.stop()
    except Exception:
        log.exception("stopping %s failed", channel.name)
