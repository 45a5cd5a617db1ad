"""The ordered chain a message walks: guard, conversation state, intents, fallback.

Routers compose: a router is itself a handler, so a stage can be a router of its own.
Each handler answers (``Handled``), adds actions and lets the chain go on
(``Handled(final=False)``), or says it is not concerned (``PASS``). A stage that also
settles what earlier stages asked for (the handoff stage: a ticket) is a
:class:`Finisher`: it is given the answer so far at its place in the order, even after
an earlier stage answered for good.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from channels.base import Message
from handlers.context import PASS, Context, Decision, Handled, Pass


class Handler(Protocol):
    """One stage of the chain.

    Implementations must not perform I/O on a platform (they return actions), must read
    the time from ``ctx.now``, and must return ``PASS`` rather than raise when a message
    is not theirs. They may read the store through ``ctx.store``; what they change is
    deferred (``ctx.defer``) to the transaction that enqueues the replies.
    """

    async def handle(self, message: Message, ctx: Context) -> Handled | Pass: ...


@runtime_checkable
class Finisher(Protocol):
    """A stage that settles requests of the stages before it (a ticket to open).

    ``finish`` gets the answer so far and returns it, with the requests it settled
    replaced by their actions; it must return ``result`` unchanged when nothing in it
    is its concern, and must not raise for that.
    """

    async def finish(self, result: Handled, message: Message, ctx: Context) -> Handled: ...


class Router:
    """Runs handlers in order until one answers; accumulates non-final results."""

    def __init__(self, *handlers: Handler, name: str = "router") -> None:
        self.handlers = handlers
        self.name = name
        # looked up once: each stage with the finisher it also is, if any
        self._stages = tuple((h, h if isinstance(h, Finisher) else None) for h in handlers)

    def __repr__(self) -> str:
        inner = ", ".join(repr(h) for h in self.handlers)
        return f"<Router {self.name}: {inner}>"

    async def handle(self, message: Message, ctx: Context) -> Handled | Pass:
        pending: Handled | None = None
        for handler, finisher in self._stages:
            if pending is not None and finisher is not None:
                pending = await finisher.finish(pending, message, ctx)
            if pending is not None and pending.final:
                continue  # answered: only the finishers after it still look
            result = await handler.handle(message, ctx)
            if result is PASS:
                continue
            assert isinstance(result, Handled)
            final = result.final
            pending = result if pending is None else _merge(pending, result)
            pending.final = final
        if pending is not None and pending.final:
            return pending
        if pending is None:
            return PASS
        pending.final = False
        return pending

    async def route(self, message: Message, ctx: Context) -> Decision:
        """The whole decision for one message, as the outbox and ``ask`` consume it."""
        result = await self.handle(message, ctx)
        if result is PASS:
            result = Handled(intent="ignored")
        assert isinstance(result, Handled)
        return Decision(
            message=message,
            intent=result.intent,
            language=ctx.language,
            actions=result.actions,
            refs=result.refs,
            scam=ctx.scam,
            handoff=result.handoff,
            confidence=result.confidence,
        )


def _merge(first: Handled, then: Handled) -> Handled:
    """Actions of earlier non-final stages go first; the later intent wins."""
    intent = then.intent if then.final or first.intent == "ignored" else first.intent
    return Handled(
        intent=intent,
        actions=[*first.actions, *then.actions],
        refs=[*first.refs, *[r for r in then.refs if r not in first.refs]],
        handoff=first.handoff or then.handoff,
        final=then.final,
        confidence=then.confidence if then.confidence is not None else first.confidence,
    )
