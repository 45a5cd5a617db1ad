"""What a stage asks for that no adapter performs: a ticket opened, the staff alerted.

They travel beside the ``channels.base`` actions in a stage's answer, and never reach
an adapter: the handoff stage (``handlers.handoff``) turns a ticket request into a
ticket and the user's acknowledgement, and the code that owns the staff chats turns
an alert into one reply per staff chat.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from channels.base import Action, Button


class _Request(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class AlertStaff(_Request):
    """Tell the staff chats about something that needs a person; evidence is shown as-is."""

    type: Literal["alert_staff"] = "alert_staff"
    text: str
    evidence: tuple[tuple[str, str], ...] = ()
    buttons: tuple[tuple[Button, ...], ...] = ()  # e.g. Claim, where the staff chat has them


class OpenTicket(_Request):
    """Hand the conversation to a human agent in ``category``."""

    type: Literal["open_ticket"] = "open_ticket"
    category: str = "other"
    summary: str = ""


# what a stage may answer with: actions for an adapter, and requests for the others
Step = Action | AlertStaff | OpenTicket
