"""Building a bot: every object made and wired through its constructor, nothing started.

:func:`assemble` is the one place that knows how the parts fit: the router's chain of
stages, the pipeline, the outbox sender, the staff desk, the APIs, the scheduler and
its jobs' runtime, the web server. It opens no socket, starts no task and reads only
files (the knowledge base, which the guard and the answers are built on); starting, in
order, is :class:`bots.app.App`'s. The CLI builds single parts with the functions
here (``build_broadcaster``); the flow of a message is composed in :mod:`bots.routing`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bots.agents_api import AgentsApi
from bots.api import AgentApi
from bots.attachments_api import AttachmentApi, attachment_intake
from bots.broadcast_api import BroadcastApi
from bots.config import Config
from bots.incidents_api import IncidentApi
from bots.metrics import Metrics
from bots.outgoing import build_outbox
from bots.readiness import operations_routes
from bots.redis_shared import RedisShared, redis_shared
from bots.reports_api import ReportApi
from bots.routing import Clock, answer_stages, build_router, guards, wire_pipeline
from bots.server import Server, build_server
from bots.webchat_page import page_texts
from channels.base import Channel
from channels.registry import BuildContext
from handlers.answers import KnowledgeBase, KnowledgeReloader
from handlers.broadcasts.service import Broadcaster
from handlers.incidents import IncidentService
from handlers.incidents.desk import IncidentPress
from handlers.outbox import Sender
from handlers.outbox_rows import Outbox
from handlers.pipeline import Pipeline
from handlers.staffdesk import StaffDesk
from handlers.texts import Texts
from scheduler.blocklists import refresh_blocklists
from scheduler.calendar import BroadcastCalendar
from scheduler.reminders import send_reminders
from scheduler.runtime import Runtime
from scheduler.service import Scheduler
from scheduler.sla import sweep_sla
from scheduler.surge import surge_job
from storage.agents import AgentAdmin
from storage.attachments import AttachmentStore
from storage.broadcasts import BroadcastStore
from storage.cursors import CursorStore
from storage.links import LinkStore
from storage.queue import QueueStore
from storage.reports import ReportStore
from storage.store import Store
from storage.subscriptions import SubscriptionStore
from storage.tickets import SlaStore, TicketStore


def build_channels(config: Config, texts: Texts) -> dict[str, Channel]:
    """The enabled channels, by name, each built by its registry factory."""
    context = BuildContext(
        environ=os.environ,
        commands={code: _commands(texts, "commands.", code) for code in config.bot.languages},
        page_texts=page_texts(texts, config.bot.brand_profile()),
        redis_url=config.redis.connection_url(os.environ),
        redis_prefix=config.redis.prefix,
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


def build_broadcaster(
    config: Config,
    store: Store,
    texts: Texts,
    clock: Clock,
    channels: set[str],
    wake: Callable[[], None] | None = None,
    calendar: BroadcastCalendar | None = None,
    outbox: Outbox | None = None,
) -> Broadcaster:
    """Broadcast operations for the enabled ``channels`` (the CLI passes their names
    from the configuration; the bot, its running channels); with a ``calendar``,
    scheduled notices and unpinning are stored as the scheduler's jobs."""
    return Broadcaster(
        BroadcastStore(store),
        SubscriptionStore(store),
        texts,
        channels=channels,
        languages=tuple(config.bot.languages),
        clock=clock,
        settings=config.broadcasts,
        wake=wake,
        schedule=calendar.schedule if calendar else None,
        unschedule=calendar.unschedule if calendar else None,
        schedule_unpin=calendar.schedule_unpin if calendar else None,
        outbox=outbox,
    )


@dataclass(frozen=True)
class Assembly:
    """A bot's parts, built and wired, none of them started."""

    reloader: KnowledgeReloader
    sender: Sender
    outbox: Outbox
    pipeline: Pipeline
    tickets: TicketStore
    incidents: IncidentService
    broadcaster: Broadcaster
    scheduler: Scheduler
    runtime: Runtime
    server: Server
    shared: RedisShared | None = None  # limits and flood counters in Redis, when set


def assemble(
    config: Config,
    store: Store,
    texts: Texts,
    clock: Clock,
    channels: dict[str, Channel],
    knowledge: KnowledgeBase,
    metrics: Metrics,
    health: Callable[[], dict[str, object]],
) -> Assembly:
    """Every part of a bot on ``store`` (migrated) for ``channels``, wired."""
    knowledge.refresh()  # the guard and the answers are built on the current base
    router = build_router(config, knowledge)
    stages = answer_stages(router)
    reloader = KnowledgeReloader(
        knowledge,
        config.knowledge.reload_interval,
        warm=stages[-1].resolver if stages else None,
    )
    shared = redis_shared(config, channels, clock)
    sender = Sender(
        store,
        channels,
        clock,
        concurrency=config.outbox.concurrency,
        max_attempts=config.outbox.max_attempts,
        watch=metrics.watch,
        limiter=shared.limiter if shared else None,
        lease_seconds=config.outbox.lease_seconds,
        unanswered_retry_delay=config.outbox.unanswered_retry_delay,
    )
    outbox = build_outbox(config, sender)
    round_robin = config.tickets.round_robin
    tickets = TicketStore(store, round_robin=round_robin)
    incidents = IncidentService.beside(router.handlers, store, texts, clock, config, outbox)
    desk = StaffDesk(tickets, texts, outbox, presses={"incident": IncidentPress(incidents)})
    files = AttachmentStore(store)
    max_bytes = config.attachments.max_bytes
    pipeline = wire_pipeline(
        config,
        store,
        texts,
        clock,
        router,
        channels,
        wake=sender.wake,
        tickets=tickets,
        subscriptions=SubscriptionStore(store),
        links=LinkStore(store),
        staff_desk=desk,
        files=attachment_intake(files, channels, texts, max_bytes),
        outbox=outbox,
        flood=shared.flood if shared else None,
    )
    scheduler = Scheduler(store.engine, scheduled_jobs(config))
    calendar = BroadcastCalendar(scheduler, BroadcastStore(store))
    broadcaster = build_broadcaster(
        config, store, texts, clock, set(channels), calendar=calendar, outbox=outbox
    )
    api = AgentApi(
        tickets,
        outbox,
        texts,
        clock,
        sender.wake,
        config.tickets,
        QueueStore(store, round_robin=round_robin),
        LinkStore(store),
    )
    routes: list[web.RouteDef] = api.routes()
    routes += BroadcastApi(broadcaster, api.guard).routes()
    routes += ReportApi(ReportStore(store), api.guard, clock).routes()
    routes += AttachmentApi(
        files, tickets, outbox, api.guard, max_bytes=max_bytes, clock=clock, wake=sender.wake
    ).routes()
    routes += IncidentApi(incidents, api.guard).routes()
    routes += AgentsApi(AgentAdmin(store), api.guard, clock).routes()
    routes += operations_routes(config.metrics, metrics, store)
    for channel in channels.values():
        # a channel that polls keeps its place in the database (X)
        use_cursors = getattr(channel, "use_cursors", None)
        if use_cursors is not None:
            use_cursors(CursorStore(store, channel.name))
        channel_routes = getattr(channel, "routes", None)
        if channel_routes is not None:
            routes += channel_routes()
    runtime = Runtime(
        outbox=outbox,
        texts=texts,
        clock=clock,
        wake=sender.wake,
        sla=SlaStore(store),
        sla_settings=config.tickets,
        guards=guards(router),
        broadcaster=broadcaster,
        knowledge=knowledge,
        incidents=incidents,
    )
    server = Server(build_server(routes, health), config.server.host, config.server.port)
    return Assembly(
        reloader,
        sender,
        outbox,
        pipeline,
        tickets,
        incidents,
        broadcaster,
        scheduler,
        runtime,
        server,
        shared,
    )
