"""The handoff stage: a stage's request for a person becomes a ticket.

Any stage may ask for a ticket (the guard when funds are gone, ``/ticket``, an answer
that needs the account looked at): it puts an :class:`~handlers.requests.OpenTicket`
in its answer. This stage, placed after the answering stages, settles it. In a public
chat personal details never come up: the user is invited to a private chat, with the
request carried over. In private the ticket is opened (or the open one found) in the
transaction that enqueues the replies, and the user is told its number and their
place in the queue, asked the intake's first question, and the staff chats hear of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from channels.base import Button, InvitePrivate, Message, Reply
from handlers.context import PASS, Context, Handled, Pass
from handlers.intake import TICKET_CATEGORIES, first_step, question
from handlers.requests import AlertStaff, OpenTicket, Step
from handlers.secrets import redact
from handlers.staffdesk import STAFF_CALLBACK
from handlers.topics import category_of_entry
from storage.buttons import ButtonStore
from storage.tickets import Opened, TicketStore

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection


class TicketStage:
    """Opens the ticket an earlier stage asked for; on its own it answers nothing."""

    def __repr__(self) -> str:
        return "TicketStage()"

    async def handle(self, message: Message, ctx: Context) -> Handled | Pass:
        return PASS  # it only settles what the stages before it asked for (finish)

    async def finish(self, result: Handled, message: Message, ctx: Context) -> Handled:
        request = next((a for a in result.actions if isinstance(a, OpenTicket)), None)
        if request is None or ctx.tickets is None or ctx.conversation_id is None:
            return result  # nothing asked; or ``socialdesk ask``: the request is shown
        others: list[Step] = [a for a in result.actions if not isinstance(a, OpenTicket)]
        asked = None
        if ctx.pressed is not None:  # a button ("check my account"): what they chose and asked
            asked = await ButtonStore(ctx.tickets.store).last_typed(ctx.conversation_id)
            words = f"{ctx.pressed}: {asked}" if asked else ctx.pressed
        else:
            words = request.summary or message.text[:200]
        # the summary is the user's own words: stored and shown to staff, so redacted
        summary, _ = redact(words)
        category = request.category
        if category not in TICKET_CATEGORIES:  # a knowledge base's ("deposits"): the intake's
            ref = result.refs[0] if result.refs else ""
            category = category_of_entry(ref, category, asked or "") or "other"
        if message.chat_kind.is_public:
            # personal details never in public: the ticket starts in a private chat,
            # which the deep link opens with the request carried over
            invite = InvitePrivate(
                chat_id=message.chat_id,
                user_id=message.sender_id,
                text=ctx.t("tickets.move_private"),
                button_label=ctx.t("tickets.open_private"),
                topic=f"/ticket {summary}"[:500],
                reply_to=message.platform_message_id,
                thread_id=message.thread_id,
            )
            result.actions = [*others, invite]
            return result
        result.actions = others
        tickets, conversation_id = ctx.tickets, ctx.conversation_id

        def open_ticket(conn: Connection) -> Sequence[Step]:
            opened = TicketStore._open(
                conn,
                conversation_id,
                category,
                summary,
                ctx.language,
                ctx.now,
                1 if category == "anti_fraud" else 2,
                first_step(category),
                tickets.round_robin,
            )
            return told(opened, message, ctx, category, summary)

        ctx.defer_telling(open_ticket)
        return result


def told(opened: Opened, message: Message, ctx: Context, category: str, summary: str) -> list[Step]:
    """What the user and the staff hear of an opened (or already open) ticket."""
    key = "tickets.opened" if opened.created else "tickets.still_open"
    text = ctx.t(key, number=opened.ticket_id, position=opened.position)
    if opened.created and opened.expected_wait is not None:
        text = f"{text} {ctx.t('tickets.expected_wait', minutes=opened.expected_wait)}"
    actions: list[Step] = [Reply(chat_id=message.chat_id, thread_id=message.thread_id, text=text)]
    if not opened.created:
        return actions
    step = first_step(category)  # the intake's first question
    if step is not None:
        buttons = ctx.capabilities is not None and ctx.capabilities.buttons
        ask = question(step, ctx.texts, ctx.language, chat_id=message.chat_id, buttons=buttons)
        actions.append(ask.model_copy(update={"thread_id": message.thread_id}))
    staff = ctx.texts.get(
        "tickets.staff_new",
        "en",
        number=opened.ticket_id,
        category=category,
        channel=message.channel,
        summary=summary[:200],
    )
    verb = "claim"
    if opened.assignee is not None:  # round robin gave it to someone already
        verb = "resolve"
        staff = f"{staff}\n{ctx.texts.get('tickets.staff_assigned', 'en', agent=opened.assignee)}"
    button = Button(
        label=ctx.texts.get(f"tickets.staff_{verb}", "en"),
        data=f"{STAFF_CALLBACK}{verb}:{opened.ticket_id}",
    )
    actions.append(AlertStaff(text=staff, buttons=((button,),)))
    return actions
