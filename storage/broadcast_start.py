"""Starting a broadcast in batches: claim, recipient rows a batch at a time, finish.

A million recipients written in one transaction hold SQLite's one writer for most of
a minute (nobody is answered meanwhile) and every row in memory. So a start is three
kinds of short transaction:

1. the claim: the status moves to ``starting`` (one conditional ``UPDATE``: of two
   starts at once exactly one claims; a broadcast left ``starting`` by a crash may be
   claimed again, which resumes it);
2. one per batch of rows: ``INSERT ... ON CONFLICT DO NOTHING`` under the unique key
   (broadcast, channel, chat, part), so a batch written twice, by a resumed start or
   a second process, adds nothing twice; the recipient count grows in the same
   transaction, so it stays exact across crashes;
3. the finish: ``starting`` becomes ``sending``, after which the report may call the
   broadcast done.

Between two batches the writer is free for everyone else. A batch checks the status
under a row lock first, so nothing is added to a broadcast cancelled meanwhile.

On PostgreSQL a large start also refreshes the outbox's statistics once
(:func:`analyze_outbox`): the sender's claim is planned from them, and with none, or
with statistics of a table a tenth the size, the planner sorts every pending row on
each claim instead of walking ``ix_outbox_claim`` to its limit.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Literal, Protocol

from sqlalchemy import bindparam, select, text, update
from sqlalchemy.engine import Connection

from storage.broadcast_records import BroadcastRecord
from storage.models import Broadcast, table_of
from storage.statements import OUT

BC = table_of(Broadcast)
WRITING = ("starting", "sending")  # rows may still be added (a late second writer)

# A batch goes to the database as one JSON array, unpacked by the database itself:
# one parameter to bind instead of fourteen per row, so the writer is held for the
# insert and not for Python's conversion of every value (5x less for 1,000 rows).
_COLUMNS = (
    "channel, chat_id, action, priority, sender, status, attempts, next_attempt_at, "
    "created_at, broadcast_id, broadcast_language, broadcast_part"
)
_INSERT_SQLITE = text(
    f"INSERT INTO outbox ({_COLUMNS}) "
    "SELECT json_extract(value, '$.c'), json_extract(value, '$.i'), "
    "json_extract(value, '$.a'), :priority, :sender, 'pending', 0, :now, :now, "
    ":broadcast_id, json_extract(value, '$.l'), json_extract(value, '$.p') "
    "FROM json_each(:rows) WHERE true "
    "ON CONFLICT DO NOTHING RETURNING broadcast_part"
).bindparams(bindparam("now", type_=OUT.c.created_at.type))
_INSERT_PG = text(
    f"INSERT INTO outbox ({_COLUMNS}) "
    "SELECT r->>'c', r->>'i', r->'a', :priority, :sender, 'pending', 0, :now, :now, "
    ":broadcast_id, r->>'l', (r->>'p')::int "
    "FROM json_array_elements(CAST(:rows AS json)) AS r "
    "ON CONFLICT DO NOTHING RETURNING broadcast_part"
).bindparams(bindparam("now", type_=OUT.c.created_at.type))

Claim = Literal["claimed", "resumed", "already", "needs_approval", "cancelled", "missing"]


class Row(Protocol):
    """A planned recipient message (``handlers.broadcasts.plan.RecipientRow``)."""

    @property
    def channel(self) -> str: ...
    @property
    def chat_id(self) -> str: ...
    @property
    def language(self) -> str: ...
    @property
    def part(self) -> int: ...
    @property
    def action(self) -> Mapping[str, object]: ...  # the JSON form from channels.base


def startable(require_approval: bool) -> tuple[str, ...]:
    """The statuses a broadcast may be scheduled or started from."""
    if require_approval:
        return ("approved", "scheduled")
    return ("draft", "approved", "scheduled")


def one(conn: Connection, ref: int | str) -> BroadcastRecord | None:
    """A broadcast by number or short id (``N-…``, any case)."""
    if isinstance(ref, str) and not ref.isdigit():
        where = BC.c.short_id == ref.upper()
    else:
        where = BC.c.id == int(ref)
    row = conn.execute(select(BC).where(where)).first()
    return BroadcastRecord.from_row(row) if row is not None else None


def refusal(
    record: BroadcastRecord | None,
) -> Literal["already", "needs_approval", "cancelled", "missing"]:
    """Why a broadcast in this state may not be scheduled or started."""
    if record is None:
        return "missing"
    if record.status == "cancelled":
        return "cancelled"
    if record.status in ("starting", "sending", "done"):
        return "already"
    return "needs_approval"


def claim(
    conn: Connection, broadcast_id: int, now: datetime, require_approval: bool
) -> tuple[Claim, BroadcastRecord | None]:
    """Move the broadcast to ``starting``; ``"resumed"`` for one a crash left there."""
    claimed = conn.execute(
        update(BC)
        .where(BC.c.id == broadcast_id, BC.c.status.in_(startable(require_approval)))
        .values(status="starting", started_at=now)
    )
    record = one(conn, broadcast_id)
    if claimed.rowcount == 1:
        return "claimed", record
    if record is not None and record.status == "starting":
        return "resumed", record
    return refusal(record), record


def add_rows(
    conn: Connection,
    broadcast: BroadcastRecord,
    rows: Sequence[Row],
    now: datetime,
    priority: int,
) -> int | None:
    """Insert the rows not there yet; how many were new, or ``None`` if the broadcast
    is no longer being written (cancelled)."""
    status = conn.execute(
        select(BC.c.status).where(BC.c.id == broadcast.id).with_for_update()
    ).scalar_one_or_none()
    if status not in WRITING:
        return None
    if not rows:
        return 0
    packed = json.dumps(
        [
            {"c": r.channel, "i": r.chat_id, "a": r.action, "l": r.language, "p": r.part}
            for r in rows
        ],
        ensure_ascii=False,
    )
    statement = _INSERT_PG if conn.dialect.name == "postgresql" else _INSERT_SQLITE
    found = conn.execute(
        statement,
        {
            "rows": packed,
            "priority": priority,
            "sender": f"broadcast:{broadcast.short_id}",
            "now": now,
            "broadcast_id": broadcast.id,
        },
    )
    parts = [int(p) for p in found.scalars()]
    chats = sum(1 for part in parts if part == 0)  # every recipient has a part 0
    if chats:
        conn.execute(
            update(BC).where(BC.c.id == broadcast.id).values(recipients=BC.c.recipients + chats)
        )
    return len(parts)


def finish(conn: Connection, broadcast_id: int) -> bool:
    """``starting`` becomes ``sending``; ``False`` if it was cancelled meanwhile."""
    done = conn.execute(
        update(BC)
        .where(BC.c.id == broadcast_id, BC.c.status == "starting")
        .values(status="sending")
    )
    if done.rowcount == 1:
        return True
    record = one(conn, broadcast_id)
    return record is not None and record.status in ("sending", "done")  # another finished


def unfinished(conn: Connection) -> list[int]:
    """Broadcasts whose start was interrupted (the process died while writing rows)."""
    query = select(BC.c.id).where(BC.c.status == "starting").order_by(BC.c.id)
    return [int(i) for i in conn.execute(query).scalars()]


def analyze_outbox(conn: Connection) -> bool:
    """``ANALYZE`` the outbox on PostgreSQL (nothing on SQLite); whether it ran.

    The sender's claim ``ORDER BY priority, id LIMIT n`` is cheap only along
    ``ix_outbox_claim``; the planner takes that path once it knows that most rows are
    pending. Without statistics (a table never analyzed, autovacuum off or not yet
    round) it expects a handful of matching rows, takes ``ix_outbox_chat`` and sorts
    every pending row on each claim: 98 ms a claim with 12,000 of a broadcast's rows
    pending, against 0.2 ms. ``ANALYZE`` reads a sample of at most 30,000 rows (about
    10 ms once a start wrote its first 1,000, 20 ms at 12,000 rows, 200 ms at a
    million, on a 2-core machine) and takes a lock that blocks no reads or writes,
    only another ``ANALYZE`` or a ``VACUUM``. A database user that does not own the
    table gets a warning from PostgreSQL, and the start goes on.
    """
    if conn.dialect.name != "postgresql":
        return False
    conn.execute(text(f"ANALYZE {OUT.name}"))
    return True
