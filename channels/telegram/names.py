"""Who was last seen under which name, per group: Telegram sends no update when a
member renames themselves, so a rename is noticed when they next speak (and the scam
guard checks the new name for an imitation of staff)."""

from __future__ import annotations

from collections import OrderedDict

from channels.base import ChatKind, MemberEvent, Message

MAX_NAMES = 50_000  # group members whose last seen name is remembered


class NameBook:
    """The last name seen for each (chat, user), the oldest forgotten past ``limit``."""

    def __init__(self, channel: str, limit: int = MAX_NAMES) -> None:
        self.channel = channel
        self.limit = limit
        self._names: OrderedDict[tuple[str, str], tuple[str, str | None]] = OrderedDict()

    def __repr__(self) -> str:
        return f"NameBook({len(self._names)} names)"

    def remember(
        self, chat_id: str, user_id: str, name: str, username: str | None
    ) -> tuple[str, str | None] | None:
        """Remember the name; the one seen before, if any."""
        key = (chat_id, user_id)
        before = self._names.pop(key, None)
        self._names[key] = (name, username)
        while len(self._names) > self.limit:
            self._names.popitem(last=False)
        return before

    def renamed(self, message: Message) -> MemberEvent | None:
        """A rename event when a group member speaks under another name than before."""
        if message.chat_kind is not ChatKind.GROUP or message.callback is not None:
            return None
        before = self.remember(
            message.chat_id, message.sender_id, message.display_name, message.username
        )
        if before is None or before == (message.display_name, message.username):
            return None
        return MemberEvent(
            channel=self.channel,
            chat_id=message.chat_id,
            user_id=message.sender_id,
            display_name=message.display_name,
            username=message.username,
            kind="rename",
            received_at=message.received_at,
        )
