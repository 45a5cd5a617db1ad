"""What a configured ``[redis] url`` shares between a bot's processes: the senders'
rate limits and the inbox's flood counters.

Without a URL the bot is one process and keeps both in its own memory (the sender's
default ``RateLimits``, the inbox's default ``FloodGate``). With one, both count in
Redis through one client, which connects on first use (building opens no socket) and
is closed by whoever started the bot, after the sender and the channels stopped.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bots.config import Config
from channels.base import Channel
from handlers.shared_flood import SharedFloodGate
from handlers.shared_limits import SharedRateLimits
from storage.redis_buckets import RedisBuckets

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RedisShared:
    """The parts that count in Redis, and the client they share."""

    limiter: SharedRateLimits
    flood: SharedFloodGate
    buckets: RedisBuckets

    async def close(self) -> None:
        """Close the client; never raises."""
        await self.buckets.close()


def redis_shared(
    config: Config, channels: dict[str, Channel], clock: Callable[[], datetime]
) -> RedisShared | None:
    """The limiter over ``channels``' declared limits and the flood counter, both in
    the configured Redis; ``None`` when no ``[redis] url`` is set."""
    settings = config.redis
    if settings.url is None:
        return None
    url = settings.connection_url(os.environ) or settings.url
    buckets = RedisBuckets.from_url(url, settings.prefix)
    rules = {name: channel.capabilities.rate_limits for name, channel in channels.items()}
    log.info(
        "rate limits and flood counters are shared through Redis at %s (keys %s:*)",
        settings.masked_url(),
        settings.prefix,
    )
    return RedisShared(SharedRateLimits(rules, buckets, clock), SharedFloodGate(buckets), buckets)
