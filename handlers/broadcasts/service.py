"""The community manager's operations, shared by the CLI, the REST API and the scheduler.

Create (validated against the bot), preview, approve (by a second manager when
``broadcasts.require_approval``), send now or at a time, cancel, and report. Sending
only writes outbox rows; the bot's sender delivers them, so ``send`` from the CLI is
picked up by the running bot within a second.

A start writes its rows in batches (``handlers.broadcasts.batches``), each in a
transaction of its own, and wakes the sender after each: delivery begins with the
first batch, and users' answers are written between batches. A start interrupted by
a crash is resumed by starting it again (the bot does so when it starts); rows
already written are skipped. Once a start has written ``ANALYZE_AFTER`` rows the
database's planner is told (``ANALYZE`` on PostgreSQL), before the sender is woken.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable
from contextlib import aclosing
from dataclasses import dataclass
from datetime import datetime, timedelta

from channels.base import Unpin
from handlers.broadcasts.batches import BATCH, recipient_batches
from handlers.broadcasts.notice import Notice, check_notice, parse_notice
from handlers.broadcasts.plan import destinations, new_short_id, recipient_rows, render
from handlers.broadcasts.report import Report, build_report
from handlers.broadcasts.settings import BroadcastSettings
from handlers.outbox_rows import Outbox
from handlers.texts import Texts
from storage.broadcast_records import BroadcastRecord
from storage.broadcasts import BroadcastStore, Start
from storage.store import NewOutbound
from storage.subscriptions import SubscriptionStore

Clock = Callable[[], datetime]
Schedule = Callable[[int, datetime], Awaitable[None]]

# once a start has written this many rows, the database refreshes the outbox's
# statistics, once a start (``BroadcastStore.refresh_statistics``), so the sender's
# claims are planned for a table full of pending rows; below it a claim costs little
# however it is planned
ANALYZE_AFTER = 1_000


class BroadcastError(Exception):
    """An operation refused; ``kind`` is ``invalid``, ``missing``, ``forbidden`` or
    ``conflict`` (the CLI maps it to an exit code, the API to an HTTP status)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True, slots=True)
class Preview:
    """What each kind of recipient would receive, and how many there are now."""

    broadcast: BroadcastRecord
    warnings: list[str]
    samples: list[tuple[str, str, str, list[str]]]  # (channel, kind, language, parts)
    recipients: Counter[tuple[str, str]]  # (channel, language) -> chats


class Broadcaster:
    """Runs broadcast operations against the store; the boundary checks who asks."""

    def __init__(
        self,
        store: BroadcastStore,
        subscriptions: SubscriptionStore,
        texts: Texts,
        *,
        channels: set[str],
        languages: tuple[str, ...],
        clock: Clock,
        settings: BroadcastSettings,
        wake: Callable[[], None] | None = None,
        schedule: Schedule | None = None,
        unschedule: Callable[[int], Awaitable[None]] | None = None,
        schedule_unpin: Schedule | None = None,
        batch: int = BATCH,
        outbox: Outbox | None = None,
    ) -> None:
        self.store = store
        # the unpins go out through it (the recipients are rows of the broadcast)
        self.outbox = outbox or Outbox(store.store, clock, wake=lambda: self.wake())
        self.subscriptions = subscriptions
        self.texts = texts
        self.channels = channels
        self.languages = languages
        self.clock = clock
        self.settings = settings
        # told when rows were enqueued: by default the outbox's sender
        self.wake = wake or (outbox.wake if outbox is not None else lambda: None)
        self.schedule = schedule
        self.unschedule = unschedule
        self.schedule_unpin = schedule_unpin
        self.batch = batch
        self._starting: set[int] = set()  # starts running in this process

    def __repr__(self) -> str:
        return f"Broadcaster(channels={sorted(self.channels)})"

    def check(self, notice: Notice) -> list[str]:
        """Validate against this bot; raises :class:`NoticeError`, returns warnings."""
        return check_notice(
            notice,
            channels=self.channels,
            languages=self.languages,
            now=self.clock(),
            render=lambda text, language: self._render_text(notice, language),
        )

    def _render_text(self, notice: Notice, language: str) -> str:
        return render(notice, language, "N-XXXXXX", self.texts)

    async def create(self, notice: Notice, by: str) -> tuple[BroadcastRecord, list[str]]:
        """Store a validated notice as a draft; returns it and the checker's warnings."""
        warnings = self.check(notice)
        record = await self.store.create(new_short_id, notice, by, self.clock())
        assert record is not None
        return record, warnings

    async def remind(self, notice: Notice, key: str) -> BroadcastRecord | None:
        """Send a knowledge-base reminder once: ``None`` if ``key`` was sent before.

        The knowledge base is written and reviewed by managers, so a reminder needs no
        second approval.
        """
        self.check(notice)
        record = await self.store.create(new_short_id, notice, "knowledge base", self.clock(), key)
        if record is not None:
            await self.start(record.id)
        return record

    async def get(self, ref: int | str) -> BroadcastRecord:
        record = await self.store.get(ref)
        if record is None:
            raise BroadcastError("missing", f"no broadcast {ref}")
        return record

    async def preview(self, ref: int | str) -> Preview:
        record = await self.get(ref)
        notice = parse_notice(record.notice)
        warnings = check_notice(
            notice,
            channels=self.channels,
            languages=self.languages,
            now=_EPOCH,  # a draft past its send time is still worth reading
            render=lambda text, language: self._render_text(notice, language),
        )
        if notice.send_at is not None and notice.send_at <= self.clock():
            warnings.append(f"send_at: {notice.send_at.isoformat()} has passed; send it now")
        subscribers = await self.subscriptions.list()
        places = destinations(notice, subscribers)
        kinds = {(p.channel, p.chat_id): p.kind for p in places}
        first: dict[tuple[str, str, str], str] = {}
        samples: dict[tuple[str, str, str], list[str]] = {}
        for row in recipient_rows(notice, record.short_id, places, self.texts):
            key = (row.channel, kinds[(row.channel, row.chat_id)], row.language)
            if first.setdefault(key, row.chat_id) == row.chat_id:
                samples.setdefault(key, []).append(row.action["text"])
        count = Counter((p.channel, p.language) for p in places)
        return Preview(record, warnings, [(*k, v) for k, v in sorted(samples.items())], count)

    async def approve(self, ref: int | str, by: str) -> BroadcastRecord:
        record = await self.get(ref)
        outcome = await self.store.approve(record.id, by, self.clock())
        if outcome == "own":
            raise BroadcastError("forbidden", "a second manager must approve: not the creator")
        if outcome == "not_draft":
            latest = await self.get(record.id)
            raise BroadcastError(
                "conflict",
                f"broadcast {record.short_id} is {latest.status}"
                + (f" (approved by {latest.approved_by})" if latest.approved_by else ""),
            )
        return await self.get(record.id)

    async def send(self, ref: int | str, at: datetime | None = None) -> tuple[str, int]:
        """Send now, or schedule for ``at`` (default: the notice's ``send_at``).

        Returns ``("scheduled", 0)`` or ``("started", rows)``.
        """
        record = await self.get(ref)
        at = at or record.notice_send_at()
        if at is not None:
            if at <= self.clock():
                raise BroadcastError("invalid", f"--at: {at.isoformat()} is in the past")
            if self.schedule is None:
                raise BroadcastError("invalid", "--at: no scheduler is available here")
            outcome = await self.store.schedule(record.id, at, self.settings.require_approval)
            self._raise_for(outcome, record)
            await self.schedule(record.id, at)
            return "scheduled", 0
        started, rows = await self.start(record.id)
        self._raise_for(started, record)
        return "started", rows

    async def start(self, broadcast_id: int) -> tuple[Start, int]:
        """Write every recipient row, in batches, waking the sender after each (the
        scheduler's job too). Returns the outcome and how many rows this call wrote.

        Starting again a broadcast whose start was interrupted resumes it; one that
        this process is starting right now is ``"already"``.
        """
        if broadcast_id in self._starting:
            return "already", 0
        self._starting.add(broadcast_id)
        try:
            return await self._start(broadcast_id)
        finally:
            self._starting.discard(broadcast_id)

    async def _start(self, broadcast_id: int) -> tuple[Start, int]:
        now = self.clock()
        claim, record = await self.store.claim_start(
            broadcast_id, now, require_approval=self.settings.require_approval
        )
        if claim != "claimed" and claim != "resumed":
            return claim, 0
        assert record is not None
        notice = parse_notice(record.notice)
        written = 0
        batches = recipient_batches(
            notice, record.short_id, self.subscriptions, self.texts, self.batch
        )
        async with aclosing(batches):
            async for rows in batches:
                added = await self.store.add_recipients(
                    record, rows, now, priority=self.settings.priority
                )
                if added is None:
                    return "cancelled", written
                if written < ANALYZE_AFTER <= written + added:
                    await self.store.refresh_statistics()  # once a start, for the claims
                written += added
                if added:
                    self.wake()
        if not await self.store.finish_start(broadcast_id):
            return "cancelled", written
        self.wake()
        if notice.unpin_after_hours and self.schedule_unpin is not None:
            began = record.started_at or now
            await self.schedule_unpin(
                broadcast_id, began + timedelta(hours=notice.unpin_after_hours)
            )
        return "started", written

    async def resume(self) -> list[int]:
        """The broadcasts whose start a crash interrupted, to be started again."""
        return await self.store.unfinished_starts()

    async def unpin(self, broadcast_id: int) -> int:
        """Unpin the notice wherever it was pinned (the unpin-after job); how many."""
        pinned = await self.store.pinned(broadcast_id)
        rows: list[NewOutbound] = []
        for channel, chat, message in pinned:
            rows += self.outbox.rows([Unpin(chat_id=chat, message_id=message)], channel)
        return await self.outbox.put(rows)

    def _raise_for(self, outcome: Start, record: BroadcastRecord) -> None:
        name = record.short_id
        if outcome == "needs_approval":
            raise BroadcastError("forbidden", f"broadcast {name} needs a second manager's approval")
        if outcome == "already":
            raise BroadcastError("conflict", f"broadcast {name} was sent already")
        if outcome == "cancelled":
            raise BroadcastError("conflict", f"broadcast {name} is cancelled")
        if outcome == "missing":
            raise BroadcastError("missing", f"no broadcast {name}")

    async def cancel(self, ref: int | str) -> int:
        """Cancel; returns how many messages were withdrawn before being sent."""
        record = await self.get(ref)
        cancelled, withdrawn = await self.store.cancel(record.id, self.clock())
        if not cancelled:
            raise BroadcastError("conflict", f"broadcast {record.short_id} is {record.status}")
        if record.status == "scheduled" and self.unschedule is not None:
            await self.unschedule(record.id)
        return withdrawn

    async def report(self, ref: int | str) -> tuple[BroadcastRecord, Report]:
        record = await self.get(ref)
        rows = await self.store.rows(record.id)
        return await self.get(record.id), build_report(rows)


_EPOCH = datetime.fromisoformat("1970-01-01T00:00:00+00:00")
