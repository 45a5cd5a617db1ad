"""``IncidentStage``: while an incident is open, its questions get its text.

It sits right after the guard. A question the answer engine (the answer stage's own
resolver: one model, one index) places on an FAQ is counted for the surge sweep; when
an open incident lists that FAQ, and the message or the ticket's intake names one of
its networks or coins where it gives any, the user gets the incident's text in their
language instead of the FAQ's answer or a ticket. In private the user is recorded as
affected (once), so the resolution reaches them; a ticket they have open is linked.
"""

from __future__ import annotations

from functools import partial

from channels.base import Message, Reply
from handlers.answers import AnswerStage
from handlers.commands import parse_command
from handlers.context import PASS, Context, Handled, Pass
from handlers.conversation import MAX_TEXT
from handlers.incidents.matching import matches, surge_keys
from handlers.incidents.mentions import mentions
from handlers.secrets import redacted
from storage.incidents import Affected, IncidentStore
from storage.surges import SurgeStore, asked_rows


class IncidentStage:
    """Answers an open incident's questions; passes everything else on."""

    def __init__(self, answers: AnswerStage) -> None:
        self.answers = answers

    def __repr__(self) -> str:
        return "IncidentStage()"

    async def handle(self, message: Message, ctx: Context) -> Handled | Pass:
        if (
            ctx.store is None  # `socialdesk ask`: no incidents without a database
            or ctx.conversation_id is None
            or message.callback
            or not message.addressed
            or ctx.flooding is not None
        ):
            return PASS
        text = message.text.strip()[:MAX_TEXT]
        if not text or parse_command(text) is not None:
            return PASS
        incidents = IncidentStore(ctx.store)
        open_incidents = await incidents.open_incidents() if ctx.lookups.incident_open else []
        if not open_incidents and ctx.ticket_id is not None:
            return PASS  # with people already, and nothing to tell them: not counted
        resolution = self.answers.resolver().resolve(text)
        ref = resolution.ref
        if resolution.outcome != "answer" or ref is None or not ref.startswith("faq:"):
            return PASS
        network = coin = None
        if ctx.ticket_id is not None:
            network, coin = await incidents.ticket_transfer(ctx.ticket_id)
        seen = mentions(text, network, coin)
        if ctx.ticket_id is None:
            # the examples staff will read: redacted like everything stored
            said = redacted(message.text, ctx.redacted).text.strip()[:200]
            asked = asked_rows(surge_keys(ref, seen), ctx.conversation_id, said, ctx.now)
            ctx.defer(partial(SurgeStore._record, rows=asked))
        incident = next((i for i in open_incidents if matches(i, ref, seen)), None)
        if incident is None:
            return PASS
        if not message.chat_kind.is_public:  # a follow-up in a group would reach everyone
            user = Affected(ctx.conversation_id, message.channel, message.chat_id, ctx.language)
            ctx.defer(
                partial(IncidentStore._affect, incident_id=incident.id, user=user, now=ctx.now)
            )
        if ctx.ticket_id is not None:
            ctx.defer(
                partial(
                    IncidentStore._link,
                    incident_id=incident.id,
                    ticket_id=ctx.ticket_id,
                    now=ctx.now,
                )
            )
        reply = Reply(
            chat_id=message.chat_id,
            text=incident.text(ctx.language),
            thread_id=message.thread_id,
            reply_to=message.platform_message_id if message.chat_kind.is_public else None,
        )
        return Handled(
            intent="incident",
            actions=[reply],
            refs=[ref, f"incident:{incident.id}"],
            confidence=resolution.confidence,
        )
