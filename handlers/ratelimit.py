"""Per-bucket rate limits for outgoing traffic, built from what each channel declares.

Each channel's ``Capabilities.rate_limits`` names its platform's limits; every chat gets
its own bucket, so a busy group never slows a private chat, and a 429 for one chat only
reschedules that chat's item (the outbox does that), never all traffic.
"""

from __future__ import annotations

from collections import OrderedDict

from aiolimiter import AsyncLimiter

from channels.base import RateRule
from handlers.pacing import PacedWindow

MAX_CHAT_BUCKETS = 50_000


class RateLimits:
    """Buckets keyed by channel, rule and chat: an even pace for platform-wide rules,
    leaky buckets (aiolimiter) per chat."""

    def __init__(self, rules: dict[str, tuple[RateRule, ...]]) -> None:
        self._rules = rules
        self._buckets: OrderedDict[tuple[str, int, str], AsyncLimiter | PacedWindow] = OrderedDict()

    def __repr__(self) -> str:
        return f"RateLimits({sorted(self._rules)})"

    async def acquire(self, channel: str, chat_id: str) -> None:
        """Wait until one more send to ``chat_id`` on ``channel`` fits every rule."""
        for index, rule in enumerate(self._rules.get(channel, ())):
            if not rule.applies_to(chat_id):
                continue
            key = (channel, index, "" if rule.scope == "global" else chat_id)
            await self._bucket(key, rule).acquire()

    def _bucket(self, key: tuple[str, int, str], rule: RateRule) -> AsyncLimiter | PacedWindow:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _limiter(rule)
            if len(self._buckets) > MAX_CHAT_BUCKETS:
                self._buckets.popitem(last=False)  # the least recently created chat bucket
        return bucket


def _limiter(rule: RateRule) -> AsyncLimiter | PacedWindow:
    """A platform-wide bucket sends at an even pace (see ``handlers.pacing``); per-chat
    buckets keep their burst, so the parts of one long reply go together."""
    if rule.scope == "global":
        return PacedWindow(rule.rate, rule.period)
    return AsyncLimiter(rule.rate, rule.period)
