"""``AnswerStage``: answers activity, airdrop and FAQ questions from the knowledge base.

It sits in the router after the commands and before the greeting: a question it is
sure about gets an answer (intent ``activity``, ``airdrop`` or ``faq`` with the entry's
ref), a close call gets one clarifying question with the closest entries as buttons
(``clarify``), a question about something the base does not hold is told so with the
entries it does hold, and a question it cannot place is handed to a person
(``handoff``). Anything else (chatter, thanks) passes on to the greeting.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from channels.base import Button, Message, Reply
from handlers.answers.compose import ENTRY_CALLBACK, TICKET_CALLBACK, compose, entry_label
from handlers.answers.knowledge import Knowledge, KnowledgeBase
from handlers.answers.matcher import Candidate, names_of
from handlers.answers.resolve import Resolution, Resolver
from handlers.answers.schema import Activity, Airdrop
from handlers.answers.settings import KnowledgeSettings
from handlers.answers.status import activity_phase, airdrop_phase
from handlers.commands import parse_command
from handlers.context import PASS, Context, Handled, Pass
from handlers.language import name_words
from handlers.requests import OpenTicket
from handlers.understanding.engine import Engine

MAX_OPTIONS = 5


@dataclass(slots=True)
class Answered(Handled):
    """What the answer stage returns; its ``confidence`` is always set (0 to 1)."""


class AnswerStage:
    """Reads ``base.current`` once per message; rebuilds its index when that changes."""

    def __init__(
        self,
        base: KnowledgeBase,
        settings: KnowledgeSettings | None = None,
        engine: Engine | None = None,
    ) -> None:
        self.base = base
        self.settings = settings or KnowledgeSettings()
        self.zone = ZoneInfo(self.settings.timezone)
        self.engine = engine  # None: names and character n-grams alone
        self._resolver: Resolver | None = None
        self._building = threading.Lock()
        self._names: tuple[Knowledge, frozenset[str]] | None = None

    def __repr__(self) -> str:
        return f"AnswerStage({self.base!r})"

    def resolver(self) -> Resolver:
        """The resolver for the current version of the base (built once per version).

        Building one embeds the base's new texts; the reloader calls this from its
        worker thread right after a reload. While it builds, questions are answered by
        the previous version instead of waiting for it."""
        knowledge = self.base.current
        resolver = self._resolver
        if resolver is not None and resolver.knowledge is knowledge:
            return resolver
        if not self._building.acquire(blocking=resolver is None):
            assert resolver is not None
            return resolver  # another thread is building the new one
        try:
            if self._resolver is None or self._resolver.knowledge is not knowledge:
                self._resolver = Resolver(knowledge, self.settings, engine=self.engine)
            return self._resolver
        finally:
            self._building.release()

    def name_words(self) -> frozenset[str]:
        """The words of the current base's activity and airdrop names, which the
        language detector sets aside (``handlers.language.name_words``)."""
        knowledge = self.base.current
        known = self._names
        if known is None or known[0] is not knowledge:
            entries: list[Activity | Airdrop] = [*knowledge.activities, *knowledge.airdrops]
            known = (knowledge, name_words(n for e in entries for n in names_of(e)))
            self._names = known
        return known[1]

    def prepare(self, texts: Sequence[str]) -> int:
        """Embed together the questions among ``texts`` that will reach the model
        (those the cheap signals cannot decide), ahead of routing them one by one;
        returns how many were embedded. The model's throughput on a batch is several
        times that of one text at a time; every decision is the same."""
        resolver = self.resolver()
        if self.engine is None or resolver.semantic is None:
            return 0
        questions = [t.strip() for t in texts]
        needed = [q for q in questions if q and parse_command(q) is None and resolver.prepare(q)]
        return self.engine.prime(needed)

    async def handle(self, message: Message, ctx: Context) -> Handled | Pass:
        resolver = self.resolver()
        knowledge = resolver.knowledge
        if message.callback and message.callback.startswith(TICKET_CALLBACK):
            return self._open_ticket(message, ctx, message.callback[len(TICKET_CALLBACK) :])
        if message.callback:
            ref = message.callback.removeprefix(ENTRY_CALLBACK)
            if not message.callback.startswith(ENTRY_CALLBACK) or ref not in knowledge.by_ref:
                return PASS
            return self._answer(message, ctx, knowledge, Resolution("answer", ref, 1.0))
        text = message.text.strip()
        if not text or parse_command(text) is not None:
            return PASS
        resolution = resolver.resolve(text)
        if resolution.outcome == "answer" and resolution.ref is not None:
            return self._answer(message, ctx, knowledge, resolution)
        if resolution.outcome == "clarify":
            return self._choices(
                message, ctx, knowledge, resolution.candidates, "clarify", resolution.confidence
            )
        if resolution.outcome == "unknown":
            known = _known(knowledge, resolution.topic or "airdrop", ctx)
            if known:
                return self._choices(
                    message, ctx, knowledge, known, f"unknown_{resolution.topic}", 0.0
                )
        if resolution.outcome in ("unknown", "handoff"):
            reply = _reply(message, ctx.t("answers.handoff"))
            return Answered(
                intent="handoff",
                handoff=True,
                actions=[reply, OpenTicket(category="other", summary=text[:200])],
            )
        return PASS

    @staticmethod
    def _open_ticket(message: Message, ctx: Context, data: str) -> Answered:
        """The user pressed "check my account": a person takes over, with the entry
        the question was about as the ticket's summary."""
        category, _, ref = data.partition(":")
        return Answered(
            intent="handoff",
            handoff=True,
            refs=[ref] if ref else [],
            actions=[
                _reply(message, ctx.t("answers.ticket_opened")),
                OpenTicket(category=category or "other", summary=f"account check: {ref}"),
            ],
        )

    def _answer(
        self, message: Message, ctx: Context, knowledge: Knowledge, resolution: Resolution
    ) -> Answered:
        assert resolution.ref is not None
        entry = knowledge.by_ref[resolution.ref]
        composed = compose(entry, resolution, ctx, self.zone)
        reply = _reply(message, composed.text(), composed.buttons, ctx)
        return Answered(
            intent=resolution.ref.split(":")[0],
            actions=[reply],
            refs=[resolution.ref],
            confidence=resolution.confidence,
        )

    def _choices(
        self,
        message: Message,
        ctx: Context,
        knowledge: Knowledge,
        candidates: tuple[Candidate, ...] | list[Candidate],
        key: str,
        confidence: float,
    ) -> Answered:
        buttons = [
            Button(
                label=entry_label(knowledge.by_ref[c.ref], ctx.language),
                data=f"{ENTRY_CALLBACK}{c.ref}",
            )
            for c in candidates[:MAX_OPTIONS]
        ]
        return Answered(
            intent="clarify",
            actions=[_reply(message, ctx.t(f"answers.{key}"), buttons, ctx)],
            confidence=confidence,
        )


def _known(knowledge: Knowledge, topic: str, ctx: Context) -> list[Candidate]:
    """Entries of a kind worth offering: those not over yet, soonest first."""
    if topic == "activity":
        live: list[Activity] = [
            a for a in knowledge.activities if activity_phase(a, ctx.now) != "ended"
        ]
        return [Candidate(f"activity:{a.id}", 0.0) for a in sorted(live, key=lambda a: a.ends_at)]
    drops: list[Airdrop] = [
        a
        for a in knowledge.airdrops
        if airdrop_phase(a, ctx.now) not in ("distributed", "cancelled")
    ]
    return [
        Candidate(f"airdrop:{a.id}", 0.0) for a in sorted(drops, key=lambda a: a.distribution_at)
    ]


def _reply(
    message: Message, text: str, buttons: list[Button] | None = None, ctx: Context | None = None
) -> Reply:
    """A reply; where the channel has no buttons, the options are listed in the text."""
    buttons = buttons or []
    can_press = ctx is None or ctx.capabilities is None or ctx.capabilities.buttons
    if buttons and not can_press:
        text = "\n".join(
            [
                text,
                *(f"• {b.label}" for b in buttons if b.data and b.data.startswith(ENTRY_CALLBACK)),
            ]
        )
        buttons = []
    rows = tuple((b,) for b in buttons)
    return Reply(
        chat_id=message.chat_id,
        text=text,
        buttons=rows,
        thread_id=message.thread_id,
        reply_to=message.platform_message_id if message.chat_kind.is_public else None,
    )
