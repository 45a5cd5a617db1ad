"""What scheduled jobs may use, bound once by the running bot.

APScheduler stores a persistent job as a reference to a module-level function, so a
job cannot carry the bot's objects with it; it finds them here instead. There is one
runtime per process, bound on start and cleared on stop.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from handlers.answers.knowledge import KnowledgeBase
    from handlers.broadcasts.service import Broadcaster
    from handlers.guard import GuardStage
    from handlers.incidents.service import IncidentService
    from handlers.outbox_rows import Outbox
    from handlers.texts import Texts
    from scheduler.sla import SlaSettings
    from storage.tickets import SlaStore


@dataclass(frozen=True, slots=True)
class Runtime:
    outbox: Outbox  # staff alerts of the SLA and surge sweeps
    texts: Texts
    clock: Callable[[], datetime]
    wake: Callable[[], None]
    sla: SlaStore
    sla_settings: SlaSettings
    guards: tuple[GuardStage, ...] = ()
    broadcaster: Broadcaster | None = None
    knowledge: KnowledgeBase | None = None
    incidents: IncidentService | None = None  # the surge sweep's questions and alerts


_current: Runtime | None = None


def bind(runtime: Runtime | None) -> None:
    global _current
    _current = runtime


def current() -> Runtime:
    """The running bot's runtime; raises if a job runs outside one."""
    if _current is None:
        raise RuntimeError("no socialdesk runtime is bound: jobs run inside `socialdesk run`")
    return _current
