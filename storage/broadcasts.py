"""Broadcasts and their recipients (outbox rows that carry the broadcast's id).

Every change of a broadcast's status is one conditional ``UPDATE``, so two managers
approving at once, or a scheduled start racing a manual one, end with exactly one
winner. Starting a send writes its recipient rows in batches (``storage.broadcast_start``),
each unique per (broadcast, channel, chat, part): whatever crashes or repeats, a
recipient is planned once, and the outbox then sends each row once.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Literal

from pydantic import BaseModel
from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from storage import broadcast_start as start
from storage.broadcast_records import BroadcastRecord, RecipientOutcome
from storage.broadcast_start import Claim, Row, one, refusal, startable
from storage.models import Broadcast, table_of
from storage.statements import OUT
from storage.store import Store

BC = table_of(Broadcast)
OPEN = ("pending", "sending")

Approval = Literal["approved", "own", "not_draft", "missing"]
Start = Literal["started", "already", "needs_approval", "cancelled", "missing"]


class BroadcastStore:
    """Broadcast records, their approval, start, cancellation and delivery report."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def __repr__(self) -> str:
        return "BroadcastStore()"

    async def create(
        self,
        new_id: Callable[[], str],
        notice: BaseModel,
        created_by: str,
        now: datetime,
        reminder_key: str | None = None,
    ) -> BroadcastRecord | None:
        """Store a draft of the validated ``notice``; ``new_id`` is asked again on the
        rare short-id collision.

        With ``reminder_key`` the broadcast is a knowledge-base reminder, approved by
        the base itself; ``None`` comes back when that reminder exists already.
        """
        document = notice.model_dump(mode="json")
        for _ in range(10):
            try:
                return await self.store.write(
                    self._create, new_id(), document, created_by, now, reminder_key
                )
            except IntegrityError:
                continue
        raise RuntimeError("no free short id after 10 tries")

    @staticmethod
    def _create(
        conn: Connection,
        short_id: str,
        notice: dict[str, object],
        created_by: str,
        now: datetime,
        reminder_key: str | None,
    ) -> BroadcastRecord | None:
        if reminder_key is not None:
            seen = select(BC.c.id).where(BC.c.reminder_key == reminder_key)
            if conn.execute(seen).first() is not None:
                return None
        values = {
            "short_id": short_id,
            "title": notice["title"],
            "notice": notice,
            "status": "draft",
            "created_by": created_by,
            "send_at": None,
            "created_at": now,
            "recipients": 0,
            "reminder_key": reminder_key,
        }
        if reminder_key is not None:
            values.update(status="approved", approved_by=created_by, approved_at=now)
        new = conn.execute(insert(BC).returning(BC.c.id), values).scalar_one()
        return one(conn, new)

    async def get(self, ref: int | str) -> BroadcastRecord | None:
        """A broadcast by number or short id (``N-…``, any case)."""
        return await self.store.write(one, ref)

    async def list(self) -> list[BroadcastRecord]:
        return await self.store.write(self._list)

    @staticmethod
    def _list(conn: Connection) -> builtins.list[BroadcastRecord]:
        query = select(BC).order_by(BC.c.id.desc())
        return [BroadcastRecord.from_row(r) for r in conn.execute(query)]

    async def approve(self, broadcast_id: int, by: str, now: datetime) -> Approval:
        """Approve a draft; the creator may not approve their own, and of two managers
        approving at once exactly one gets ``"approved"``."""
        return await self.store.write(self._approve, broadcast_id, by, now)

    @staticmethod
    def _approve(conn: Connection, broadcast_id: int, by: str, now: datetime) -> Approval:
        done = conn.execute(
            update(BC)
            .where(BC.c.id == broadcast_id, BC.c.status == "draft", BC.c.created_by != by)
            .values(status="approved", approved_by=by, approved_at=now)
        )
        if done.rowcount == 1:
            return "approved"
        record = one(conn, broadcast_id)
        if record is None:
            return "missing"
        return "own" if record.status == "draft" else "not_draft"

    async def schedule(self, broadcast_id: int, at: datetime, require_approval: bool) -> Start:
        """Mark a broadcast to start at ``at`` (the scheduler job does the start)."""
        return await self.store.write(self._schedule, broadcast_id, at, require_approval)

    @staticmethod
    def _schedule(
        conn: Connection, broadcast_id: int, at: datetime, require_approval: bool
    ) -> Start:
        allowed = startable(require_approval)
        done = conn.execute(
            update(BC)
            .where(BC.c.id == broadcast_id, BC.c.status.in_(allowed))
            .values(status="scheduled", send_at=at)
        )
        return "started" if done.rowcount == 1 else refusal(one(conn, broadcast_id))

    async def claim_start(
        self, broadcast_id: int, now: datetime, *, require_approval: bool
    ) -> tuple[Claim, BroadcastRecord | None]:
        """Claim the start (status ``starting``); a start a crash interrupted is
        ``"resumed"``. Rows follow with :meth:`add_recipients`, then :meth:`finish_start`.
        """
        return await self.store.write(start.claim, broadcast_id, now, require_approval)

    async def add_recipients(
        self, broadcast: BroadcastRecord, rows: Sequence[Row], now: datetime, *, priority: int
    ) -> int | None:
        """One batch of recipient rows, in a transaction of its own: how many were new
        (rows already there are skipped), ``None`` once the broadcast is cancelled."""
        return await self.store.write(start.add_rows, broadcast, rows, now, priority)

    async def refresh_statistics(self) -> bool:
        """The outbox just grew by many rows: have the database's planner learn it
        (``start.analyze_outbox``: PostgreSQL only); whether anything ran."""
        if self.store.engine.dialect.name != "postgresql":
            return False  # nothing to do: no transaction, no wait for SQLite's writer
        return await self.store.write(start.analyze_outbox)

    async def finish_start(self, broadcast_id: int) -> bool:
        """Every row is written: the broadcast is ``sending``; ``False`` if cancelled."""
        return await self.store.write(start.finish, broadcast_id)

    async def unfinished_starts(self) -> builtins.list[int]:
        """Broadcasts left ``starting`` (their process died while writing rows)."""
        return await self.store.read(start.unfinished)

    async def cancel(self, broadcast_id: int, now: datetime) -> tuple[bool, int]:
        """Stop a broadcast: rows not yet claimed by the sender are never sent.

        Returns whether it was cancelled and how many rows were withdrawn; rows already
        being sent finish and are reported as they end.
        """
        return await self.store.write(self._cancel, broadcast_id, now)

    @staticmethod
    def _cancel(conn: Connection, broadcast_id: int, now: datetime) -> tuple[bool, int]:
        done = conn.execute(
            update(BC)
            .where(BC.c.id == broadcast_id, BC.c.status.not_in(("done", "cancelled")))
            .values(status="cancelled", cancelled_at=now)
        )
        if done.rowcount != 1:
            return False, 0
        withdrawn = conn.execute(
            update(OUT)
            .where(OUT.c.broadcast_id == broadcast_id, OUT.c.status == "pending")
            .values(status="cancelled", last_error="cancelled")
        )
        return True, withdrawn.rowcount or 0

    async def rows(self, broadcast_id: int) -> builtins.list[RecipientOutcome]:
        """The recipient rows with their outcome, for the report; marks the broadcast
        done once none is left to send."""
        return await self.store.write(self._rows, broadcast_id)

    @staticmethod
    def _rows(conn: Connection, broadcast_id: int) -> builtins.list[RecipientOutcome]:
        query = select(
            OUT.c.channel,
            OUT.c.chat_id,
            OUT.c.broadcast_language.label("language"),
            OUT.c.broadcast_part.label("part"),
            OUT.c.status,
            OUT.c.last_error,
            OUT.c.delivered_at,
        ).where(OUT.c.broadcast_id == broadcast_id)
        rows = [RecipientOutcome(**r._mapping) for r in conn.execute(query.order_by(OUT.c.id))]
        if not any(r.status in OPEN for r in rows):
            conn.execute(
                update(BC)
                .where(BC.c.id == broadcast_id, BC.c.status == "sending")
                .values(status="done")
            )
        return rows

    async def pinned(self, broadcast_id: int) -> builtins.list[tuple[str, str, str]]:
        """(channel, chat, message id) of each delivered message that was to be pinned."""
        return await self.store.read(self._pinned, broadcast_id)

    @staticmethod
    def _pinned(conn: Connection, broadcast_id: int) -> builtins.list[tuple[str, str, str]]:
        query = select(OUT.c.channel, OUT.c.chat_id, OUT.c.action, OUT.c.platform_message_id).where(
            OUT.c.broadcast_id == broadcast_id,
            OUT.c.status == "delivered",
            OUT.c.platform_message_id.is_not(None),
        )
        return [
            (r.channel, r.chat_id, r.platform_message_id)
            for r in conn.execute(query.order_by(OUT.c.id))
            if r.action.get("pin")
        ]

    async def open_rows(self, broadcast_id: int) -> int:
        """How many of its rows are still to be sent (cheap, for a progress bar)."""
        return await self.store.write(self._open_rows, broadcast_id)

    @staticmethod
    def _open_rows(conn: Connection, broadcast_id: int) -> int:
        query = select(func.count()).where(
            OUT.c.broadcast_id == broadcast_id, OUT.c.status.in_(OPEN)
        )
        return int(conn.execute(query).scalar_one())

    async def sent(self) -> builtins.list[BroadcastRecord]:
        """Broadcasts that went out (or are going out): what users may ask about."""
        return await self.store.write(self._sent)

    @staticmethod
    def _sent(conn: Connection) -> builtins.list[BroadcastRecord]:
        query = select(BC).where(
            BC.c.status.in_(("starting", "sending", "done", "cancelled")),
            BC.c.started_at.is_not(None),
        )
        return [BroadcastRecord.from_row(r) for r in conn.execute(query.order_by(BC.c.id.desc()))]
