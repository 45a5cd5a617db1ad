"""The shapes a shared bucket store speaks: one window of a limit, and what a take got.

They live apart from the Redis code (``storage.redis_buckets``) so that the limiter in
``handlers/`` can name them without loading a Redis client in a bot that runs alone.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Window:
    """One bucket a send must fit: at most ``capacity`` sends within any ``span_ms``,
    and, when ``spacing_ms`` is set, at least that long between two of them (an even
    pace instead of a burst). ``channel_wide``: the bucket is the whole channel's
    (every chat waits on it), not one chat's."""

    key: str  # the bucket's name, under the store's prefix
    capacity: int
    span_ms: int
    spacing_ms: int = 0
    channel_wide: bool = False


@dataclass(frozen=True, slots=True)
class Taken:
    """The outcome of one atomic take: ``wait`` 0 means the send was counted in every
    bucket; otherwise nothing was counted and the send fits in ``wait`` seconds at the
    earliest, held by a channel-wide bucket or pause (``channel_wide``) or by the
    chat's own."""

    wait: float
    channel_wide: bool = False
