"""Conversation state: what to do with a message given where the conversation stands.

Here the chain stops for group chatter that was not addressed to the bot, for input it
cannot read (empty, too long, attachments only), and for button presses that complete a
choice the bot offered (the reply language).
"""

from __future__ import annotations

import re
from functools import partial

from channels.base import Message, Reply
from handlers.context import PASS, Context, Handled, Pass
from handlers.intake import INTAKE_CALLBACK
from handlers.staffdesk import STAFF_CALLBACK
from handlers.topics import has_words
from storage.ratings import LOW_RATING, RatingStore
from storage.store import Store
from storage.tickets import TicketStore

MAX_TEXT = 8000  # characters the answering stages read; the guard reads everything
LANG_CALLBACK = "lang:"
# ``/lang vi``: the choice typed, where a channel has no buttons to press (X)
_LANG_TYPED = re.compile(r"^/lang(?:@\w+)?\s+([a-z]{2,3})\s*$", re.IGNORECASE)
RATE_CALLBACK = "rate:"
# commands about the account rather than the open ticket: a user linking another
# platform or subscribing while an agent has the ticket is answered, not filed
_ACCOUNT_COMMAND = re.compile(r"^/(?:link|subscribe|unsubscribe)(?:@\w+)?(?:\s|$)", re.I)
# buttons that belong to an open ticket: without one, pressing them does nothing
STALE_WITHOUT_TICKET = (INTAKE_CALLBACK, STAFF_CALLBACK)


class ConversationStage:
    """Stops what should not be answered; completes pending choices."""

    def __repr__(self) -> str:
        return "ConversationStage()"

    async def handle(self, message: Message, ctx: Context) -> Handled | Pass:
        if not message.addressed:
            return Handled(intent="ignored")
        if ctx.flooding is not None:
            if ctx.flooding:
                return self._reply(message, ctx, "flood", ctx.t("input.too_fast"))
            return Handled(intent="flood")
        if message.callback and message.callback.startswith(LANG_CALLBACK):
            return await self._set_language(message, ctx, message.callback[len(LANG_CALLBACK) :])
        typed = _LANG_TYPED.match(message.text) if not message.callback else None
        if typed is not None and typed.group(1).lower() in ctx.brand.languages:
            return await self._set_language(message, ctx, typed.group(1).lower())
        if message.callback and message.callback.startswith(RATE_CALLBACK):
            return await self._rate(message, ctx, message.callback[len(RATE_CALLBACK) :])
        if ctx.ticket_id is not None:
            # the conversation is with people now: the message joins the ticket's
            # transcript (it is recorded already) and the bot keeps out of it
            if ctx.tickets is not None:
                ctx.defer(partial(TicketStore._user_wrote, ticket_id=ctx.ticket_id))
            if message.text.strip().lower().startswith("/ticket"):
                text = ctx.t("tickets.still_open", number=ctx.ticket_id)
                return self._reply(message, ctx, "ticket_message", text)
            if _ACCOUNT_COMMAND.match(message.text.strip()):
                return PASS  # about the account, not the ticket: the command stage answers
            return Handled(intent="ticket_message")
        if message.callback and message.callback.startswith(STALE_WITHOUT_TICKET):
            return Handled(intent="ignored")  # a ticket's button, pressed after it closed
        if message.callback:
            return PASS
        text = message.text.strip()
        if not text:
            key = "input.no_text" if message.attachments else "input.empty"
            return self._reply(message, ctx, "unreadable", ctx.t(key))
        if len(text) > MAX_TEXT:
            return self._reply(message, ctx, "unreadable", ctx.t("input.too_long", limit=MAX_TEXT))
        if not has_words(text):
            # "???" or a lone emoji: nothing to answer and nothing for a person to take up
            return self._reply(message, ctx, "unreadable", ctx.t("frontdoor.no_words"))
        return PASS

    async def _set_language(self, message: Message, ctx: Context, code: str) -> Handled:
        if code not in ctx.brand.languages:
            return Handled(intent="ignored")
        if ctx.store is not None and ctx.identity_id is not None:
            ctx.defer(partial(Store._set_language, identity_id=ctx.identity_id, language=code))
        ctx.language = ctx.chosen_language = code
        return self._reply(message, ctx, "language_set", ctx.t("lang.set"))

    async def _rate(self, message: Message, ctx: Context, data: str) -> Handled:
        ticket, _, score = data.partition(":")
        if not (ticket.isdigit() and score in ("1", "2", "3", "4", "5")):
            return Handled(intent="ignored")
        if ctx.tickets is None or ctx.conversation_id is None:
            return Handled(intent="ignored")
        ratings = RatingStore(ctx.tickets.store)
        if not await ratings.rateable(int(ticket), ctx.conversation_id):
            return Handled(intent="ignored")  # not theirs, not resolved, or rated already
        ctx.defer(
            partial(
                RatingStore._rate,
                ticket_id=int(ticket),
                conversation_id=ctx.conversation_id,
                score=int(score),
                now=ctx.now,
            )
        )
        if int(score) <= LOW_RATING:  # what went wrong? (handlers.rating_comment)
            return self._reply(message, ctx, "rating", ctx.t("rating.ask_comment"))
        return self._reply(message, ctx, "rating", ctx.t("tickets.rating_thanks"))

    @staticmethod
    def _reply(message: Message, ctx: Context, intent: str, text: str) -> Handled:
        reply = Reply(
            chat_id=message.chat_id,
            text=text,
            thread_id=message.thread_id,
            reply_to=message.platform_message_id if message.chat_kind.is_public else None,
        )
        return Handled(intent=intent, actions=[reply])
