"""A channel with no platform behind it: records what it is asked to perform.

It stands in for a platform in tests of the pipeline and the outbox, and can be told to
fail the next sends in the ways platforms fail (429, outage, blocked user).
"""

from __future__ import annotations

import itertools
from collections import deque

from channels.base import Action, Capabilities, DeliveryError, Dispatch, Message, RateRule


class RecordingChannel:
    """Implements :class:`channels.base.Channel`; ``sent`` is what reached the 'platform'."""

    def __init__(
        self,
        name: str = "rec",
        *,
        max_length: int = 4096,
        delete: bool = True,
        rate_limits: tuple[RateRule, ...] = (),
    ) -> None:
        self.name = name
        self.capabilities = Capabilities(
            max_length=max_length,
            buttons=True,
            delete=delete,
            restrict=delete,
            rate_limits=rate_limits,
        )
        self.sent: list[Action] = []
        self.failures: deque[DeliveryError | Exception] = deque()
        self.dispatch: Dispatch | None = None
        self._ids = itertools.count(1000)

    async def start(self, dispatch: Dispatch) -> None:
        self.dispatch = dispatch

    async def stop(self) -> None:
        self.dispatch = None

    async def perform(self, action: Action) -> str | None:
        if self.failures:
            raise self.failures.popleft()
        self.sent.append(action)
        return str(next(self._ids))

    async def receive(self, message: Message) -> None:
        assert self.dispatch is not None, "start the channel first"
        await self.dispatch(message)
