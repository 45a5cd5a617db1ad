"""Opening, listing and resolving incidents: what the CLI, the API and the staff
chat's button share.

Opening links the tickets already open about the same problem (their users are
affected too); resolving enqueues each affected user's follow-up, in their language,
in the transaction that resolves it, so it is sent once whoever resolves and however
often.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, Protocol

from channels.base import Reply
from handlers.answers import AnswerStage
from handlers.answers.compose import entry_label
from handlers.incidents.matching import matches
from handlers.incidents.mentions import FAMILY_NAMES, mentions
from handlers.incidents.settings import IncidentSettings
from handlers.incidents.spec import IncidentError, IncidentSpec, parse_spec
from handlers.outbox_rows import Outbox
from handlers.texts import Texts
from storage.incidents import Affected, IncidentStore, IncidentSummary, OpenIncident
from storage.store import NewOutbound, Store
from storage.surges import SurgeStore

log = logging.getLogger(__name__)
FOLLOW_UP_PRIORITY = 1  # after interactive replies: nobody is waiting on this one


class _Configured(Protocol):
    """The parts of the bot's configuration incidents read."""

    @property
    def bot(self) -> Any: ...

    @property
    def incidents(self) -> IncidentSettings: ...


class IncidentService:
    """Incident operations over one store; ``answers`` (the bot's answer stage, its one
    model and index) places open tickets' summaries on FAQs and names entries;
    ``outbox`` builds the follow-ups (by default over the registered channels)."""

    def __init__(
        self,
        store: Store,
        texts: Texts,
        clock: Callable[[], datetime],
        *,
        answers: AnswerStage | None = None,
        languages: tuple[str, ...] = ("en",),
        settings: IncidentSettings | None = None,
        wake: Callable[[], None] | None = None,
        outbox: Outbox | None = None,
    ) -> None:
        self.outbox = outbox or Outbox(store, clock)
        # told when a resolution enqueued follow-ups: by default the outbox's sender
        self.wake = wake or self.outbox.wake
        self.incidents = IncidentStore(store)
        self.surges = SurgeStore(store)
        self.texts = texts
        self.clock = clock
        self.answers = answers
        self.languages = languages
        self.settings = settings or IncidentSettings()

    def __repr__(self) -> str:
        return f"IncidentService(answers={self.answers is not None})"

    @classmethod
    def beside(
        cls,
        stages: Iterable[object],
        store: Store,
        texts: Texts,
        clock: Callable[[], datetime],
        config: _Configured,
        outbox: Outbox | None = None,
    ) -> IncidentService:
        """The service for a bot whose router has ``stages``: it places questions with
        that router's answer stage (one model, one index); ``wake`` tells the sender of
        follow-ups it enqueued."""
        answers = next((s for s in stages if isinstance(s, AnswerStage)), None)
        return cls(
            store,
            texts,
            clock,
            answers=answers,
            languages=tuple(config.bot.languages),
            settings=config.incidents,
            outbox=outbox,
        )

    def faq_ids(self) -> set[str] | None:
        """The knowledge base's FAQ ids (``None``: no base to check against)."""
        if self.answers is None:
            return None
        return {faq.id for faq in self.answers.resolver().knowledge.faqs}

    def parse(self, data: Any, label: str) -> IncidentSpec:
        return parse_spec(data, label=label, faqs=self.faq_ids())

    async def open(self, spec: IncidentSpec, by: str) -> int:
        """Open ``spec`` and link the open tickets it covers; its id."""
        incident_id, _created = await self._open(spec, by, None)
        return incident_id

    async def _open(self, spec: IncidentSpec, by: str, surge_id: int | None) -> tuple[int, bool]:
        incident_id, created = await self.incidents.open(
            title=spec.title,
            texts=spec.texts,
            faqs=spec.faqs,
            networks=spec.networks,
            coins=spec.coins,
            by=by,
            now=self.clock(),
            surge_id=surge_id,
        )
        if created:
            log.info("incident #%d opened by %s: %s", incident_id, by, spec.title)
            incident = OpenIncident(
                incident_id, spec.title, spec.texts, spec.faqs, spec.networks, spec.coins
            )
            await self.link_open_tickets(incident)
        return incident_id, created

    async def link_open_tickets(self, incident: OpenIncident) -> int:
        """Link every unresolved ticket about the incident's problem; how many."""
        if self.answers is None:
            return 0
        resolver = self.answers.resolver()
        linked = 0
        now = self.clock()
        for ticket in await self.incidents.open_tickets():
            summary = ticket.summary or ""
            named = [f for f in incident.faqs if f"faq:{f}" in summary]  # "account check"
            if named:
                ref = f"faq:{named[0]}"
            else:
                found = resolver.resolve(summary[:2000]) if summary.strip() else None
                if found is None or found.outcome != "answer" or found.ref is None:
                    continue
                ref = found.ref
            seen = mentions(summary, ticket.network, ticket.coin)
            if not matches(incident, ref, seen):
                continue
            if await self.incidents.link_ticket(incident.id, ticket.id, now):
                linked += 1
            user = Affected(ticket.conversation_id, ticket.channel, ticket.chat_id, ticket.language)
            await self.incidents.affect(incident.id, user, now)
        return linked

    async def resolve(self, incident_id: int, by: str) -> int:
        """Resolve and follow up; the number of users told. Raises
        :class:`IncidentError` (``missing``, ``conflict``: resolved already)."""
        told = await self.incidents.resolve(incident_id, by, self.clock(), self._follow_up)
        if told is None:
            status = await self.incidents.status(incident_id)
            if status is None:
                raise IncidentError(f"no incident #{incident_id}", "missing")
            raise IncidentError(f"incident #{incident_id} is resolved already", "conflict")
        log.info("incident #%d resolved by %s: %d user(s) told", incident_id, by, told)
        if told:
            self.wake()
        return told

    def _follow_up(self, user: Affected) -> list[NewOutbound]:
        text = self.texts.get("incidents.resolved", user.language)
        reply = Reply(chat_id=user.chat_id, text=text)
        return self.outbox.rows([reply], user.channel, user.conversation_id, FOLLOW_UP_PRIORITY)

    async def list(self, status: str | None = None) -> list[IncidentSummary]:
        """Incidents newest first (``status``: only open or only resolved ones)."""
        return await self.incidents.recent(status)

    def entry_name(self, ref: str, language: str) -> str:
        """How staff and users read an entry: its name, or an FAQ's first phrasing."""
        if self.answers is not None:
            entry = self.answers.resolver().knowledge.by_ref.get(ref)
            if entry is not None:
                return entry_label(entry, language)
        return ref.partition(":")[2]

    async def open_from_surge(self, surge_id: int, by: str) -> tuple[int, bool] | None:
        """An incident for a surge, with the default text in every language; its id
        and whether it is new (``None``: no such surge)."""
        surge = await self.surges.get(surge_id)
        if surge is None:
            return None
        if surge.incident_id is not None:
            return surge.incident_id, False
        kind, value = surge.kind, surge.value
        subject = FAMILY_NAMES.get(value, value) if kind == "network" else value

        def said(language: str) -> str:
            about = subject or self.entry_name(surge.ref, language)
            return self.texts.get("incidents.default_text", language, subject=about)

        entry = self.entry_name(surge.ref, "en")
        spec = IncidentSpec(
            title=f"{entry} ({subject})" if subject else entry,
            texts={language: said(language) for language in dict.fromkeys(("en", *self.languages))},
            faqs=(surge.ref.partition(":")[2],),
            networks=(subject,) if kind == "network" else (),
            coins=(subject,) if kind == "coin" else (),
        )
        return await self._open(spec, by, surge_id)
