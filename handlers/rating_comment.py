"""After a low rating the bot asks for one line: the user's next message is that line.

Within :data:`COMMENT_WINDOW` of the question, what the user writes next is stored as
the rating's comment (redacted like every stored text) and thanked for; it opens no
ticket and does not take the resolved ticket up again, which is why this stage runs
before the reopening one. A command instead of a comment means the user moved on: the
bot stops waiting and the command keeps its meaning. Button presses leave it waiting.
"""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from channels.base import Message, Reply
from handlers.commands import parse_command
from handlers.context import PASS, Context, Handled, Pass
from handlers.secrets import redact
from storage.ratings import COMMENT_LENGTH, RatingStore

COMMENT_WINDOW = timedelta(hours=1)  # after this the next message is a new question


class RatingCommentStage:
    """Takes the message that answers "what went wrong?" as the rating's comment."""

    def __init__(self, window: timedelta = COMMENT_WINDOW) -> None:
        self.window = window

    def __repr__(self) -> str:
        return f"RatingCommentStage(within={self.window})"

    async def handle(self, message: Message, ctx: Context) -> Handled | Pass:
        if (
            ctx.ticket_id is not None
            or ctx.tickets is None
            or ctx.conversation_id is None
            or message.callback
            or not ctx.lookups.comment_asked
            or not message.text.strip()
        ):
            return PASS
        ratings = RatingStore(ctx.tickets.store)
        awaited = await ratings.awaited(ctx.conversation_id, ctx.now - self.window)
        if awaited is None:
            return PASS
        if parse_command(message.text) is not None:
            ctx.defer(partial(RatingStore._stop_waiting, ticket_id=awaited.ticket_id))
            return PASS
        text, _kinds = redact(" ".join(message.text.split()))
        # still awaited (read above), so stored with this message's thanks
        comment = text[:COMMENT_LENGTH]
        ctx.defer(
            partial(RatingStore._comment, ticket_id=awaited.ticket_id, text=comment, now=ctx.now)
        )
        reply = Reply(
            chat_id=message.chat_id,
            text=ctx.t("rating.comment_thanks"),
            thread_id=message.thread_id,
        )
        return Handled(intent="rating_comment", actions=[reply])
