"""A user who writes soon after their ticket was resolved is still talking about it.

Within ``[tickets] reopen_hours`` of the resolution, what they write takes the ticket
up again: it goes back into the queue (to the same agent, if it had one), the user is
told their place, and the staff chats hear why. Thanks, an "ok" or a hello reopen
nothing, and commands keep their meaning (``/ticket`` reopens too).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from channels.base import Button, Message, Reply
from handlers.commands import parse_command
from handlers.context import PASS, Context, Handled, Pass
from handlers.requests import AlertStaff, Step
from handlers.staffdesk import STAFF_CALLBACK
from handlers.topics import has_words, is_courtesy
from storage.tickets import Reopened, TicketStore

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection


class ReopenStage:
    """Reopens the conversation's recently resolved ticket; passes on anything else."""

    def __init__(self, reopen_hours: int) -> None:
        self.window = timedelta(hours=reopen_hours)

    def __repr__(self) -> str:
        return f"ReopenStage(within={self.window})"

    async def handle(self, message: Message, ctx: Context) -> Handled | Pass:
        if (
            not self.window
            or ctx.ticket_id is not None
            or ctx.tickets is None
            or ctx.conversation_id is None
            or message.chat_kind.is_public
            or message.callback
            or not ctx.lookups.resolved_ticket
        ):
            return PASS
        command = parse_command(message.text)
        if command is not None and command[0] != "ticket":
            return PASS
        if command is None and (not has_words(message.text) or is_courtesy(message.text)):
            return PASS
        ticket_id = await ctx.tickets.recently_resolved(ctx.conversation_id, ctx.now - self.window)
        if ticket_id is None:
            return PASS
        ctx.ticket_id = ticket_id

        def reopen(conn: Connection) -> list[Step]:
            reopened = TicketStore._reopen(conn, ticket_id, ctx.now)
            if reopened is None:
                return []  # taken up by an agent meanwhile: nothing to tell
            return told(reopened, ticket_id, message, ctx)

        ctx.defer_telling(reopen)
        return Handled(intent="ticket_reopened", handoff=True)


def told(reopened: Reopened, ticket_id: int, message: Message, ctx: Context) -> list[Step]:
    """The user's place in the queue again, and the staff chats' alert with why."""
    text = ctx.t("frontdoor.reopened", number=ticket_id, position=reopened.position)
    staff = ctx.texts.get(
        "frontdoor.staff_reopened",
        "en",
        number=ticket_id,
        category=reopened.category,
        channel=message.channel,
        summary=message.text[:200],
    )
    verb = "resolve" if reopened.assignee is not None else "claim"
    button = Button(
        label=ctx.texts.get(f"tickets.staff_{verb}", "en"),
        data=f"{STAFF_CALLBACK}{verb}:{ticket_id}",
    )
    return [
        Reply(chat_id=message.chat_id, text=text, thread_id=message.thread_id),
        AlertStaff(text=staff, buttons=((button,),)),
    ]
