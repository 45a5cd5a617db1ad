"""``/metrics``: the bot's figures in the Prometheus text format.

Counted as they happen, in this process: messages received per channel, replies
delivered per channel, the time from an update's arrival to the bot's reply to that
chat, and 429 answers platforms gave to sends. Counted in the database when scraped
(:mod:`storage.gauges`): the outbox's depth, tickets by status, SLA breaches, open
incidents. Each ``App`` has a registry of its own, never the process-wide default, so
several bots in one process (the tests) keep separate counts.

Who may read it: with the ``[metrics] token_env`` variable set, a caller sending
``Authorization: Bearer <that value>``; without it, only callers on this machine
(127.0.0.1 or ::1).
"""

from __future__ import annotations

import hmac
import ipaddress
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable, Iterator
from typing import Any

from aiohttp import web
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from channels.base import MemberEvent, Message
from storage.gauges import Gauges, read_gauges
from storage.store import Outcome, Store

Dispatch = Callable[[Message | MemberEvent], Awaitable[Any]]
# seconds: a bot's answer takes well under one; the top buckets catch stalls
LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 30.0, 60.0, 300.0)
STALE = 300.0  # an update unanswered this long was not the bot's to answer (a ticket's)
WAITING_MAX = 100_000  # chats whose update awaits its reply, remembered at most


class Metrics:
    """The counters of one bot and the scrape that reads the database's figures."""

    def __init__(self, channels: Iterable[str] = ()) -> None:
        self.registry = CollectorRegistry()
        self.inbound = Counter(
            "socialdesk_inbound_messages",
            "Messages received from users, by channel (redeliveries included)",
            ["channel"],
            registry=self.registry,
        )
        self.replies = Counter(
            "socialdesk_replies_sent",
            "Replies delivered in a conversation (the bot's and agents'), by channel",
            ["channel"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "socialdesk_reply_latency_seconds",
            "From an update's arrival to the delivery of the bot's reply in that chat",
            ["channel"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.rate_limited = Counter(
            "socialdesk_rate_limited",
            "429 (too many requests) answers a platform gave to a send, by channel",
            ["channel"],
            registry=self.registry,
        )
        self.figures = _DatabaseFigures()
        self.registry.register(self.figures)
        for channel in channels:  # every channel's series exists from the start, at 0
            for family in (self.inbound, self.replies, self.rate_limited):
                family.labels(channel)
        self._waiting: OrderedDict[tuple[str, str], float] = OrderedDict()

    def __repr__(self) -> str:
        return "Metrics(/metrics)"

    def counting(self, dispatch: Dispatch) -> Dispatch:
        """``dispatch``, counting each message and starting its reply's clock."""

        async def counted(event: Message | MemberEvent) -> Any:
            if isinstance(event, Message):
                self.inbound.labels(event.channel).inc()
                self._started((event.channel, event.chat_id))
            return await dispatch(event)

        return counted

    def _started(self, chat: tuple[str, str]) -> None:
        now = time.perf_counter()
        since = self._waiting.get(chat)
        if since is not None and now - since < STALE:
            return  # measured from the oldest update still unanswered
        self._waiting[chat] = now
        self._waiting.move_to_end(chat)
        if len(self._waiting) > WAITING_MAX:
            self._waiting.popitem(last=False)

    def watch(self, outcome: Outcome) -> None:
        """The outbox's report of one send (``Sender.watch``)."""
        work = outcome.work
        if outcome.status == "pending" and (outcome.error or "").startswith("429"):
            self.rate_limited.labels(work.channel).inc()
        if outcome.status != "delivered" or work.action.get("type") != "reply":
            return
        if work.conversation_id is None:
            return  # a notice or a staff alert, not an answer
        self.replies.labels(work.channel).inc()
        if work.sender != "bot":
            return
        since = self._waiting.pop((work.channel, work.chat_id), None)
        if since is not None and (elapsed := time.perf_counter() - since) < STALE:
            self.latency.labels(work.channel).observe(elapsed)

    async def render(self, store: Store) -> bytes:
        """The text a scrape answers, with the database's figures read now."""
        self.figures.latest = await store.read(read_gauges)
        return generate_latest(self.registry)


class _DatabaseFigures:
    """A collector of the figures :func:`storage.gauges.read_gauges` last read."""

    def __init__(self) -> None:
        self.latest = Gauges()

    def collect(self) -> Iterator[Metric]:
        outbox = GaugeMetricFamily(
            "socialdesk_outbox_depth", "Outbox rows not yet sent, by status", labels=["status"]
        )
        for status, count in sorted(self.latest.outbox.items()):
            outbox.add_metric([status], count)
        yield outbox
        tickets = GaugeMetricFamily("socialdesk_tickets", "Tickets by status", labels=["status"])
        for status, count in sorted(self.latest.tickets.items()):
            tickets.add_metric([status], count)
        yield tickets
        yield CounterMetricFamily(
            "socialdesk_sla_breaches",
            "Tickets that passed their first-answer target unanswered",
            value=self.latest.sla_breaches,
        )
        yield GaugeMetricFamily(
            "socialdesk_open_incidents", "Incidents open now", value=self.latest.open_incidents
        )


def metrics_route(metrics: Metrics, store: Store, token: str | None) -> web.RouteDef:
    """``GET /metrics``, for the caller :func:`may_read` lets in (else 401/403)."""

    async def scrape(request: web.Request) -> web.Response:
        if token:
            if not may_read(request, token):
                raise web.HTTPUnauthorized(
                    text="a valid bearer token is required\n",
                    headers={"WWW-Authenticate": "Bearer"},
                )
        elif not _local(request.remote):
            raise web.HTTPForbidden(text="only local callers, unless [metrics] token_env is set\n")
        body = await metrics.render(store)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    return web.get("/metrics", scrape)


def may_read(request: web.Request, token: str) -> bool:
    """The bearer token is ``token`` (compared in constant time)."""
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip(), token)


def _local(remote: str | None) -> bool:
    try:
        return remote is not None and ipaddress.ip_address(remote).is_loopback
    except ValueError:
        return False
