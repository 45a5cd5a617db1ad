"""What a button press meant, in words: the label the user saw, and what they had asked.

A press arrives as its callback data alone (``intake:category:deposit_missing``); the
transcript and the ticket's summary should say what the person chose, as they saw it.
The label is found on the bot's own recent messages to that chat (buttons are stored
with every outbox row), so it works on every channel, with or without a reference to
the message the button was under.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from storage.statements import MSG, OUT
from storage.store import Store

RECENT = 30  # the bot's latest messages to a chat searched for the pressed button


class ButtonStore:
    """Reads for button presses; shares the store's connections."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def __repr__(self) -> str:
        return "ButtonStore()"

    async def label(self, channel: str, chat_id: str, data: str) -> str | None:
        """The label of the newest button with ``data`` the bot sent to the chat."""
        return await self.store.read(self._label, channel, chat_id, data)

    @staticmethod
    def _label(conn: Connection, channel: str, chat_id: str, data: str) -> str | None:
        rows = conn.execute(
            select(OUT.c.action)
            .where(OUT.c.channel == channel, OUT.c.chat_id == chat_id)
            .order_by(OUT.c.id.desc())
            .limit(RECENT)
        )
        for (action,) in rows:
            for row in (action or {}).get("buttons") or ():
                for button in row:
                    if isinstance(button, dict) and button.get("data") == data:
                        return str(button.get("label") or "") or None
        return None

    async def last_typed(self, conversation_id: int) -> str | None:
        """The user's latest typed message in the conversation (not a press)."""
        return await self.store.read(self._last_typed, conversation_id)

    @staticmethod
    def _last_typed(conn: Connection, conversation_id: int) -> str | None:
        rows = conn.execute(
            select(MSG.c.text, MSG.c.envelope)
            .where(MSG.c.conversation_id == conversation_id, MSG.c.direction == "in")
            .order_by(MSG.c.id.desc())
            .limit(RECENT)
        )
        for text, envelope in rows:
            pressed: Any = (envelope or {}).get("callback")
            if not pressed and text and text.strip():
                return str(text)
        return None
