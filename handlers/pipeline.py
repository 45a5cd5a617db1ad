"""The inbound side of the bot as one object: the inbox and the outbox rows it makes.

``Pipeline`` is the :class:`~handlers.inbox.Inbox` (record, middleware, router, one
transaction, outbox rows through ``handlers.outbox_rows``) plus the checks of members
who join or change their name. Adapters are started with ``dispatch``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

from channels.base import (
    Action,
    MemberEvent,
    Message,
)
from handlers.context import Context, Decision
from handlers.envelope import clean_text, envelope, message_from_envelope
from handlers.inbox import STORED_TEXT, Inbox
from handlers.outbox_rows import StaffChat
from handlers.requests import AlertStaff

__all__ = [
    "STORED_TEXT",
    "MemberCheck",
    "Pipeline",
    "StaffChat",
    "clean_text",
    "envelope",
    "message_from_envelope",
]

log = logging.getLogger(__name__)


class MemberCheck(Protocol):
    """Looks at a member who joined or changed their name (the guard implements it).

    Implementations return the actions to take and must not raise for a member who is
    of no concern: they return ``[]``.
    """

    async def check_member(self, event: MemberEvent, ctx: Context) -> list[Action | AlertStaff]: ...


@dataclass
class Pipeline(Inbox):
    """Turns each inbound event into recorded, enqueued actions."""

    member_checks: tuple[MemberCheck, ...] = ()

    async def dispatch(self, event: Message | MemberEvent) -> Decision | None:
        """Handle one event; returns ``None`` for a redelivered, already handled one."""
        if isinstance(event, MemberEvent):
            await self._member(event)
            return None
        return await self.receive(event)

    async def _member(self, event: MemberEvent) -> None:
        actions: list[Action | AlertStaff] = []
        ctx = Context(
            now=self.clock(),
            language=self.brand.default_language,
            texts=self.texts,
            brand=self.brand,
            capabilities=self.capabilities.get(event.channel),
        )
        for check in self.member_checks:
            actions += await check.check_member(event, ctx)
        if actions:
            await self.store.enqueue(self.outbound(actions, event.channel), self.clock())
            self.wake()


def _chat_of(action: Action) -> str:
    return getattr(action, "chat_id", "")
