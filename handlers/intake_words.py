"""Typed words at the intake's "what is it about?" question, understood.

People answer the category question by writing their problem rather than pressing a
button. Refusing that ("please pick one of these", the same buttons again) traps them,
so the words are read instead: the answer stage's resolver may know the question (an
airdrop's date, a fee) and answer it, the entry it found or the intake's own cue words
(``handlers/topics.toml``) name the category, and whatever was written becomes the
ticket's description for the agent.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from channels.base import Action, Message, Reply
from handlers.answers import AnswerStage
from handlers.context import Context, Handled
from handlers.topics import category_of, category_of_entry


@dataclass(frozen=True, slots=True)
class Reading:
    """What typed words at the category question said.

    ``category``: the intake category they name (``None``: none could be told);
    ``answer``: the answer stage's reply to them, when it had a sure one."""

    category: str | None
    answer: list[Action] = field(default_factory=list)


class CategoryReader:
    """Reads typed words with the answer stage (its one index and model) and the cue
    words."""

    def __init__(self, answers: AnswerStage | None = None) -> None:
        self.answers = answers  # None: the cue words alone

    def __repr__(self) -> str:
        return f"CategoryReader({self.answers!r})"

    async def read(self, message: Message, ctx: Context) -> Reading:
        """The answer stage's sure answer (without its buttons: the user is in a ticket
        already, and the intake's next question carries the buttons that matter) and
        the category of the entry it used; else the cue words' category alone."""
        text = message.text.strip()
        if self.answers is None:
            return Reading(category_of(text))
        result = await self.answers.handle(message, ctx)
        if not isinstance(result, Handled) or result.handoff or not result.refs:
            return Reading(category_of(text))  # not a sure answer: the ticket is the way on
        ref = result.refs[0]
        entry = self.answers.resolver().knowledge.by_ref.get(ref)
        category = category_of_entry(ref, getattr(entry, "category", None), text)
        replies: list[Action] = [
            a.model_copy(update={"buttons": ()})
            for a in result.actions
            if isinstance(a, Reply) and a.chat_id == message.chat_id
        ]
        return Reading(category, replies)
