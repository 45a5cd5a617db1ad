"""The inbound side of the bot as one object: the inbox and the outbox rows it makes.

``Pipeline`` is the :class:`~handlers.inbox.Inbox` (record, middleware, router, one
transaction) plus what turns actions into outbox rows (long replies split at the
channel's limit, staff alerts addressed to the staff chats) and the checks of members
who join or change their name. Adapters are started with ``dispatch``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from channels.base import (
    Action,
    MemberEvent,
    Message,
)
from handlers.context import Context, Decision
from handlers.envelope import clean_text, envelope, message_from_envelope
from handlers.inbox import STORED_TEXT, Inbox
from handlers.outbox_rows import Outbox, StaffChat, desk_channels
from handlers.requests import AlertStaff
from storage.store import NewOutbound

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
    # the one way out; without one, an outbox over this pipeline's channels is made
    outbox: Outbox | None = None
    _out: Outbox = field(init=False, repr=False)

    def __post_init__(self) -> None:
        super().__post_init__()
        self._out = self.outbox or Outbox(
            self.store,
            self.clock,
            self.capabilities,
            staff_chats=self.staff_chats,
            desks=desk_channels(),
            wake=lambda: self.wake(),
        )

    async def dispatch(self, event: Message | MemberEvent) -> Decision | None:
        """Handle one event; returns ``None`` for a redelivered, already handled one."""
        if isinstance(event, MemberEvent):
            await self._member(event)
            return None
        return await self.receive(event)

    def outbound(
        self,
        actions: Sequence[Action | AlertStaff],
        channel: str,
        conversation_id: int | None = None,
        priority: int = 0,
        sender: str = "bot",
    ) -> list[NewOutbound]:
        """Actions as outbox rows on ``channel`` (``handlers.outbox_rows.Outbox.rows``)."""
        return self._out.rows(actions, channel, conversation_id, priority, sender)

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
