"""What the surge sweep counts (questions placed on an FAQ, by network or coin named)
and the surges it noticed, each alerted once."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, delete, func, insert, select, update
from sqlalchemy.engine import Connection

from storage.models import AskedQuestion, Surge, table_of
from storage.store import NewOutbound, Store

ASKED = table_of(AskedQuestion)
SURGE = table_of(Surge)


@dataclass(frozen=True, slots=True, order=True)
class SurgeKey:
    """Which question: an FAQ ref, and the network or coin named (``kind`` empty:
    neither was)."""

    ref: str
    kind: str = ""
    value: str = ""


@dataclass(frozen=True, slots=True)
class SurgeRecord:
    """A surge as noticed: its question, how many asked, examples of what they wrote
    (redacted), and the incident opened from it, if any."""

    id: int
    ref: str
    kind: str
    value: str
    questions: int
    examples: tuple[str, ...]
    started_at: datetime
    ended_at: datetime | None
    incident_id: int | None


class SurgeStore:
    """Asked questions in, surges out."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def __repr__(self) -> str:
        return "SurgeStore()"

    async def record(
        self, keys: Sequence[SurgeKey], conversation_id: int, text: str, now: datetime
    ) -> None:
        """One row per key of one question; ``text`` is already redacted."""
        await self.store.write(self._record, asked_rows(keys, conversation_id, text, now))

    @staticmethod
    def _record(conn: Connection, rows: list[dict[str, Any]]) -> None:
        if rows:
            conn.execute(insert(ASKED), rows)

    async def counts(self, since: datetime, until: datetime) -> dict[SurgeKey, int]:
        """Distinct users per key who asked in ``[since, until)``."""
        return await self.store.read(self._counts, since, until)

    @staticmethod
    def _counts(conn: Connection, since: datetime, until: datetime) -> dict[SurgeKey, int]:
        query = (
            select(
                ASKED.c.ref,
                ASKED.c.kind,
                ASKED.c.value,
                func.count(ASKED.c.conversation_id.distinct()),
            )
            .where(ASKED.c.asked_at >= since, ASKED.c.asked_at < until)
            .group_by(ASKED.c.ref, ASKED.c.kind, ASKED.c.value)
        )
        return {SurgeKey(r[0], r[1], r[2]): int(r[3]) for r in conn.execute(query)}

    async def examples(self, key: SurgeKey, since: datetime, limit: int) -> list[str]:
        """The newest different phrasings of ``key`` since ``since``."""
        return await self.store.read(self._examples, key, since, limit)

    @staticmethod
    def _examples(conn: Connection, key: SurgeKey, since: datetime, limit: int) -> list[str]:
        query = (
            select(ASKED.c.text)
            .where(*_key(ASKED, key), ASKED.c.asked_at >= since)
            .order_by(ASKED.c.id.desc())
            .limit(200)
        )
        found: list[str] = []
        for (text,) in conn.execute(query):
            if text and text not in found:
                found.append(text)
            if len(found) == limit:
                break
        return found

    async def active(self) -> dict[SurgeKey, int]:
        """Surges not ended, by key: their ids."""
        return await self.store.read(self._active)

    @staticmethod
    def _active(conn: Connection) -> dict[SurgeKey, int]:
        query = select(SURGE.c.id, SURGE.c.ref, SURGE.c.kind, SURGE.c.value).where(
            SURGE.c.ended_at.is_(None)
        )
        return {SurgeKey(r.ref, r.kind, r.value): r.id for r in conn.execute(query)}

    async def start(
        self,
        key: SurgeKey,
        questions: int,
        examples: list[str],
        now: datetime,
        alert: Callable[[int], list[NewOutbound]],
    ) -> int | None:
        """Record a surge and enqueue its staff alert (``alert(surge_id)``) in one
        transaction; ``None`` when the key has an active surge already."""
        return await self.store.write(self._start, key, questions, examples, now, alert)

    @staticmethod
    def _start(
        conn: Connection,
        key: SurgeKey,
        questions: int,
        examples: list[str],
        now: datetime,
        alert: Callable[[int], list[NewOutbound]],
    ) -> int | None:
        known = conn.execute(
            select(SURGE.c.id).where(*_key(SURGE, key), SURGE.c.ended_at.is_(None))
        ).first()
        if known is not None:
            return None
        surge_id = int(
            conn.execute(
                insert(SURGE).returning(SURGE.c.id),
                {
                    "ref": key.ref,
                    "kind": key.kind,
                    "value": key.value,
                    "questions": questions,
                    "examples": examples,
                    "started_at": now,
                },
            ).scalar_one()
        )
        Store.add_outbound(conn, alert(surge_id), now, None)
        return surge_id

    async def end(self, surge_ids: Sequence[int], now: datetime) -> None:
        await self.store.write(self._end, list(surge_ids), now)

    @staticmethod
    def _end(conn: Connection, surge_ids: list[int], now: datetime) -> None:
        if surge_ids:
            conn.execute(update(SURGE).where(SURGE.c.id.in_(surge_ids)).values(ended_at=now))

    async def get(self, surge_id: int) -> SurgeRecord | None:
        """The surge ``surge_id`` (``None``: no such surge)."""
        return await self.store.read(self._get, surge_id)

    @staticmethod
    def _get(conn: Connection, surge_id: int) -> SurgeRecord | None:
        row = conn.execute(select(SURGE).where(SURGE.c.id == surge_id)).first()
        if row is None:
            return None
        return SurgeRecord(**{**row._mapping, "examples": tuple(row.examples)})

    async def prune(self, before: datetime) -> None:
        """Forget questions older than any window the sweep still reads."""
        await self.store.write(self._prune, before)

    @staticmethod
    def _prune(conn: Connection, before: datetime) -> None:
        conn.execute(delete(ASKED).where(ASKED.c.asked_at < before))


def _key(table: Table, key: SurgeKey) -> tuple[Any, ...]:
    return (table.c.ref == key.ref, table.c.kind == key.kind, table.c.value == key.value)


def asked_rows(
    keys: Sequence[SurgeKey], conversation_id: int, text: str, now: datetime
) -> list[dict[str, Any]]:
    """The rows that count one question under each of its ``keys``."""
    return [
        {
            "ref": k.ref,
            "kind": k.kind,
            "value": k.value,
            "conversation_id": conversation_id,
            "text": text[:200],
            "asked_at": now,
        }
        for k in keys
    ]
