"""Who opted in to notices (``/subscribe``), per chat.

A broadcast reads them a page at a time (:meth:`SubscriptionStore.page`, in id
order), so a million subscribers are never all in memory at once.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Connection, Row

from storage.models import Subscription, table_of
from storage.store import Store

SUB = table_of(Subscription)


@dataclass(frozen=True, slots=True)
class Subscriber:
    """A chat that asked for notices, and the language it reads them in."""

    id: int
    channel: str
    chat_id: str
    language: str
    identity_id: int
    created_at: datetime

    @classmethod
    def from_row(cls, row: Row[Any]) -> Subscriber:
        m = row._mapping
        return cls(
            id=int(m["id"]),
            channel=str(m["channel"]),
            chat_id=str(m["chat_id"]),
            language=str(m["language"]),
            identity_id=int(m["identity_id"]),
            created_at=m["created_at"],
        )


class SubscriptionStore:
    """Opt-ins and opt-outs; each answers whether it changed anything."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def __repr__(self) -> str:
        return "SubscriptionStore()"

    async def subscribe(
        self, identity_id: int, channel: str, chat_id: str, language: str, now: datetime
    ) -> bool:
        """``True`` for a new subscription; an existing one only takes the new language."""
        return await self.store.write(self._subscribe, identity_id, channel, chat_id, language, now)

    @staticmethod
    def _subscribe(
        conn: Connection,
        identity_id: int,
        channel: str,
        chat_id: str,
        language: str,
        now: datetime,
    ) -> bool:
        where = (SUB.c.channel == channel, SUB.c.chat_id == chat_id)
        if conn.execute(select(SUB.c.id).where(*where)).first() is not None:
            conn.execute(update(SUB).where(*where).values(language=language))
            return False
        conn.execute(
            insert(SUB),
            {
                "identity_id": identity_id,
                "channel": channel,
                "chat_id": chat_id,
                "language": language,
                "created_at": now,
            },
        )
        return True

    async def unsubscribe(self, channel: str, chat_id: str) -> bool:
        return await self.store.write(self._unsubscribe, channel, chat_id)

    @staticmethod
    def _unsubscribe(conn: Connection, channel: str, chat_id: str) -> bool:
        done = conn.execute(delete(SUB).where(SUB.c.channel == channel, SUB.c.chat_id == chat_id))
        return done.rowcount == 1

    async def list(self, channel: str | None = None) -> list[Subscriber]:
        return await self.store.write(self._list, channel)

    @staticmethod
    def _list(conn: Connection, channel: str | None) -> builtins.list[Subscriber]:
        query = select(SUB).order_by(SUB.c.id)
        if channel is not None:
            query = query.where(SUB.c.channel == channel)
        return [Subscriber.from_row(r) for r in conn.execute(query)]

    async def last_id(self) -> int:
        """The newest subscription's id (0 for none): where a broadcast's list ends."""
        return await self.store.read(self._last_id)

    @staticmethod
    def _last_id(conn: Connection) -> int:
        return int(conn.execute(select(func.max(SUB.c.id))).scalar_one_or_none() or 0)

    async def page(self, after: int, through: int, limit: int) -> builtins.list[Subscriber]:
        """Up to ``limit`` subscribers with ``after < id <= through``, in id order.

        Read beside the writer, so paging through a million never holds it up.
        """
        return await self.store.read(self._page, after, through, limit)

    @staticmethod
    def _page(conn: Connection, after: int, through: int, limit: int) -> builtins.list[Subscriber]:
        query = (
            select(SUB).where(SUB.c.id > after, SUB.c.id <= through).order_by(SUB.c.id).limit(limit)
        )
        return [Subscriber.from_row(r) for r in conn.execute(query)]
