"""The composition root: one bot assembled from its configuration.

Everything is built here and nowhere else: the store, the router's chain of stages, the
pipeline, the outbox sender, the channels and the web server. ``App`` owns their
lifecycle in the order that loses nothing: migrate, resume what a previous run left
half-done, start sending, then start listening.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from bots.agents_api import AgentsApi
from bots.api import AgentApi
from bots.attachments_api import attachment_routes
from bots.broadcast_api import BroadcastApi
from bots.config import Config
from bots.incidents_api import IncidentApi
from bots.metrics import Metrics
from bots.readiness import operations_routes
from bots.reports_api import ReportApi
from bots.server import Server, build_server
from bots.webchat_page import page_texts
from channels.base import Channel
from channels.registry import BuildContext
from handlers.answers import AnswerStage, KnowledgeBase, KnowledgeReloader
from handlers.broadcasts.service import Broadcaster
from handlers.broadcasts.verify import NoticeCheckStage
from handlers.commands import CommandStage
from handlers.conversation import ConversationStage
from handlers.greeting import GreetingStage
from handlers.guard import GuardStage
from handlers.handoff import TicketStage
from handlers.incidents import IncidentService, IncidentStage
from handlers.incidents.desk import IncidentPress
from handlers.intake import IntakeStage
from handlers.intake_words import CategoryReader
from handlers.language import LanguageDetector
from handlers.outbox import Sender
from handlers.pipeline import Pipeline, StaffChat
from handlers.rating_comment import RatingCommentStage
from handlers.reopen import ReopenStage
from handlers.router import Router
from handlers.staffdesk import StaffDesk
from handlers.texts import Texts
from handlers.understanding import shared_engine
from scheduler.blocklists import refresh_blocklists
from scheduler.broadcasts import (
    broadcast_job,
    job_id,
    send_broadcast,
    unpin_broadcast,
    unpin_job,
)
from scheduler.reminders import send_reminders
from scheduler.runtime import Runtime, bind
from scheduler.service import Scheduler
from scheduler.sla import sweep_sla
from scheduler.surge import surge_job
from storage.agents import AgentAdmin
from storage.broadcasts import BroadcastStore
from storage.cursors import CursorStore
from storage.links import LinkStore
from storage.migrate import upgrade
from storage.queue import QueueStore
from storage.reports import ReportStore
from storage.store import Store
from storage.subscriptions import SubscriptionStore
from storage.tickets import SlaStore, TicketStore
from storage.webchat import WebChatStore

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


def build_router(config: Config, knowledge: KnowledgeBase | None = None) -> Router:
    """The chain every message walks: guard, conversation state, intents, fallback."""
    if knowledge is None:
        knowledge = KnowledgeBase(config.knowledge.paths)
        knowledge.refresh()
    answers = AnswerStage(knowledge, config.knowledge, engine=shared_engine().engine)
    return Router(
        GuardStage(
            config.guard,
            official_contracts=knowledge.official_contracts(),
            embedding_cache=config.knowledge.embedding_cache,
        ),
        IncidentStage(answers),
        IntakeStage(CategoryReader(answers)),
        ConversationStage(),
        RatingCommentStage(),
        ReopenStage(config.tickets.reopen_hours),
        NoticeCheckStage(),
        CommandStage(),
        answers,
        TicketStage(),
        GreetingStage(),
        name="main",
    )


def build_channels(config: Config, texts: Texts) -> dict[str, Channel]:
    """The enabled channels, by name, each built by its registry factory."""
    context = BuildContext(
        environ=os.environ,
        commands={code: _commands(texts, "commands.", code) for code in config.bot.languages},
        page_texts=page_texts(texts, config.bot.brand_profile()),
    )
    return {
        spec.name: spec.build(settings, context) for spec, settings in config.enabled_channels()
    }


def _commands(texts: Texts, prefix: str, language: str) -> dict[str, str]:
    """Command menu entries in ``language``, in the order the menu shows them."""
    section = texts.section(prefix, language)
    return {key.removeprefix(prefix): text for key, text in section.items()}


def scheduled_jobs(config: Config) -> list[tuple[Callable[..., Any], dict[str, Any]]]:
    """Every job the scheduler runs, with its trigger (``socialdesk jobs`` lists them)."""
    return [
        (
            sweep_sla,
            {
                "id": "sla-sweep",
                "name": "ticket SLA sweep",
                "trigger": "interval",
                "seconds": config.tickets.sweep_seconds,
            },
        ),
        (
            refresh_blocklists,
            {
                "id": "blocklist-refresh",
                "name": "phishing block lists",
                "trigger": "interval",
                "minutes": config.guard.blocklist_refresh_minutes,
            },
        ),
        (
            send_reminders,
            {
                "id": "reminders",
                "name": "activity and airdrop reminders",
                "trigger": "interval",
                "seconds": config.broadcasts.reminder_check_seconds,
            },
        ),
        surge_job(config.incidents),
    ]


def staff_chats(config: Config) -> tuple[StaffChat, ...]:
    """Where staff alerts go, from each enabled channel's ``staff_chat_id``."""
    chats = []
    for spec, settings in config.enabled_channels():
        chat = getattr(settings, "staff_chat_id", None)
        if chat:
            chats.append(StaffChat(channel=spec.name, chat_id=str(chat)))
    return tuple(chats)


def build_pipeline(
    config: Config,
    store: Any,
    texts: Texts,
    clock: Clock,
    channels: dict[str, Channel] | None = None,
    detector: LanguageDetector | None = None,
    knowledge: KnowledgeBase | None = None,
) -> Pipeline:
    channels = channels or {}
    router = build_router(config, knowledge)
    return Pipeline(
        store=store,
        router=router,
        texts=texts,
        brand=config.bot.brand_profile(),
        clock=clock,
        capabilities={name: ch.capabilities for name, ch in channels.items()},
        staff_chats=staff_chats(config),
        member_checks=tuple(s for s in router.handlers if isinstance(s, GuardStage)),
        detector=detector or LanguageDetector(),
    )


def build_broadcaster(
    config: Config,
    store: Store,
    texts: Texts,
    clock: Clock,
    channels: set[str],
    wake: Callable[[], None] = lambda: None,
) -> Broadcaster:
    """Broadcast operations for the enabled ``channels`` (the CLI passes their names
    from the configuration; the bot, its running channels)."""
    return Broadcaster(
        BroadcastStore(store),
        SubscriptionStore(store),
        texts,
        channels=channels,
        languages=tuple(config.bot.languages),
        clock=clock,
        settings=config.broadcasts,
        wake=wake,
    )


class App:
    """A running bot: ``async with App(config) as app: ...``."""

    def __init__(self, config: Config, *, clock: Clock = system_clock) -> None:
        self.config = config
        self.clock = clock
        self.texts = Texts.load()
        self.channels = build_channels(config, self.texts)
        self.knowledge = KnowledgeBase(config.knowledge.paths)
        self.reloader = KnowledgeReloader(self.knowledge, config.knowledge.reload_interval)
        self.store: Store | None = None
        self.sender: Sender | None = None
        self.pipeline: Pipeline | None = None
        self.server: Server | None = None
        self.tickets: TicketStore | None = None
        self.scheduler: Scheduler | None = None
        self.broadcaster: Broadcaster | None = None
        self.incidents: IncidentService | None = None
        self.metrics = Metrics(self.channels)  # this bot's own registry (/metrics)

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

    async def _prepare_answers(self) -> None:
        """Embed the knowledge base before the first question (from the on-disk cache
        when unchanged), and after every reload, off the event loop; say in one line
        when the shared model could not load."""
        status = shared_engine()
        if status.engine is None:
            log.warning("%s", status.reason)
        assert self.pipeline is not None
        for stage in self.pipeline.router.handlers:
            if isinstance(stage, AnswerStage):
                self.reloader.warm = stage.resolver
                await asyncio.to_thread(stage.resolver)

    async def start(self) -> None:
        url = self.config.database.url
        await asyncio.to_thread(upgrade, url)
        self.store = Store.open(url)
        self.sender = Sender(
            self.store,
            self.channels,
            self.clock,
            concurrency=self.config.outbox.concurrency,
            max_attempts=self.config.outbox.max_attempts,
        )
        self.sender.watch = self.metrics.watch
        await self.reloader.start()
        self.pipeline = build_pipeline(
            self.config,
            self.store,
            self.texts,
            self.clock,
            self.channels,
            knowledge=self.knowledge,
        )
        self.pipeline.wake = self.sender.wake
        await self._prepare_answers()
        round_robin = self.config.tickets.round_robin
        self.pipeline.tickets = self.tickets = TicketStore(self.store, round_robin=round_robin)
        self.pipeline.subscriptions = SubscriptionStore(self.store)
        self.pipeline.links = LinkStore(self.store)
        self.incidents = IncidentService.beside(
            self.pipeline.router.handlers, self.store, self.texts, self.clock, self.config
        )
        self.incidents.wake = self.sender.wake
        self.pipeline.staff_desk = StaffDesk(
            self.tickets,
            self.texts,
            self.pipeline.outbound,
            presses={"incident": IncidentPress(self.incidents)},
        )
        api = AgentApi(
            self.tickets,
            self.pipeline,
            self.texts,
            self.clock,
            self.sender.wake,
            self.config.tickets,
            QueueStore(self.store, round_robin=round_robin),
            LinkStore(self.store),
        )
        self.broadcaster = build_broadcaster(
            self.config, self.store, self.texts, self.clock, set(self.channels), self.sender.wake
        )
        self.broadcaster.schedule = self._schedule_broadcast
        self.broadcaster.unschedule = self._unschedule_broadcast
        self.broadcaster.schedule_unpin = self._schedule_unpin
        routes: list[web.RouteDef] = api.routes()
        routes += BroadcastApi(self.broadcaster, api.guard).routes()
        routes += ReportApi(ReportStore(self.store), api.guard, self.clock).routes()
        routes += attachment_routes(self, api.guard)
        routes += IncidentApi(self.incidents, api.guard).routes()
        routes += AgentsApi(AgentAdmin(self.store), api.guard, self.clock).routes()
        routes += operations_routes(self.config.metrics, self.metrics, self.store)
        for channel in self.channels.values():
            # a channel that polls keeps its place in the database (X)
            use_cursors = getattr(channel, "use_cursors", None)
            if use_cursors is not None:
                use_cursors(CursorStore(self.store, channel.name))
            # a channel that keeps its own history (the web chat) keeps it here
            use_history = getattr(channel, "use_history", None)
            if use_history is not None:
                await use_history(WebChatStore(self.store, channel.name))
            channel_routes = getattr(channel, "routes", None)
            if channel_routes is not None:
                routes += channel_routes()
        self.server = Server(
            build_server(routes, self._health), self.config.server.host, self.config.server.port
        )
        await self.server.start()
        # load the language models now, not while the first user waits for an answer
        await asyncio.to_thread(self.pipeline.detector.detect, "warm up the language models")
        resumed = await self.pipeline.resume()
        if resumed:
            log.info("inbox: handled %d message(s) left unanswered by the last run", resumed)
        await self.sender.start()
        bind(
            Runtime(
                pipeline=self.pipeline,
                texts=self.texts,
                clock=self.clock,
                wake=self.sender.wake,
                sla=SlaStore(self.store),
                sla_settings=self.config.tickets,
                guards=tuple(s for s in self.pipeline.router.handlers if isinstance(s, GuardStage)),
                broadcaster=self.broadcaster,
                knowledge=self.knowledge,
                incidents=self.incidents,
            )
        )
        if not self.pipeline.staff_chats:
            log.warning(
                "no staff chat configured: alerts about new tickets, scams and SLA "
                "targets go nowhere (set staff_chat_id or staff_channel_id of a channel)"
            )
        self.scheduler = Scheduler(self.store.engine, scheduled_jobs(self.config))
        await self.scheduler.start()
        for channel in self.channels.values():
            await channel.start(self.metrics.counting(self.pipeline.dispatch))
        log.info("socialdesk is up: %s on %s", ", ".join(self.channels) or "no channels", self.url)

    async def stop(self) -> None:
        for channel in reversed(list(self.channels.values())):
            try:
                await channel.stop()
            except Exception:
                log.exception("stopping %s failed", channel.name)
        if self.scheduler is not None:
            await self.scheduler.stop()
            bind(None)
        if self.sender is not None:
            await self.sender.stop()
        await self.reloader.stop()
        if self.server is not None:
            await self.server.stop()
        if self.store is not None:
            await self.store.close()
            self.store = None

    async def _schedule_broadcast(self, broadcast_id: int, at: datetime) -> None:
        assert self.scheduler is not None and self.broadcaster is not None
        record = await self.broadcaster.get(broadcast_id)
        self.scheduler.add_job(send_broadcast, broadcast_job(broadcast_id, at, record["title"]))

    async def _schedule_unpin(self, broadcast_id: int, at: datetime) -> None:
        assert self.scheduler is not None and self.broadcaster is not None
        record = await self.broadcaster.get(broadcast_id)
        self.scheduler.add_job(unpin_broadcast, unpin_job(broadcast_id, at, record["title"]))

    async def _unschedule_broadcast(self, broadcast_id: int) -> None:
        assert self.scheduler is not None
        self.scheduler.remove_job(job_id(broadcast_id))

    def _health(self) -> dict[str, object]:
        return {"status": "ok", "channels": sorted(self.channels)}
