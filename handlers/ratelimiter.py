"""The rate limiter the sender asks before every send: the contract.

:class:`handlers.ratelimit.RateLimits` implements it in one process;
:class:`handlers.shared_limits.SharedRateLimits` keeps the buckets in a shared store
(Redis), so that several senders share a platform's limits. The sender depends on this
contract only, never on a concrete limiter.
"""

from __future__ import annotations

from typing import Protocol


class RateLimiter(Protocol):
    """Permission to send, one send at a time, by bucket.

    A *bucket* is one limit of one channel: the channel's declared ``RateRule``\\ s
    (``Capabilities.rate_limits``) say which exist. A ``"chat"`` rule gives each chat
    its own bucket, a ``"global"`` rule one bucket for the whole channel (the
    platform-wide limit). A send to a chat must fit every bucket that applies to it.

    How the sender uses it: :meth:`start` before its first send and :meth:`stop` after
    its last; :meth:`acquire` right before each send, for that send's channel and chat;
    :meth:`pause` when the platform refused a send and named a wait (a 429 with
    ``retry_after``). The sender itself reschedules the refused row; the limiter's part
    is that nothing else goes into the paused bucket meanwhile.

    An implementation must:

    - return from :meth:`acquire` only once one more send to that chat keeps every
      bucket that applies to it within its limit, and count that send as made;
    - count a send, once :meth:`answered`, no earlier than its answer in the
      platform-wide buckets: a platform counts a send when it arrives, some unknown
      time after it was let go and before its answer came back (``handlers.pacing``);
    - keep buckets apart: waiting for one chat's bucket never delays a send to another
      chat whose buckets have room (one busy group must not slow a private chat);
    - on :meth:`pause`, hold back only the refused chat's buckets for ``seconds``,
      unless ``platform_wide``: then the channel's platform-wide bucket, so every chat
      of that channel waits (and other channels do not);
    - measure time by the clock it was given (the bot's injected clock), so that a
      pause agrees with the retry time the sender writes on the row;
    - never raise from :meth:`acquire` or :meth:`pause` but for cancellation: when a
      shared store is unreachable it falls back to limits kept in its own process
      (and says so once in the log), because a lost limiter must not lose a reply.

    An implementation must not:

    - call the platform, or retry a send itself: it only decides *when*; the send, its
      outcome and its retries belong to the sender;
    - hold a lock across buckets while waiting (one long wait would serialize every
      chat), or let one channel's pause touch another channel;
    - drop or reorder a waiter of one bucket behind later waiters of the same bucket.

    Hint: the per-chat order of a conversation's replies is the outbox's (a chat's next
    row is claimed only after the previous one settled), not the limiter's.
    """

    async def start(self) -> None:
        """Open what the limiter needs (a connection); called once before any send."""

    async def stop(self) -> None:
        """Release it; called once after the last send finished. Must not raise."""

    async def acquire(self, channel: str, chat_id: str) -> str:
        """Wait until one more send to ``chat_id`` on ``channel`` fits every bucket,
        count it, and give its token. A wait cancelled half-way may leave a send
        counted that was never made: that costs room in a bucket, never a broken limit."""

    async def answered(self, channel: str, chat_id: str, token: str) -> None:
        """The send ``token`` to ``chat_id`` got its answer, or was given up: count it
        from now. Must not raise (a lost store costs only this correction)."""

    async def pause(
        self, channel: str, chat_id: str, seconds: float, *, platform_wide: bool = False
    ) -> None:
        """The platform refused a send to ``chat_id`` and asked to wait ``seconds``:
        no send goes into that chat's buckets (or, ``platform_wide``, into any of the
        channel's) until then. A shorter pause never shortens a longer one."""
