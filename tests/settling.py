"""Waiting until a running bot has done all it will do about some messages.

A test that checks "nothing more was sent" must not guess how long the bot takes. It
waits on outcomes instead: the inbox marked each message handled (the replies it
decided are stored in that same transaction), then the sender looked at the outbox
afterwards and found nothing owed: nothing pending, not even a retry that is not due
yet, and nothing in flight. Whatever the bot was going to send about those messages
has been sent (or given up for good) by then, so a count taken next is final.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from tests.builders import eventually

if TYPE_CHECKING:
    from bots.app import App


async def handled(
    app: App, channel: str, chat_id: str | int, *platform_ids: str | int, within: float = 10
) -> None:
    """Until the bot's inbox has handled each of ``platform_ids`` in ``chat_id``."""
    store = app.store
    assert store is not None
    wanted = {str(p) for p in platform_ids}

    async def done() -> set[str]:
        return {
            str(m.platform_message_id)
            for m in await store.messages("in")
            if m.channel == channel and m.chat_id == str(chat_id) and m.processed_at is not None
        }

    got = await eventually(done, lambda ids: wanted <= ids, within)
    if not wanted <= got:
        raise AssertionError(f"{channel} {chat_id}: not handled: {sorted(wanted - got)}")


async def sent_everything(app: App, within: float = 10) -> None:
    """Until the sender owes nothing: no row pending, due or not, none in flight
    (``Sender.idle``)."""
    assert app.sender is not None
    async with asyncio.timeout(within):
        await app.sender.idle()


async def settled(
    app: App, channel: str, chat_id: str | int, *platform_ids: str | int, within: float = 10
) -> None:
    """Both: the messages are handled and everything they caused has been sent."""
    await handled(app, channel, chat_id, *platform_ids, within=within)
    await sent_everything(app, within)
