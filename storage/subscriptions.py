"""Who opted in to notices (``/subscribe``), per chat."""

from __future__ import annotations

import builtins
from datetime import datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection

from storage.models import Subscription, table_of
from storage.store import Store

SUB = table_of(Subscription)


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

    async def list(self, channel: str | None = None) -> list[dict[str, object]]:
        return await self.store.write(self._list, channel)

    @staticmethod
    def _list(conn: Connection, channel: str | None) -> builtins.list[dict[str, object]]:
        query = select(SUB).order_by(SUB.c.id)
        if channel is not None:
            query = query.where(SUB.c.channel == channel)
        return [dict(r._mapping) for r in conn.execute(query)]
