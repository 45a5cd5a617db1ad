"""A notice file: what a community manager writes, validated before anything is stored.

A notice is a TOML file (format in README, "Broadcasts"). Reading it checks the shape
(pydantic); :func:`check_notice` then checks it against the running bot: enabled
channels, languages, each platform's length limit, the send time. Every problem is one
line naming the field, so ``socialdesk broadcast create`` can exit 2 with it.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from channels.base import Capabilities
from handlers.language import UI_LANGUAGES

FALLBACK = "en"

# The platforms' own length limits, as each adapter declares them; the CLI checks a
# notice without starting any channel, so it reads them from here.
PLATFORM_CAPABILITIES: dict[str, Capabilities] = {
    "telegram": Capabilities(max_length=4096, length_unit="utf16"),
    "discord": Capabilities(max_length=2000),
    "x": Capabilities(max_length=280, length_unit="weighted"),
    "web": Capabilities(max_length=4000),
}
# where a direct message allows more than a public post
DM_CAPABILITIES: dict[str, Capabilities] = {"x": Capabilities(max_length=10_000)}
PLATFORM_NAMES = {"telegram": "Telegram", "discord": "Discord", "x": "X", "web": "the web chat"}
# where a long text may go out as several messages: Telegram messages and DMs on any
# platform; a Discord channel post is one message, so it is refused instead
SPLITTABLE = {
    ("telegram", "chat"),
    ("telegram", "dm"),
    ("discord", "dm"),
    ("x", "dm"),
    ("web", "dm"),
}

_TELEGRAM_CHAT = re.compile(r"^(-?\d{1,20}|@[A-Za-z0-9_]{5,32})$")
_SNOWFLAKE = re.compile(r"^\d{1,21}$")


class NoticeError(Exception):
    """A notice that cannot be sent as written; the message names the field."""


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LinkButton(_Part):
    """A button under the notice that opens a link."""

    label: str = Field(min_length=1, max_length=64)
    url: str

    @field_validator("url")
    @classmethod
    def _https(cls, value: str) -> str:
        if not value.startswith("https://"):
            raise ValueError("must be an https:// link")
        return value


class ChatTarget(_Part):
    """A channel or group the notice is posted in, in one language."""

    chat: str
    language: str = FALLBACK


class SubscriberTarget(_Part):
    """Users who opted in with /subscribe; empty lists mean every channel/language."""

    channels: list[str] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=list)


class Targets(_Part):
    telegram: list[ChatTarget] = Field(default_factory=list)
    discord: list[ChatTarget] = Field(default_factory=list)
    x: bool = False
    subscribers: SubscriberTarget | None = None


class Notice(_Part):
    """The validated notice, as stored with its broadcast."""

    title: str = Field(min_length=1, max_length=256)
    text: dict[str, str]
    image_url: str | None = None
    buttons: list[LinkButton] = Field(default_factory=list, max_length=5)
    targets: Targets
    send_at: datetime | None = None
    # pin the notice in the Telegram and Discord chats it is posted in; unpin it this
    # many hours after the send starts (none: it stays pinned until staff unpin it)
    pin: bool = False
    unpin_after_hours: float | None = Field(default=None, gt=0, le=24 * 366)

    @field_validator("text")
    @classmethod
    def _languages(cls, value: dict[str, str]) -> dict[str, str]:
        for code, text in value.items():
            if code not in UI_LANGUAGES:
                raise ValueError(f"unknown language {code!r}; known: {', '.join(UI_LANGUAGES)}")
            if not text.strip():
                raise ValueError(f"the {code} text is empty")
        if FALLBACK not in value:
            raise ValueError("an English text (en) is required: it is every language's fallback")
        return {code: text.strip() for code, text in value.items()}

    @field_validator("image_url")
    @classmethod
    def _image(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("https://"):
            raise ValueError("must be an https:// link")
        return value

    @field_validator("send_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("give a time zone, e.g. 2026-12-01T10:00:00Z")
        return value

    @model_validator(mode="after")
    def _pinning(self) -> Notice:
        if self.unpin_after_hours is not None and not self.pin:
            raise ValueError("unpin_after_hours: only a pinned notice (pin = true) is unpinned")
        if self.pin and not (self.targets.telegram or self.targets.discord):
            raise ValueError("pin: only Telegram and Discord chat targets can be pinned")
        return self

    def text_for(self, language: str) -> str:
        """The text in ``language``, or the English one when the notice lacks it."""
        return self.text.get(language, self.text[FALLBACK])


@dataclass(frozen=True, slots=True)
class Destination:
    """One place a notice goes: a chat on a channel, as a post or a direct message."""

    channel: str
    chat_id: str
    language: str
    kind: str  # "chat" (channel/group post) | "dm" (a subscriber) | "post" (X)


def load_notice(path: Path) -> Notice:
    """Read and validate a notice file; raises :class:`NoticeError` in one line."""
    try:
        data = tomllib.loads(path.read_bytes().decode("utf-8"))
    except OSError as exc:
        raise NoticeError(f"{path}: cannot read the file ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        raise NoticeError(f"{path}: not UTF-8 text (byte {exc.start})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise NoticeError(f"{path}: not valid TOML: {exc}") from exc
    return parse_notice(data, label=str(path))


def parse_notice(data: dict[str, Any], label: str = "notice") -> Notice:
    """Validate a notice given as data (the REST API's JSON body)."""
    try:
        return Notice.model_validate(data)
    except ValidationError as exc:
        raise NoticeError(f"{label}: {_first_error(exc)}") from exc


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    key = ".".join(str(p) for p in error["loc"])
    if error["type"] == "extra_forbidden":
        return f"{key}: unknown {'target' if key.startswith('targets.') else 'field'}"
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{key}: {message}" if key else message  # a whole-notice check names its field


def check_notice(
    notice: Notice,
    *,
    channels: set[str],
    languages: tuple[str, ...],
    now: datetime,
    render: Any,
) -> list[str]:
    """Check ``notice`` against the bot; returns warnings, raises :class:`NoticeError`.

    ``render(text, language)`` gives the text as sent (with the notice's footer), so
    lengths are measured on what the platform will receive.
    """
    if notice.send_at is not None and notice.send_at <= now:
        raise NoticeError(f"send_at: {notice.send_at.isoformat()} is in the past")
    targets = notice.targets
    for name in ("telegram", "discord"):
        chats: list[ChatTarget] = getattr(targets, name)
        if chats and name not in channels:
            raise NoticeError(f"targets.{name}: the {name} channel is not enabled on this bot")
        pattern = _TELEGRAM_CHAT if name == "telegram" else _SNOWFLAKE
        for index, target in enumerate(chats):
            if not pattern.match(target.chat):
                raise NoticeError(f"targets.{name}.{index}.chat: {target.chat!r} is not a chat id")
            if target.language not in UI_LANGUAGES:
                raise NoticeError(
                    f"targets.{name}.{index}.language: unknown language {target.language!r}"
                )
    if targets.x and "x" not in channels:
        raise NoticeError("targets.x: the X channel is not enabled on this bot")
    if targets.subscribers is not None:
        for index, channel in enumerate(targets.subscribers.channels):
            if channel not in channels:
                raise NoticeError(
                    f"targets.subscribers.channels.{index}: {channel!r} is not an enabled channel"
                )
        for index, code in enumerate(targets.subscribers.languages):
            if code not in languages:
                raise NoticeError(
                    f"targets.subscribers.languages.{index}: {code!r} is not one of the "
                    f"bot's languages ({', '.join(languages)})"
                )
    if not (targets.telegram or targets.discord or targets.x or targets.subscribers):
        raise NoticeError("targets: the notice has nowhere to go")
    return _check_lengths(notice, channels, languages, render)


def _check_lengths(
    notice: Notice, channels: set[str], languages: tuple[str, ...], render: Any
) -> list[str]:
    warnings: list[str] = []
    kinds: list[tuple[str, str, str]] = []  # (channel, kind, language)
    for name in ("telegram", "discord"):
        kinds += [(name, "chat", t.language) for t in getattr(notice.targets, name)]
    if notice.targets.x:
        kinds.append(("x", "post", FALLBACK))
    if notice.targets.subscribers is not None:
        wanted = notice.targets.subscribers
        for channel in wanted.channels or sorted(channels):
            kinds += [(channel, "dm", code) for code in wanted.languages or languages]
    missing = sorted({code for _, _, code in kinds if code not in notice.text})
    if missing:
        warnings.append(f"no text in {', '.join(missing)}: those recipients get the English text")
    for channel, kind, code in sorted(set(kinds)):
        language = code if code in notice.text else FALLBACK
        caps = capabilities(channel, kind)
        size = caps.measure(render(notice.text_for(language), language))
        if size <= caps.max_length or kind == "post":
            continue  # an X post over 280 becomes a thread in the X adapter
        if (channel, kind) not in SPLITTABLE:
            unit = "UTF-16 units" if caps.length_unit == "utf16" else "characters"
            raise NoticeError(
                f"text.{language}: {size} {unit} with the footer, over "
                f"{PLATFORM_NAMES[channel]}'s limit of {caps.max_length} for a channel post"
            )
        warnings.append(
            f"text.{language}: longer than {PLATFORM_NAMES[channel]}'s {caps.max_length}; "
            f"sent as several messages ({kind})"
        )
    return warnings


def capabilities(channel: str, kind: str) -> Capabilities:
    """The length rules for a notice sent to ``channel`` as a ``kind`` (chat, dm, post)."""
    if kind == "dm" and channel in DM_CAPABILITIES:
        return DM_CAPABILITIES[channel]
    return PLATFORM_CAPABILITIES[channel]
