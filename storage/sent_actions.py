"""What the bot sent as a given platform message, read back from the outbox.

Staff reply to the bot's announcement of a ticket (or to its claim message) in the
staff chat; the buttons that message carried say which ticket it was about, so the
reply goes to that ticket's user without the bot keeping any other map.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.engine import Connection

from storage.statements import OUT
from storage.store import Store


class SentActions:
    """Reads of delivered outbox rows by the platform's message id."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def __repr__(self) -> str:
        return "SentActions()"

    async def button_data(
        self, channel: str, chat_id: str, platform_message_id: str
    ) -> tuple[str, ...]:
        """The callback data of every button on the action the bot delivered as
        ``platform_message_id`` in the chat, row by row; ``()`` when it sent no such
        message or the message had no buttons."""
        return await self.store.read(self._button_data, channel, chat_id, platform_message_id)

    @staticmethod
    def _button_data(
        conn: Connection, channel: str, chat_id: str, platform_message_id: str
    ) -> tuple[str, ...]:
        action = conn.execute(
            select(OUT.c.action)
            .where(
                OUT.c.channel == channel,
                OUT.c.chat_id == chat_id,
                OUT.c.platform_message_id == platform_message_id,
                OUT.c.status == "delivered",
            )
            .order_by(OUT.c.id.desc())
        ).scalar()
        if not action:
            return ()
        rows = action.get("buttons") or ()
        return tuple(button.get("data") or "" for row in rows for button in row)
