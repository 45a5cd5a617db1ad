"""Channel cursors: small named values a polling channel keeps across restarts."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from storage.models import ChannelCursor, table_of
from storage.store import Store

CUR = table_of(ChannelCursor)


class CursorStore:
    """The cursors of one channel (``channels.x.cursors.Cursors`` is what it serves).

    Values are opaque strings: the channel decides what they mean (a platform id, a
    thread's progress). A write replaces the previous value of the key.
    """

    def __init__(self, store: Store, channel: str) -> None:
        self.store = store
        self.channel = channel

    def __repr__(self) -> str:
        return f"CursorStore({self.channel})"

    async def get(self, key: str) -> str | None:
        return await self.store.write(self._get, self.channel, key)

    async def set(self, key: str, value: str) -> None:
        await self.store.write(self._set, self.channel, key, value, datetime.now(UTC))

    @staticmethod
    def _get(conn: Connection, channel: str, key: str) -> str | None:
        query = select(CUR.c.value).where(CUR.c.channel == channel, CUR.c.key == key)
        return conn.execute(query).scalar_one_or_none()

    @staticmethod
    def _set(conn: Connection, channel: str, key: str, value: str, now: datetime) -> None:
        where = (CUR.c.channel == channel, CUR.c.key == key)
        changed = conn.execute(update(CUR).where(*where).values(value=value, updated_at=now))
        if changed.rowcount == 0:
            conn.execute(
                insert(CUR),
                {"channel": channel, "key": key, "value": value, "updated_at": now},
            )
