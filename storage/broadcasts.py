"""Broadcasts and their recipients (outbox rows that carry the broadcast's id).

Every change of a broadcast's status is one conditional ``UPDATE``, so two managers
approving at once, or a scheduled start racing a manual one, end with exactly one
winner. Starting a send writes the status and every recipient row in one transaction,
and the rows are unique per (broadcast, channel, chat, part): whatever crashes or
repeats, a recipient is planned once, and the outbox then sends each row once.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Literal, Protocol

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from storage.models import Broadcast, Subscription, table_of
from storage.statements import OUT
from storage.store import Store

BC = table_of(Broadcast)
SUB = table_of(Subscription)
OPEN = ("pending", "sending")

Approval = Literal["approved", "own", "not_draft", "missing"]
Start = Literal["started", "already", "needs_approval", "cancelled", "missing"]


class Row(Protocol):
    """A planned recipient message (``handlers.broadcasts.plan.RecipientRow``)."""

    channel: str
    chat_id: str
    language: str
    part: int
    action: dict[str, Any]


Planner = Callable[[dict[str, Any], list[dict[str, Any]]], Sequence[Row]]


class BroadcastStore:
    """Broadcast records, their approval, start, cancellation and delivery report."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def __repr__(self) -> str:
        return "BroadcastStore()"

    async def create(
        self,
        new_id: Callable[[], str],
        notice: dict[str, Any],
        created_by: str,
        now: datetime,
        reminder_key: str | None = None,
    ) -> dict[str, Any] | None:
        """Store a draft; ``new_id`` is asked again on the rare short-id collision.

        With ``reminder_key`` the broadcast is a knowledge-base reminder, approved by
        the base itself; ``None`` comes back when that reminder exists already.
        """
        for _ in range(10):
            try:
                return await self.store.write(
                    self._create, new_id(), notice, created_by, now, reminder_key
                )
            except IntegrityError:
                continue
        raise RuntimeError("no free short id after 10 tries")

    @staticmethod
    def _create(
        conn: Connection,
        short_id: str,
        notice: dict[str, Any],
        created_by: str,
        now: datetime,
        reminder_key: str | None,
    ) -> dict[str, Any] | None:
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
        return _one(conn, new)

    async def get(self, ref: int | str) -> dict[str, Any] | None:
        """A broadcast by number or short id (``N-…``, any case)."""
        return await self.store.write(_one, ref)

    async def list(self) -> list[dict[str, Any]]:
        return await self.store.write(self._list)

    @staticmethod
    def _list(conn: Connection) -> builtins.list[dict[str, Any]]:
        query = select(BC).order_by(BC.c.id.desc())
        return [dict(r._mapping) for r in conn.execute(query)]

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
        row = _one(conn, broadcast_id)
        if row is None:
            return "missing"
        return "own" if row["status"] == "draft" else "not_draft"

    async def schedule(self, broadcast_id: int, at: datetime, require_approval: bool) -> Start:
        """Mark a broadcast to start at ``at`` (the scheduler job does the start)."""
        return await self.store.write(self._schedule, broadcast_id, at, require_approval)

    @staticmethod
    def _schedule(
        conn: Connection, broadcast_id: int, at: datetime, require_approval: bool
    ) -> Start:
        allowed = _startable(require_approval)
        done = conn.execute(
            update(BC)
            .where(BC.c.id == broadcast_id, BC.c.status.in_(allowed))
            .values(status="scheduled", send_at=at)
        )
        return "started" if done.rowcount == 1 else _refusal(conn, broadcast_id)

    async def begin(
        self,
        broadcast_id: int,
        plan: Planner,
        now: datetime,
        *,
        priority: int,
        require_approval: bool,
    ) -> tuple[Start, int]:
        """Start sending: the status and every recipient row, in one transaction.

        ``plan(broadcast, subscribers)`` returns the rows; subscribers are read in the
        same transaction, so the recipient list is one consistent snapshot. Returns
        the outcome and how many rows were created (0 unless ``"started"``).
        """
        return await self.store.write(
            self._begin, broadcast_id, plan, now, priority, require_approval
        )

    @staticmethod
    def _begin(
        conn: Connection,
        broadcast_id: int,
        plan: Planner,
        now: datetime,
        priority: int,
        require_approval: bool,
    ) -> tuple[Start, int]:
        allowed = _startable(require_approval)
        claimed = conn.execute(
            update(BC)
            .where(BC.c.id == broadcast_id, BC.c.status.in_(allowed))
            .values(status="sending", started_at=now)
        )
        if claimed.rowcount != 1:
            return _refusal(conn, broadcast_id), 0
        broadcast = _one(conn, broadcast_id)
        assert broadcast is not None
        subscribers = [dict(r._mapping) for r in conn.execute(select(SUB).order_by(SUB.c.id))]
        rows = plan(broadcast, subscribers)
        if rows:
            conn.execute(
                insert(OUT),
                [
                    {
                        "channel": r.channel,
                        "chat_id": r.chat_id,
                        "action": r.action,
                        "conversation_id": None,
                        "source_message_id": None,
                        "priority": priority,
                        "sender": f"broadcast:{broadcast['short_id']}",
                        "status": "pending",
                        "attempts": 0,
                        "next_attempt_at": now,
                        "created_at": now,
                        "broadcast_id": broadcast_id,
                        "broadcast_language": r.language,
                        "broadcast_part": r.part,
                    }
                    for r in rows
                ],
            )
        recipients = len({(r.channel, r.chat_id) for r in rows})
        conn.execute(update(BC).where(BC.c.id == broadcast_id).values(recipients=recipients))
        return "started", len(rows)

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

    async def rows(self, broadcast_id: int) -> builtins.list[dict[str, Any]]:
        """The recipient rows with their outcome, for the report; marks the broadcast
        done once none is left to send."""
        return await self.store.write(self._rows, broadcast_id)

    @staticmethod
    def _rows(conn: Connection, broadcast_id: int) -> builtins.list[dict[str, Any]]:
        query = select(
            OUT.c.channel,
            OUT.c.chat_id,
            OUT.c.broadcast_language.label("language"),
            OUT.c.broadcast_part.label("part"),
            OUT.c.status,
            OUT.c.last_error,
            OUT.c.delivered_at,
        ).where(OUT.c.broadcast_id == broadcast_id)
        rows = [dict(r._mapping) for r in conn.execute(query.order_by(OUT.c.id))]
        if not any(r["status"] in OPEN for r in rows):
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

    async def sent(self) -> builtins.list[dict[str, Any]]:
        """Broadcasts that went out (or are going out): what users may ask about."""
        return await self.store.write(self._sent)

    @staticmethod
    def _sent(conn: Connection) -> builtins.list[dict[str, Any]]:
        query = select(BC).where(
            BC.c.status.in_(("sending", "done", "cancelled")), BC.c.started_at.is_not(None)
        )
        return [dict(r._mapping) for r in conn.execute(query.order_by(BC.c.id.desc()))]


def _one(conn: Connection, ref: int | str) -> dict[str, Any] | None:
    if isinstance(ref, str) and not ref.isdigit():
        where = BC.c.short_id == ref.upper()
    else:
        where = BC.c.id == int(ref)
    row = conn.execute(select(BC).where(where)).first()
    return dict(row._mapping) if row is not None else None


def _refusal(conn: Connection, broadcast_id: int) -> Start:
    row = _one(conn, broadcast_id)
    if row is None:
        return "missing"
    if row["status"] == "cancelled":
        return "cancelled"
    if row["status"] in ("sending", "done"):
        return "already"
    return "needs_approval"


def _startable(require_approval: bool) -> tuple[str, ...]:
    """The statuses a broadcast may be scheduled or started from."""
    if require_approval:
        return ("approved", "scheduled")
    return ("draft", "approved", "scheduled")
