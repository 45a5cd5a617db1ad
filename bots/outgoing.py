"""Where the running bot's messages go out: the outbox over its channels and staff chats."""

from __future__ import annotations

from bots.config import Config
from handlers.outbox import Sender
from handlers.outbox_rows import Outbox, StaffChat


def staff_chats(config: Config) -> tuple[StaffChat, ...]:
    """Where staff alerts go, from each enabled channel's ``staff_chat_id``."""
    chats = []
    for spec, settings in config.enabled_channels():
        chat = getattr(settings, "staff_chat_id", None)
        if chat:
            chats.append(StaffChat(channel=spec.name, chat_id=str(chat)))
    return tuple(chats)


def build_outbox(config: Config, sender: Sender) -> Outbox:
    """The one way out of a bot whose ``sender`` delivers: rows go into its store,
    split at the limits of its channels (as each adapter declares them), staff alerts
    to the configured staff chats, and enqueuing wakes it."""
    return Outbox(
        sender.store,
        sender.clock,
        {name: ch.capabilities for name, ch in sender.channels.items()},
        staff_chats=staff_chats(config),
        wake=sender.wake,
    )
