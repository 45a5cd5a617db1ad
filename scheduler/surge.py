"""The surge sweep: staff hear when many people suddenly ask the same thing.

Every ``[incidents] surge_sweep_seconds`` the questions of the last
``surge_window_minutes`` are counted by key (the FAQ the answer engine placed them on,
and the network or coin they named). A key with at least ``surge_min_questions``
users, and ``surge_factor`` times its usual number over the last ``baseline_hours``,
is a surge: the staff chats get one alert with examples and a button that opens an
incident for it. The surge stays active (no second alert) until its count falls below
the minimum; a key an open incident already answers is not alerted.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import partial
from typing import Any

from channels.base import Button
from handlers.incidents.matching import covers
from handlers.incidents.mentions import FAMILY_NAMES
from handlers.incidents.service import IncidentService
from handlers.incidents.settings import IncidentSettings
from handlers.outbox_rows import Outbox
from handlers.requests import AlertStaff
from handlers.staffdesk import STAFF_CALLBACK
from scheduler.runtime import current
from storage.store import NewOutbound
from storage.surges import SurgeKey


def surge_job(settings: IncidentSettings) -> tuple[Callable[..., Any], dict[str, Any]]:
    """The sweep with its trigger, for the bot's list of jobs."""
    return (
        sweep_surges,
        {
            "id": "surge-sweep",
            "name": "surges of one question",
            "trigger": "interval",
            "seconds": settings.surge_sweep_seconds,
        },
    )


async def sweep_surges() -> int:
    """Alert new surges and end calmed ones; returns how many alerts were raised.

    A module-level function so APScheduler can store the job by reference.
    """
    runtime = current()
    if runtime.incidents is None:
        return 0
    return await detect(runtime.incidents, runtime.outbox)


async def detect(service: IncidentService, outbox: Outbox) -> int:
    """One sweep over ``service``'s questions; alerts go out through ``outbox``."""
    settings = service.settings
    now = service.clock()
    window = timedelta(minutes=settings.surge_window_minutes)
    history = timedelta(hours=settings.baseline_hours)
    since = now - window
    counts = await service.surges.counts(since, now + timedelta(microseconds=1))
    before = await service.surges.counts(now - history - window, since)
    windows = history / window  # ordinary windows in the baseline
    active = await service.surges.active()
    incidents = await service.incidents.open_incidents()
    raised = 0
    for key, questions in sorted(counts.items()):
        usual = before.get(key, 0) / windows
        if questions < settings.surge_min_questions or questions < settings.surge_factor * usual:
            continue
        if key in active or any(covers(i, key) for i in incidents):
            continue
        examples = await service.surges.examples(key, since, settings.surge_examples)

        alert = partial(_alert_rows, service, outbox, key, questions, examples)
        if await service.surges.start(key, questions, examples, now, alert) is not None:
            raised += 1
    calmed = [
        surge_id
        for key, surge_id in active.items()
        if counts.get(key, 0) < settings.surge_min_questions
    ]
    await service.surges.end(calmed, now)
    await service.surges.prune(now - history - window)
    if raised:
        outbox.wake()
    return raised


def _alert_rows(
    service: IncidentService,
    outbox: Outbox,
    key: SurgeKey,
    questions: int,
    examples: list[str],
    surge_id: int,
) -> list[NewOutbound]:
    """The staff chats' rows of one surge's alert (its button needs the surge's id)."""
    return outbox.staff_rows(_alert(service, key, questions, examples, surge_id))


def _alert(
    service: IncidentService, key: SurgeKey, questions: int, examples: list[str], surge_id: int
) -> AlertStaff:
    texts, minutes = service.texts, service.settings.surge_window_minutes
    entry = service.entry_name(key.ref, "en")
    if key.kind:
        subject = FAMILY_NAMES.get(key.value, key.value) if key.kind == "network" else key.value
        text = texts.get(
            "incidents.surge_alert",
            "en",
            count=questions,
            minutes=minutes,
            entry=entry,
            subject=subject,
        )
    else:
        text = texts.get(
            "incidents.surge_alert_entry", "en", count=questions, minutes=minutes, entry=entry
        )
    lines = [text, *(f"• {example}" for example in examples)]
    button = Button(
        label=texts.get("incidents.surge_button", "en"),
        data=f"{STAFF_CALLBACK}incident:{surge_id}",
    )
    return AlertStaff(text="\n".join(lines), buttons=((button,),))
