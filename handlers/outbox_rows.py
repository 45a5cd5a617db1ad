"""The outbox: the one way out, as rows for the sender.

Every message the bot sends leaves through here: replies to users, agents' answers
(the API, the console, the staff desk), SLA warnings and escalations, broadcasts and
reminders (their text split here), incident follow-ups, and staff alerts. One object,
:class:`Outbox`, turns actions into outbox rows: a long reply split at the limit of the
channel it goes to (as that channel counts length), a staff alert addressed to every
staff chat (with its buttons only where the staff chat is a desk that can show them).
Callers that change state in the same transaction (a ticket's answer, an incident's
resolution, the inbox's mark) take the rows and hand them to their store; the others
:meth:`Outbox.enqueue` them, which stores them and wakes the sender.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from channels import registry
from channels.base import Action, Capabilities, Reply, action_to_dict, split_text
from handlers.requests import AlertStaff
from storage.store import NewOutbound, Store

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


@dataclass(frozen=True, slots=True)
class StaffChat:
    """Where staff alerts go: a chat on one of the bot's channels."""

    channel: str
    chat_id: str


def desk_channels() -> frozenset[str]:
    """Channels whose staff chat is a desk (agents link an account there, press its
    buttons and reply to tickets): the registry's channels with an agent account."""
    return frozenset(registry.names(lambda spec: spec.agent_account is not None))


def registered_capabilities() -> dict[str, Capabilities]:
    """Each registered channel's declared capabilities, for an outbox that runs without
    the channels themselves (the CLI)."""
    return {spec.name: spec.capabilities for spec in registry.specs()}


def split_reply(reply: Reply, capabilities: Capabilities | None) -> list[Reply]:
    """``reply`` as the messages that fit ``capabilities``' length limit.

    The first part keeps what refers to the whole (threaded under ``reply_to``, the
    pin), the last part the buttons, so they sit under the end of the text. Without
    capabilities (a channel the outbox does not know) the reply goes whole.
    """
    if capabilities is None:
        return [reply]
    parts = split_text(reply.text, capabilities)
    if len(parts) == 1:
        return [reply]
    last = len(parts) - 1
    return [
        reply.model_copy(
            update={
                "text": part,
                "buttons": reply.buttons if i == last else (),
                "reply_to": reply.reply_to if i == 0 else None,
                "pin": reply.pin and i == 0,
            }
        )
        for i, part in enumerate(parts)
    ]


class Outbox:
    """Builds, splits and enqueues outbox rows for everyone who sends.

    ``capabilities`` are the channels' (by name) as the running bot has them (default:
    as the registry declares them); ``staff_chats`` where alerts go, ``desks`` the
    channels whose staff chat gets an alert's buttons (default: the registry's desks);
    ``wake`` tells the sender that rows were enqueued; ``clock`` stamps them. ``store``
    may be ``None`` for an outbox that only builds rows (``socialdesk ask``).
    """

    def __init__(
        self,
        store: Store | None,
        clock: Clock,
        capabilities: Mapping[str, Capabilities] | None = None,
        *,
        staff_chats: Sequence[StaffChat] = (),
        desks: Collection[str] | None = None,
        wake: Callable[[], None] = lambda: None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.capabilities: Mapping[str, Capabilities] = (
            registered_capabilities() if capabilities is None else capabilities
        )
        self.staff_chats = tuple(staff_chats)
        self.desks = desk_channels() if desks is None else frozenset(desks)
        self._wake = wake

    def __repr__(self) -> str:
        staff = [f"{s.channel}:{s.chat_id}" for s in self.staff_chats]
        return f"Outbox(channels={sorted(self.capabilities)}, staff={staff})"

    def wake(self) -> None:
        """Rows were stored by someone else's transaction: have the sender look now."""
        self._wake()

    def rows(
        self,
        actions: Sequence[Action | AlertStaff],
        channel: str,
        conversation_id: int | None = None,
        priority: int = 0,
        sender: str = "bot",
    ) -> list[NewOutbound]:
        """``actions`` as rows on ``channel``: a long reply split at the channel's
        limit, a staff alert addressed to the staff chats (``channel`` is ignored for
        it). ``sender`` names who speaks (``bot``, ``agent:<name>``); a lower
        ``priority`` goes first."""
        rows: list[NewOutbound] = []
        for action in actions:
            if isinstance(action, AlertStaff):
                rows += self.staff_rows(action)
                continue
            for part in self.split(action, channel):
                chat = getattr(part, "chat_id", "")
                rows.append(
                    NewOutbound(
                        channel, chat, action_to_dict(part), conversation_id, priority, sender
                    )
                )
        return rows

    def split(self, action: Action, channel: str) -> list[Action]:
        """``action`` as it fits ``channel``: only a reply is ever split."""
        if not isinstance(action, Reply):
            return [action]
        return [*split_reply(action, self.capabilities.get(channel))]

    def staff_rows(self, alert: AlertStaff) -> list[NewOutbound]:
        """One row per staff chat; buttons only on a desk whose channel shows them."""
        if not self.staff_chats:
            # said once at start (App); a line per ticket would only repeat it
            log.debug("staff alert with no staff chat configured: %s", alert.text)
            return []
        text = "\n".join([alert.text, *(f"{k}: {v}" for k, v in alert.evidence)])
        rows = []
        for staff in self.staff_chats:
            caps = self.capabilities.get(staff.channel)
            shows = staff.channel in self.desks and (caps is None or caps.buttons)
            reply = Reply(chat_id=staff.chat_id, text=text, buttons=alert.buttons if shows else ())
            rows.append(NewOutbound(staff.channel, staff.chat_id, action_to_dict(reply)))
        return rows

    async def enqueue(
        self,
        actions: Sequence[Action],
        channel: str,
        conversation_id: int | None = None,
        priority: int = 0,
        sender: str = "bot",
    ) -> int:
        """Store ``actions``' rows (see :meth:`rows`) and wake the sender; how many."""
        return await self.put(self.rows(actions, channel, conversation_id, priority, sender))

    async def put(self, rows: Sequence[NewOutbound]) -> int:
        """Store rows built by :meth:`rows` and wake the sender; how many. Raises
        ``RuntimeError`` on an outbox built without a store."""
        if not rows:
            return 0
        if self.store is None:
            raise RuntimeError("this outbox only builds rows: it was given no store")
        await self.store.enqueue(rows, self.clock())
        self.wake()
        return len(rows)
