"""The fake Discord's fixed world: the bot, one server and its channels, Discord's
limits, and the records a test reads (``Call``, ``PendingInteraction``)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

BOT = {"id": "1000", "username": "Support", "discriminator": "0", "avatar": None, "bot": True}
APPLICATION_ID = "1000"
GUILD = "2000"
SUPPORT = "3000"  # a public text channel
NO_THREADS = "3001"  # a channel where the bot may not open threads
STAFF = "3999"
INTERACTION_WINDOW = 3.0  # seconds Discord waits for an interaction's first answer
# per-route buckets: (sends, seconds), as Discord's headers report them
MESSAGE_BUCKET = (5, 2.0)
MESSAGE_CONTENT_INTENT = 1 << 15
PRIVILEGED = MESSAGE_CONTENT_INTENT | (1 << 1) | (1 << 8)  # content, members, presences
DISCORD_EPOCH_MS = 1_420_070_400_000
STALL_SECONDS = 3.0
# a send's nonce: at most 25 characters; with enforce_nonce, one the bot used in the same
# channel within the window returns that message (Discord says "a few minutes")
NONCE_LENGTH = 25
NONCE_WINDOW = 120.0


@dataclass
class Call:
    method: str
    route: str
    body: Any
    status: int = 0
    at: float = field(default_factory=time.monotonic)


@dataclass
class PendingInteraction:
    """An interaction the fake sent, and how the bot answered it."""

    payload: dict[str, Any]
    issued: float
    answered: int | None = None  # the callback type, once answered
