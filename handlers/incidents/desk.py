"""The surge alert's button in the staff chat: a supervisor opens the incident.

The press opens an incident for the surge's question with the default text of every
language (``incidents.default_text``); from then on matching questions get that text.
Two presses open one incident. Agents without the supervisor or admin role are told
who may.
"""

from __future__ import annotations

from datetime import datetime

from channels.base import Action, Message, Reply
from handlers.incidents.service import IncidentService
from storage.tickets import AgentRecord

SUPERVISORS = ("supervisor", "admin")


class IncidentPress:
    """``staff:incident:<surge id>``: see :class:`handlers.staffdesk.Press`."""

    def __init__(self, service: IncidentService) -> None:
        self.service = service

    def __repr__(self) -> str:
        return "IncidentPress(staff:incident)"

    async def press(
        self, message: Message, agent: AgentRecord, number: int, now: datetime
    ) -> list[Action]:
        texts = self.service.texts
        if agent.role not in SUPERVISORS:
            return [self._say(message, texts.get("incidents.supervisors_only", "en"))]
        opened = await self.service.open_from_surge(number, agent.name)
        if opened is None:
            return []
        incident_id, created = opened
        key = "incidents.opened_staff" if created else "incidents.opened_already"
        return [self._say(message, texts.get(key, "en", number=incident_id, agent=agent.name))]

    @staticmethod
    def _say(message: Message, text: str) -> Reply:
        return Reply(
            chat_id=message.chat_id,
            text=text,
            reply_to=message.reply_to,
            thread_id=message.thread_id,
        )
