"""A notice file: what a community manager writes, validated before anything is stored.

A notice is a TOML file (format in README, "Broadcasts"). Reading it checks the shape
(pydantic); :func:`check_notice` then checks it against the running bot: enabled
channels, languages, each platform's length limit, the send time. Every problem is one
line naming the field, so ``socialdesk broadcast create`` can exit 2 with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    create_model,
    field_validator,
    model_validator,
)

from channels import registry
from channels.base import Capabilities
from channels.registry import ChannelSpec
from handlers.language import UI_LANGUAGES
from handlers.toml_file import TomlFileError, read_toml

FALLBACK = "en"


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
    """Where a notice goes. Each registered channel adds its own key (see
    :func:`notice_model`): a list of chats where a notice can be posted in a chat given
    by id, ``true``/``false`` where it goes out as one post on the exchange's account."""

    subscribers: SubscriberTarget | None = None

    def chats(self, channel: str) -> list[ChatTarget]:
        """The chats named under ``channel`` (none where it takes no chat targets)."""
        found = getattr(self, channel, None)
        return list(found) if isinstance(found, list) else []

    def posts_on(self, channel: str) -> bool:
        """Whether the notice is posted on ``channel``'s own account."""
        return getattr(self, channel, None) is True

    def anywhere(self) -> bool:
        """Whether the notice names any place at all."""
        channels = registry.specs()
        return self.subscribers is not None or any(
            self.chats(s.name) or self.posts_on(s.name) for s in channels
        )


class Notice(_Part):
    """The validated notice, as stored with its broadcast."""

    title: str = Field(min_length=1, max_length=256)
    text: dict[str, str]
    image_url: str | None = None
    buttons: list[LinkButton] = Field(default_factory=list, max_length=5)
    targets: Targets
    send_at: datetime | None = None
    # pin the notice in the chats it is posted in (where the channel pins); unpin it this
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
        pinnable = registry.specs()
        if self.pin and not any(s.pins and self.targets.chats(s.name) for s in pinnable):
            titles = " and ".join(s.title for s in pinnable if s.pins)
            raise ValueError(f"pin: only {titles} chat targets can be pinned")
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
        data = read_toml(path)
    except TomlFileError as exc:
        raise NoticeError(str(exc)) from None
    return parse_notice(data, label=str(path))


def parse_notice(data: object, label: str = "notice") -> Notice:
    """Validate a notice given as data (a TOML file's tables, the REST API's JSON body,
    a stored notice): anything at all, checked here."""
    try:
        return notice_model().model_validate(data)
    except ValidationError as exc:
        raise NoticeError(f"{label}: {_first_error(exc)}") from exc


def notice_model() -> type[Notice]:
    """The model a notice is validated with: its targets name the registered channels."""
    return _notice_model(registry.specs())


@cache
def _notice_model(specs: tuple[ChannelSpec, ...]) -> type[Notice]:
    keys: dict[str, Any] = {}
    for spec in specs:
        if spec.chat_id is not None:
            keys[spec.name] = (list[ChatTarget], Field(default_factory=list))
        elif spec.account_posts:
            keys[spec.name] = (bool, False)
    targets = create_model("Targets", __base__=Targets, **keys)
    model: type[Notice] = create_model("Notice", __base__=Notice, targets=(targets, ...))
    return model


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
    for spec in registry.specs():
        _check_targets(targets, spec, channels)
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
    if not targets.anywhere():
        raise NoticeError("targets: the notice has nowhere to go")
    return _check_lengths(notice, channels, languages, render)


def _check_targets(targets: Targets, spec: ChannelSpec, channels: set[str]) -> None:
    name = spec.name
    chats = targets.chats(name)
    if chats and name not in channels:
        raise NoticeError(f"targets.{name}: the {name} channel is not enabled on this bot")
    if targets.posts_on(name) and name not in channels:
        raise NoticeError(f"targets.{name}: the {spec.title} channel is not enabled on this bot")
    for index, target in enumerate(chats):
        if spec.chat_id is None or not spec.chat_id.match(target.chat):
            raise NoticeError(f"targets.{name}.{index}.chat: {target.chat!r} is not a chat id")
        if target.language not in UI_LANGUAGES:
            raise NoticeError(
                f"targets.{name}.{index}.language: unknown language {target.language!r}"
            )


def _check_lengths(
    notice: Notice, channels: set[str], languages: tuple[str, ...], render: Any
) -> list[str]:
    warnings: list[str] = []
    kinds: list[tuple[str, str, str]] = []  # (channel, kind, language)
    for spec in registry.specs():
        kinds += [(spec.name, "chat", t.language) for t in notice.targets.chats(spec.name)]
        if notice.targets.posts_on(spec.name):
            kinds.append((spec.name, "post", FALLBACK))
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
        title = registry.spec(channel).title
        if not splittable(channel, kind):
            unit = "UTF-16 units" if caps.length_unit == "utf16" else "characters"
            raise NoticeError(
                f"text.{language}: {size} {unit} with the footer, over "
                f"{title}'s limit of {caps.max_length} for a channel post"
            )
        warnings.append(
            f"text.{language}: longer than {title}'s {caps.max_length}; "
            f"sent as several messages ({kind})"
        )
    return warnings


def capabilities(channel: str, kind: str) -> Capabilities:
    """The length rules for a notice sent to ``channel`` as a ``kind`` (chat, dm, post)."""
    return registry.spec(channel).capabilities_for(kind)


def splittable(channel: str, kind: str) -> bool:
    """Whether a text too long for one message may go to ``channel`` as several (a
    channel post may have to be one message, so a long one is refused instead)."""
    return kind in registry.spec(channel).splittable
