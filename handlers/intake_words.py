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
from handlers.answers import AnswerStage, Knowledge, KnowledgeBase, KnowledgeSettings
from handlers.answers.resolve import Resolution, Resolver
from handlers.context import Context, Handled, Pass
from handlers.router import Handler
from handlers.topics import category_of, category_of_entry


@dataclass(frozen=True, slots=True)
class Reading:
    """What typed words at the category question said.

    ``category``: the intake category they name (``None``: none could be told);
    ``answer``: the answer stage's reply to them, when it had a sure one."""

    category: str | None
    answer: list[Action] = field(default_factory=list)


class CategoryReader:
    """Reads typed words with the knowledge base and the cue words."""

    def __init__(
        self,
        base: KnowledgeBase | None,
        settings: KnowledgeSettings | None = None,
        answers: Handler | None = None,
    ) -> None:
        self.base = base
        self.settings = settings or KnowledgeSettings()
        self.answers = answers
        self._resolver: Resolver | None = None
        self._knowledge: Knowledge | None = None

    def __repr__(self) -> str:
        return f"CategoryReader(base={self.base!r})"

    def _resolve(self, text: str) -> tuple[Resolution | None, Knowledge | None]:
        if self.base is None:
            return None, None
        if isinstance(self.answers, AnswerStage):
            # the answer stage's resolver: one index (and one model) for both
            resolver = self.answers.resolver()
            return resolver.resolve(text), resolver.knowledge
        knowledge = self.base.current
        if self._resolver is None or self._knowledge is not knowledge:
            self._resolver = Resolver(knowledge, self.settings)
            self._knowledge = knowledge
        return self._resolver.resolve(text), knowledge

    async def read(self, message: Message, ctx: Context) -> Reading:
        text = message.text.strip()
        resolution, knowledge = self._resolve(text)
        if resolution is None or resolution.outcome != "answer" or resolution.ref is None:
            return Reading(category_of(text))
        entry = knowledge.by_ref.get(resolution.ref) if knowledge is not None else None
        category = category_of_entry(resolution.ref, getattr(entry, "category", None), text)
        return Reading(category, await self._answer(message, ctx))

    async def _answer(self, message: Message, ctx: Context) -> list[Action]:
        """The answer stage's reply, without its buttons: the user is in a ticket
        already, and the intake's next question carries the buttons that matter."""
        if self.answers is None:
            return []
        result = await self.answers.handle(message, ctx)
        if isinstance(result, Pass) or not isinstance(result, Handled):
            return []
        if result.handoff or not result.refs:
            return []  # not a sure answer: the ticket is the way on
        return [
            a.model_copy(update={"buttons": ()})
            for a in result.actions
            if isinstance(a, Reply) and a.chat_id == message.chat_id
        ]
