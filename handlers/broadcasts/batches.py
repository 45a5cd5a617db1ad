"""A broadcast's recipient rows, a batch at a time, for a start in bounded memory.

Subscribers are read a page at a time in id order, up to the newest one when the
start began (someone who subscribes during a long start is not chased); each page is
planned on a worker thread, so the event loop keeps answering users meanwhile. The
chats and posts the notice names make the first batch.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Sequence

from handlers.broadcasts.notice import Notice
from handlers.broadcasts.plan import RecipientRow, destinations, recipient_rows
from handlers.texts import Texts
from storage.subscriptions import Subscriber, SubscriptionStore

# subscribers planned and written per transaction: 1,000 rows hold SQLite's writer
# for about 20 ms, so an answer queued behind a batch waits that long at most
# (5,000 took 120-200 ms; docs/benchmarks.md, "Broadcast start")
BATCH = 1_000


async def recipient_batches(
    notice: Notice,
    short_id: str,
    subscriptions: SubscriptionStore,
    texts: Texts,
    size: int = BATCH,
) -> AsyncGenerator[list[RecipientRow], None]:
    """Every recipient row of ``notice``, in batches of about ``size`` recipients."""
    named = destinations(notice, [])
    if named:
        yield recipient_rows(notice, short_id, named, texts)
    if notice.targets.subscribers is None:
        return
    through = await subscriptions.last_id()
    after = 0
    while after < through:
        page = await subscriptions.page(after, through, size)
        if not page:
            return
        after = page[-1].id
        rows = await asyncio.to_thread(_plan, notice, short_id, page, texts)
        if rows:
            yield rows


def _plan(
    notice: Notice, short_id: str, page: Sequence[Subscriber], texts: Texts
) -> list[RecipientRow]:
    """The rows for one page of subscribers (the named chats were the first batch)."""
    places = [p for p in destinations(notice, page) if p.kind == "dm"]
    return recipient_rows(notice, short_id, places, texts)
