"""The inbound side of the bot as one object: the inbox and the outbox rows it makes.

``Pipeline`` is the :class:`~handlers.inbox.Inbox` (record, middleware, router, one
transaction) plus what turns actions into outbox rows (long replies split at the
channel's limit, staff alerts addressed to the staff chats) and the checks of members
who join or change their name. Adapters are started with ``dispatch``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from channels.base import (
    Action,
    MemberEvent,
    Message,
    Reply,
    action_to_dict,
    split_text,
)
from handlers.context import Context, Decision
from handlers.envelope import clean_text, envelope, message_from_envelope
from handlers.inbox import STORED_TEXT, Inbox, StaffChat
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
        """Actions as outbox rows on ``channel``: long replies split at the channel's
        limit, staff alerts addressed to the staff chats."""
        rows: list[NewOutbound] = []
        for action in actions:
            if isinstance(action, AlertStaff):
                rows += self._staff_rows(action)
                continue
            for part in self._split(action, channel):
                rows.append(
                    NewOutbound(
                        channel,
                        _chat_of(part),
                        action_to_dict(part),
                        conversation_id,
                        priority,
                        sender,
                    )
                )
        return rows

    def _split(self, action: Action, channel: str) -> list[Action]:
        caps = self.capabilities.get(channel)
        if caps is None or not isinstance(action, Reply):
            return [action]
        parts = split_text(action.text, caps)
        if len(parts) == 1:
            return [action]
        last = len(parts) - 1
        return [
            action.model_copy(
                update={
                    "text": part,
                    "buttons": action.buttons if i == last else (),
                    "reply_to": action.reply_to if i == 0 else None,
                }
            )
            for i, part in enumerate(parts)
        ]

    def _staff_rows(self, alert: AlertStaff) -> list[NewOutbound]:
        if not self.staff_chats:
            # said once at start (App); a line per ticket would only repeat it
            log.debug("staff alert with no staff chat configured: %s", alert.text)
            return []
        lines = [alert.text, *(f"{k}: {v}" for k, v in alert.evidence)]
        rows = []
        for staff in self.staff_chats:
            caps = self.capabilities.get(staff.channel)
            desk = self.staff_desk is not None and self.staff_desk.serves(staff.channel)
            buttons = alert.buttons if desk and (caps is None or caps.buttons) else ()
            reply = Reply(chat_id=staff.chat_id, text="\n".join(lines), buttons=buttons)
            rows.append(NewOutbound(staff.channel, staff.chat_id, action_to_dict(reply)))
        return rows

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
