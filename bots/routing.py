"""The flow of a message, composed: the router's chain of stages and the pipeline.

Kept apart from :mod:`bots.assembly` (the whole bot: server, APIs, scheduler) so that
``socialdesk ask``, which answers one question and exits, imports only what a message
walks through, not the web server and the agents' API.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from bots.config import Config
from bots.outgoing import staff_chats
from channels.base import Channel
from handlers.answers import AnswerStage, KnowledgeBase
from handlers.attachments import AttachmentIntake
from handlers.broadcasts.verify import NoticeCheckStage
from handlers.commands import CommandStage
from handlers.conversation import ConversationStage
from handlers.flood import FloodCounter, FloodGate
from handlers.greeting import GreetingStage
from handlers.guard import GuardStage
from handlers.handoff import TicketStage
from handlers.incidents import IncidentStage
from handlers.intake import IntakeStage
from handlers.intake_words import CategoryReader
from handlers.language import LanguageDetector, name_words
from handlers.outbox_rows import Outbox
from handlers.pipeline import Pipeline
from handlers.rating_comment import RatingCommentStage
from handlers.reopen import ReopenStage
from handlers.router import Router
from handlers.staffdesk import StaffDesk
from handlers.texts import Texts
from handlers.understanding import shared_engine
from storage.links import LinkStore
from storage.subscriptions import SubscriptionStore
from storage.tickets import TicketStore

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


def build_router(config: Config, knowledge: KnowledgeBase | None = None) -> Router:
    """The chain every message walks: guard, conversation state, intents, fallback."""
    if knowledge is None:
        knowledge = KnowledgeBase(config.knowledge.paths)
        knowledge.refresh()
    engine = shared_engine().engine
    if engine is not None:  # the second model's tokenizer tables live beside the vectors
        engine.keep_in(config.knowledge.embedding_cache)
    answers = AnswerStage(knowledge, config.knowledge, engine=engine)
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


def build_pipeline(
    config: Config,
    store: Any,
    texts: Texts,
    clock: Clock,
    channels: dict[str, Channel] | None = None,
    detector: LanguageDetector | None = None,
    knowledge: KnowledgeBase | None = None,
    outbox: Outbox | None = None,
) -> Pipeline:
    """A pipeline with no outbox sender, tickets or staff desk (``socialdesk ask``)."""
    router = build_router(config, knowledge)
    return wire_pipeline(
        config, store, texts, clock, router, channels or {}, detector=detector, outbox=outbox
    )


def wire_pipeline(
    config: Config,
    store: Any,
    texts: Texts,
    clock: Clock,
    router: Router,
    channels: dict[str, Channel],
    *,
    detector: LanguageDetector | None = None,
    wake: Callable[[], None] = lambda: None,
    tickets: TicketStore | None = None,
    subscriptions: SubscriptionStore | None = None,
    links: LinkStore | None = None,
    staff_desk: StaffDesk | None = None,
    files: AttachmentIntake | None = None,
    outbox: Outbox | None = None,
    flood: FloodCounter | None = None,
) -> Pipeline:
    return Pipeline(
        store=store,
        router=router,
        texts=texts,
        brand=config.bot.brand_profile(),
        clock=clock,
        capabilities={name: ch.capabilities for name, ch in channels.items()},
        staff_chats=staff_chats(config),
        member_checks=guards(router),
        detector=detector or LanguageDetector(names=names_in(config, router)),
        wake=wake,
        tickets=tickets,
        subscriptions=subscriptions,
        links=links,
        staff_desk=staff_desk,
        files=files,
        outbox=outbox,
        flood=flood or FloodGate(),
    )


def guards(router: Router) -> tuple[GuardStage, ...]:
    """The router's scam guards (they check members, and reload block lists)."""
    return tuple(s for s in router.handlers if isinstance(s, GuardStage))


def names_in(config: Config, router: Router) -> Callable[[], frozenset[str]]:
    """The brand's name and its base's entry names, for the language detector: words
    like "Corvid" or "Spring Deposit Fiesta" say nothing about the user's language."""
    brand = name_words([config.bot.brand])
    stages = answer_stages(router)
    last: list[tuple[tuple[frozenset[str], ...], frozenset[str]]] = []

    def names() -> frozenset[str]:
        # one set per version of the bases: the detector's cache keys on it
        parts = tuple(stage.name_words() for stage in stages)
        if not last or any(a is not b for a, b in zip(last[0][0], parts, strict=True)):
            last[:] = [(parts, brand.union(*parts))]
        return last[0][1]

    return names


def answer_stages(router: Router) -> list[AnswerStage]:
    """The router's answer stages, whose index is warmed before the first question."""
    return [s for s in router.handlers if isinstance(s, AnswerStage)]
