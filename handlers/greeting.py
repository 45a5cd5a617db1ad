"""The fallback: when no stage answered, greet the user and say what the bot can do."""

from __future__ import annotations

from channels.base import Message
from handlers.commands import help_reply
from handlers.context import Context, Handled, Pass


class GreetingStage:
    """Always answers; it must be the last stage of the chain."""

    def __repr__(self) -> str:
        return "GreetingStage()"

    async def handle(self, message: Message, ctx: Context) -> Handled | Pass:
        return Handled(intent="greeting", actions=[help_reply(message, ctx)])
