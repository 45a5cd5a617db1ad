"""The contract between platforms and the shared handlers.

Every channel adapter turns its platform's updates into :class:`Message` objects and
performs :data:`Action` objects; nothing else crosses the boundary. Handlers never see
a platform type, and adapters never decide what to answer. Platform ids are kept as
strings so that a Telegram ``int``, a Discord snowflake and an X id all fit one column.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter


class ChatKind(StrEnum):
    """Where a message was written; it decides what may be said in reply."""

    PRIVATE = "private"
    GROUP = "group"
    CHANNEL = "channel"
    THREAD = "thread"
    MENTION = "mention"  # a public post that mentions the bot (X)

    @property
    def is_public(self) -> bool:
        """Public places never get personal questions or details."""
        return self is not ChatKind.PRIVATE


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file, image or sticker that came with a message.

    ``ref`` is the platform's handle to fetch it by (a Telegram ``file_id``, a Discord
    attachment URL, a web-chat upload); ``None`` for what is no file to keep (a
    sticker, an embed). ``size`` and ``mime`` are what the platform declared: the size
    spares a download that is over the limit, the type is never trusted.
    """

    kind: str
    name: str | None = None
    ref: str | None = None
    size: int | None = None
    mime: str | None = None


@dataclass(frozen=True, slots=True)
class Message:
    """One inbound update, normalized.

    ``addressed`` is a platform fact computed by the adapter: the bot was mentioned,
    replied to, given a command, or written to in private. The guard reads every
    message; the answering stages only addressed ones.
    """

    channel: str
    chat_id: str
    chat_kind: ChatKind
    sender_id: str
    text: str
    platform_message_id: str
    received_at: datetime
    display_name: str = ""
    username: str | None = None
    language_hint: str | None = None
    attachments: tuple[Attachment, ...] = ()
    reply_to: str | None = None
    thread_id: str | None = None
    edited: bool = False
    addressed: bool = True
    callback: str | None = None
    raw: Any = field(default=None, compare=False, repr=False)

    @property
    def conversation_key(self) -> tuple[str, str, str]:
        """One user in one chat: the unit whose messages are handled in order."""
        return (self.channel, self.chat_id, self.sender_id)


@dataclass(frozen=True, slots=True)
class MemberEvent:
    """A member joined a group or changed their name: the guard checks impersonation."""

    channel: str
    chat_id: str
    user_id: str
    display_name: str
    username: str | None
    kind: Literal["join", "rename"]
    received_at: datetime
    raw: Any = field(default=None, compare=False, repr=False)


class _Action(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    # its row's key, set by the sender for each try, never stored (handlers.outbox.send_key)
    idempotency_key: str | None = Field(default=None, exclude=True)


class Button(_Action):
    """An inline choice; ``data`` comes back as ``Message.callback`` when pressed."""

    label: str
    data: str | None = None
    url: str | None = None


class Reply(_Action):
    """Send text to a chat, optionally as a reply and with rows of buttons."""

    type: Literal["reply"] = "reply"
    chat_id: str
    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    reply_to: str | None = None
    thread_id: str | None = None
    # pin the sent message (a notice in a channel); where pinning fails the message
    # still counts as delivered: sending it again would post it twice
    pin: bool = False


class InvitePrivate(_Action):
    """Move a conversation that needs personal details out of public.

    Each channel renders the way in its own fashion: a Telegram deep link that opens the
    private chat with ``topic`` carried over, a Discord private thread or DM, an X
    invitation to DM. Handlers never ask for personal details in public; they emit this.
    """

    type: Literal["invite_private"] = "invite_private"
    chat_id: str
    user_id: str
    text: str
    button_label: str
    topic: str = ""
    reply_to: str | None = None
    thread_id: str | None = None


class Delete(_Action):
    """Remove a message from a group (scam links, posted secrets)."""

    type: Literal["delete"] = "delete"
    chat_id: str
    message_id: str


class Restrict(_Action):
    """Mute or time out a member until ``until`` (``None``: until lifted by staff)."""

    type: Literal["restrict"] = "restrict"
    chat_id: str
    user_id: str
    until: datetime | None = None
    reason: str = ""


class Unpin(_Action):
    """Take a pinned message (a notice whose time is over) off the chat's pins."""

    type: Literal["unpin"] = "unpin"
    chat_id: str
    message_id: str


class Image(_Action):
    """Send a stored image (an agent's screenshot) to a chat. The row names the file by
    id; the adapter reads its bytes from the :class:`FileSource` it was given."""

    type: Literal["image"] = "image"
    chat_id: str
    attachment_id: int
    thread_id: str | None = None


Action = Annotated[
    Reply | InvitePrivate | Delete | Restrict | Unpin | Image,
    Field(discriminator="type"),
]
_ACTION_ADAPTER: TypeAdapter[Action] = TypeAdapter(Action)


def action_to_dict(action: Action) -> dict[str, Any]:
    """A JSON-safe form of an action, as stored in the outbox."""
    return action.model_dump(mode="json")


def action_from_dict(data: dict[str, Any]) -> Action:
    """Rebuild an action stored by :func:`action_to_dict`; raises ``ValidationError``."""
    return _ACTION_ADAPTER.validate_python(data)


LengthUnit = Literal["codepoints", "utf16", "weighted"]

# X counts these code points once and every other one (CJK, emoji) twice, and any link
# as 23 (twitter-text's v3 configuration)
_LIGHT = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))
_LINK = re.compile(r"https?://\S+", re.IGNORECASE)
_LINK_WEIGHT = 23


def weighted_length(text: str) -> int:
    """Length as X counts a post: links 23, CJK and emoji 2, everything else 1."""
    links = _LINK.findall(text)
    rest = _LINK.sub("", text)
    heavy = sum(1 for ch in rest if not any(lo <= ord(ch) <= hi for lo, hi in _LIGHT))
    return len(rest) + heavy + _LINK_WEIGHT * len(links)


@dataclass(frozen=True, slots=True)
class RateRule:
    """One platform limit: at most ``rate`` sends per ``period`` seconds per ``scope``.

    ``scope`` is ``"global"`` (one bucket for the whole bot) or ``"chat"`` (one bucket
    per chat). A rule with ``chat_prefix`` applies only to chats whose id starts with it
    (Telegram's group ids start with ``-``), so per-group limits can differ from
    per-private-chat ones.
    """

    scope: Literal["global", "chat"]
    rate: float
    period: float
    chat_prefix: str = ""

    def applies_to(self, chat_id: str) -> bool:
        return self.scope == "global" or chat_id.startswith(self.chat_prefix)


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a channel can do, so handlers degrade on purpose instead of guessing."""

    max_length: int
    length_unit: LengthUnit = "codepoints"
    buttons: bool = False
    delete: bool = False
    restrict: bool = False
    edit: bool = False
    threads: bool = False
    pin: bool = False
    files: bool = False  # receives and sends files (an agent's screenshot)
    rate_limits: tuple[RateRule, ...] = ()

    def measure(self, text: str) -> int:
        """Length of ``text`` as the platform counts it (Telegram counts UTF-16 units,
        X weighs its characters)."""
        if self.length_unit == "utf16":
            return len(text.encode("utf-16-le")) // 2
        if self.length_unit == "weighted":
            return weighted_length(text)
        return len(text)


class ChannelStartError(Exception):
    """A channel cannot start: the platform refused its credentials or settings.

    The message is one line that names the setting to fix; ``socialdesk run`` prints it
    instead of a traceback.
    """


class DeliveryError(Exception):
    """A send failed; ``retry_after`` is the platform's wait, if it named one.

    ``permanent`` means retrying cannot help (the user blocked the bot, the chat is
    gone, the message is malformed): the outbox records the failure and stops.
    ``platform_wide`` says the wait holds for the whole bot on this platform (a global
    429), not only for the chat sent to: the rate limiter then pauses every chat.
    ``maybe_delivered`` says the request reached the platform and its answer was lost
    (a read timeout, a connection reset after sending): the action may have been done,
    so the outbox waits longer before it tries again, as the retry may show it twice.
    """

    def __init__(
        self,
        reason: str,
        *,
        retry_after: float | None = None,
        permanent: bool = False,
        platform_wide: bool = False,
        maybe_delivered: bool = False,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        self.permanent = permanent
        self.platform_wide = platform_wide
        self.maybe_delivered = maybe_delivered


# the largest file any channel takes in or sends (Telegram hands bots up to 20 MB)
MAX_FILE_BYTES = 20 * 1024 * 1024


class FetchError(Exception):
    """A user's file could not be fetched: over ``limit`` bytes (``too_large``), or
    the platform did not hand it over."""

    def __init__(self, reason: str, *, too_large: bool = False) -> None:
        super().__init__(reason)
        self.too_large = too_large


class StoredFile(Protocol):
    """A kept file, as an adapter needs it to send or serve it; ``mime`` is the type
    its content was checked to be."""

    @property
    def channel(self) -> str: ...
    @property
    def chat_id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def mime(self) -> str: ...
    @property
    def data(self) -> bytes: ...


class FileSource(Protocol):
    """Where adapters read kept files (``storage.attachments.AttachmentStore``).

    ``load`` returns ``None`` for an id that names no file; it must not check who may
    see it: an adapter serving a file to a browser checks the chat itself.
    """

    async def load(self, attachment_id: int) -> StoredFile | None: ...


# What an adapter hands each event to. The adapter awaits it (so a polling offset is
# confirmed only once the event is handled) and ignores its result: what the handlers
# decided comes back as outbox rows, never as a value for the adapter to act on.
Dispatch = Callable[[Message | MemberEvent], Awaitable[object]]


class Channel(Protocol):
    """A platform adapter.

    Implementations must turn each platform update into a :class:`Message` and hand it
    to ``dispatch`` without deciding anything about it; ``perform`` must carry out one
    action and return the platform's id of the message it created (``None`` when the
    action creates none), raising :class:`DeliveryError` on failure. They must not
    retry on their own: the outbox owns retries, so every attempt is recorded.
    """

    name: str
    capabilities: Capabilities

    async def start(self, dispatch: Dispatch) -> None: ...

    async def stop(self) -> None: ...

    async def perform(self, action: Action) -> str | None: ...


def split_text(text: str, capabilities: Capabilities) -> list[str]:
    """Split ``text`` into parts that each fit the channel, never cutting a word.

    Breaks at the last paragraph, line, sentence end or space that fits; only a single
    run of characters longer than the limit (a long URL) is broken inside.
    """
    limit = capabilities.max_length
    if capabilities.measure(text) <= limit:
        return [text]
    return list(_split(text, limit, capabilities.measure))


def _split(text: str, limit: int, measure: Callable[[str], int]) -> Iterator[str]:
    rest = text
    while measure(rest) > limit:
        # the longest prefix that fits, in code points
        lo, hi = 0, len(rest)
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if measure(rest[:mid]) <= limit:
                lo = mid
            else:
                hi = mid - 1
        head = rest[: max(lo, 1)]
        cut = _break_point(head)
        part, rest = rest[:cut].rstrip(), rest[cut:].lstrip()
        if part:
            yield part
    if rest:
        yield rest


def _break_point(head: str) -> int:
    for sep in ("\n\n", "\n", ". ", "。", "! ", "? ", " "):
        at = head.rfind(sep)
        if at > len(head) // 3:
            return at + len(sep)
    return len(head)
