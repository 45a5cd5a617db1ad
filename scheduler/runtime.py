"""What scheduled jobs may use, and the one registry through which they find it.

APScheduler stores a persistent job as a reference to a module-level function and its
arguments (``scheduler.sla:sweep_sla``, ``scheduler.broadcasts:send_broadcast`` with a
broadcast's number), so that a job stored by one run, or by the CLI, runs in the next.
Such a job cannot carry the running bot's objects with it. It asks :data:`RUNNING`,
the registry of the running bot, for its :class:`Runtime` instead; nothing else in the
bot is found through a module-level name.

The bot attaches its runtime just before its scheduler starts and detaches it just
after the scheduler stops, so every job that runs finds one. A job run outside a
running bot raises. When two bots run in one process (tests that restart a bot), the
one attached last is the one jobs see, and detaching it uncovers the earlier one.
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
    """The running bot's objects that jobs use, built with the bot."""

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


class RunningBot:
    """The registry of the running bot, for jobs that APScheduler calls by reference.

    ``attach`` and ``detach`` are the bot's (``bots.app.App``), in its start and stop;
    ``current`` is the jobs'. Raises ``RuntimeError`` from ``current`` when no bot runs.
    """

    def __init__(self) -> None:
        self._attached: list[Runtime] = []

    def __repr__(self) -> str:
        return f"RunningBot(attached={len(self._attached)})"

    def attach(self, runtime: Runtime) -> None:
        """Make ``runtime`` the one jobs see, until it is detached."""
        self._attached.append(runtime)

    def detach(self, runtime: Runtime) -> None:
        """Forget ``runtime``; detaching one that is not attached is no error."""
        self._attached = [r for r in self._attached if r is not runtime]

    def current(self) -> Runtime:
        """The running bot's runtime; raises if a job runs outside one."""
        if not self._attached:
            raise RuntimeError("no socialdesk runtime is bound: jobs run inside `socialdesk run`")
        return self._attached[-1]


RUNNING = RunningBot()


def current() -> Runtime:
    """What a job uses: the running bot's runtime, from :data:`RUNNING`."""
    return RUNNING.current()
