"""Leases on the outbox rows being sent: which sender holds a row, and until when.

Several processes may share one outbox (PostgreSQL). A row a sender claims is marked
"sending" with the sender's id and an expiry, in the statement that claims it
(``storage.outbox_queue``). While the sender lives it renews the expiry of every row
it holds, in one statement; when it dies, its rows' leases run out and any other
sender puts them back in the queue. A row held by a live sender is never put back,
so starting a second process does not send what the first is sending.

A settle names the claim it settles (owner and attempt number), so the outcome of a
sender that lost its lease to a stall is dropped if another sender has claimed the
row since (:func:`still_held`).

The expiry is written and compared with the senders' own clocks: the hosts' clocks
must agree to well within a lease (NTP does).
"""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.engine import Connection

from storage.statements import OUT
from storage.writer import TransactionRunner

if TYPE_CHECKING:
    from storage.outbox_queue import Outcome

DEFAULT_LEASE_SECONDS = 30.0
OWNER_LENGTH = 128  # the width of ``outbox.claimed_by``


def new_owner() -> str:
    """An id for one sender: host, process id and a random part (a process may run
    several senders, and a pid is reused after a restart)."""
    host = socket.gethostname()[: OWNER_LENGTH - 32]
    return f"{host}:{os.getpid()}:{secrets.token_hex(6)}"


@dataclass(frozen=True, slots=True)
class Lease:
    """Who claims rows, and for how long each claim holds without a renewal."""

    owner: str
    seconds: float = DEFAULT_LEASE_SECONDS

    def until(self, now: datetime) -> datetime:
        return now + timedelta(seconds=self.seconds)

    @property
    def renew_every(self) -> timedelta:
        """How often the holder renews: three chances before a lease runs out."""
        return timedelta(seconds=self.seconds / 3)


# each statement locks the rows it changes; renewals and settles lock in id order, so
# two of them never wait on each other in a cycle, and a requeue skips locked rows
_HELD = OUT.alias("held")
RENEW = (
    update(OUT)
    .where(
        OUT.c.id.in_(
            select(_HELD.c.id)
            .where(_HELD.c.claimed_by == bindparam("owner"), _HELD.c.status == "sending")
            .order_by(_HELD.c.id)
            .with_for_update()
            .scalar_subquery()
        ),
        OUT.c.claimed_by == bindparam("owner"),
        OUT.c.status == "sending",
    )
    .values(lease_until=bindparam("until"))
)
_STALE = OUT.alias("stale")
REQUEUE_EXPIRED = (
    update(OUT)
    .where(
        OUT.c.id.in_(
            select(_STALE.c.id)
            .where(
                _STALE.c.status == "sending",
                # no lease: claimed before leases existed
                or_(_STALE.c.lease_until.is_(None), _STALE.c.lease_until < bindparam("now")),
            )
            .with_for_update(skip_locked=True)
            .scalar_subquery()
        ),
        OUT.c.status == "sending",
    )
    # claimed_by stays: a late settle of that same claim may still land (still_held)
    .values(status="pending", lease_until=None, next_attempt_at=bindparam("now"))
)
# what a stopping sender claimed and never sent (its step was cancelled between the
# claim and the sends): back in the queue now, the claim not counted as an attempt
RELEASE = (
    update(OUT)
    .where(OUT.c.claimed_by == bindparam("owner"), OUT.c.status == "sending")
    .values(
        status="pending",
        claimed_by=None,
        lease_until=None,
        next_attempt_at=bindparam("now"),
        attempts=OUT.c.attempts - 1,
    )
)
_CLAIMS = (
    select(OUT.c.id, OUT.c.claimed_by, OUT.c.attempts)
    .where(OUT.c.id.in_(bindparam("ids", expanding=True)))
    .order_by(OUT.c.id)
    .with_for_update()
)


def still_held(
    conn: Connection, outcomes: Sequence[Outcome]
) -> tuple[list[Outcome], list[Outcome]]:
    """Split outcomes into those whose claim still stands, and those that lost it.

    A claim stands while the row names its owner and its attempt number: also after
    its lease ran out and it went back to pending, as long as nobody claimed it again
    (the late outcome is then recorded, and a delivered row is not sent again). When
    another sender has claimed the row since, the outcome is dropped: the row and its
    side effects (transcript, first response, unsubscribing) belong to that claim,
    and a message both sent went out twice. The rows are locked until the settle
    commits, so no claim slips in between.
    """
    rows = conn.execute(_CLAIMS, {"ids": [o.work.id for o in outcomes]})
    claims = {r.id: (r.claimed_by, r.attempts) for r in rows}
    held: list[Outcome] = []
    lost: list[Outcome] = []
    for outcome in outcomes:
        standing = claims.get(outcome.work.id) == (outcome.work.owner, outcome.work.attempts)
        (held if standing else lost).append(outcome)
    return held, lost


class OutboxLeases:
    """The leases' half of :class:`storage.store.Store` (mixed into it, which sets
    ``_writer``)."""

    _writer: TransactionRunner

    async def keep_leases(self, lease: Lease, now: datetime) -> int:
        """Renew every row ``lease.owner`` holds, then put back in the queue the rows
        being sent whose lease ran out (their sender died, or stalled longer than a
        lease); returns how many were put back.

        One transaction and two statements however many rows are held; the holder's
        own rows are renewed first, so a holder never takes back its own.
        """
        return await self._writer.run(self._keep_leases, lease, now)

    @staticmethod
    def _keep_leases(conn: Connection, lease: Lease, now: datetime) -> int:
        conn.execute(RENEW, {"owner": lease.owner, "until": lease.until(now)})
        return conn.execute(REQUEUE_EXPIRED, {"now": now}).rowcount or 0

    async def release_leases(self, lease: Lease, now: datetime) -> int:
        """Put back in the queue the rows ``lease.owner`` still holds; returns how many.

        For a sender that stops after its sends in flight finished and were recorded:
        what it still holds was claimed and never sent, and would otherwise wait for
        its lease to run out (a restart would wait that long to send it)."""
        return await self._writer.run(self._release_leases, lease, now)

    @staticmethod
    def _release_leases(conn: Connection, lease: Lease, now: datetime) -> int:
        return conn.execute(RELEASE, {"owner": lease.owner, "now": now}).rowcount or 0
