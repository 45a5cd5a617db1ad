"""Configuration: one TOML file, validated before anything starts.

Every key is checked (unknown keys, wrong types, a channel enabled without its secret)
and a problem is reported in one line naming the key, so ``socialdesk check-config``
and ``socialdesk run`` fail fast with exit code 2. Secrets never live in the file: it
names the environment variables that hold them (Redis's password too:
``[redis] password_env``). A password written into a URL anyway is never echoed, and
masked in logs and in ``check-config``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any, Literal, Self, cast
from urllib.parse import SplitResult, parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

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
from channels.registry import ChannelSpec
from handlers.answers.settings import KnowledgeSettings
from handlers.attachments.settings import AttachmentSettings
from handlers.broadcasts.settings import BroadcastSettings
from handlers.context import Brand
from handlers.incidents.settings import IncidentSettings
from handlers.language import UI_LANGUAGES
from handlers.scam.settings import GuardSettings
from handlers.toml_file import TomlFileError, read_toml
from scheduler.sla import SlaSettings


class ConfigError(Exception):
    """A configuration problem, worded for the person who edits the file."""


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BotSettings(Section):
    brand: str = "Example Exchange"
    official_domains: list[str] = Field(default_factory=lambda: ["example.com"])
    official_handles: list[str] = Field(default_factory=lambda: ["@example", "@example_support"])
    languages: list[str] = Field(default_factory=lambda: list(UI_LANGUAGES))
    default_language: str = "en"

    @field_validator("languages")
    @classmethod
    def _known_languages(cls, value: list[str]) -> list[str]:
        unknown = [v for v in value if v not in UI_LANGUAGES]
        if unknown:
            raise ValueError(f"unknown language {unknown[0]!r}; known: {', '.join(UI_LANGUAGES)}")
        if not value:
            raise ValueError("at least one language is needed")
        return value

    @model_validator(mode="after")
    def _default_is_offered(self) -> BotSettings:
        if self.default_language not in self.languages:
            raise ValueError(f"default_language {self.default_language!r} is not in bot.languages")
        return self

    def brand_profile(self) -> Brand:
        return Brand(
            name=self.brand,
            official_domains=tuple(d.lower() for d in self.official_domains),
            official_handles=tuple(self.official_handles),
            languages=tuple(self.languages),
            default_language=self.default_language,
        )


class DatabaseSettings(Section):
    url: str = "sqlite:///var/socialdesk.db"


class ServerSettings(Section):
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)


class MetricsSettings(Section):
    enabled: bool = True
    # set: /metrics needs this bearer token; unset: only callers on this machine
    token_env: str = "SOCIALDESK_METRICS_TOKEN"

    def required_env(self) -> list[tuple[str, str]]:
        return []  # the token is optional: without it /metrics is local-only


class LoggingSettings(Section):
    format: Literal["console", "json"] = "console"


class RedisSettings(Section):
    """The Redis that several processes of one bot share (rate limits, flood counters).

    Unset ``url``: one process, which keeps all of that in its own memory. The URL may
    hold a password, so it is never shown whole: not in a configuration error, not in
    this model's repr, not in a log line (:meth:`masked_url` is what may be shown).
    """

    url: str | None = None
    prefix: str = "socialdesk"
    # the password, if Redis wants one, from this environment variable (never the file)
    password_env: str = "SOCIALDESK_REDIS_PASSWORD"

    def required_env(self) -> list[tuple[str, str]]:
        return []  # optional: a Redis on a private network may have no password

    def connection_url(self, environ: Mapping[str, str]) -> str | None:
        """``url`` with the password from ``password_env`` put in, when that is set:
        what the clients connect with, held in memory only."""
        password = environ.get(self.password_env)
        if self.url is None or not password:
            return self.url
        parts = urlsplit(self.url)
        if parts.scheme == "unix":  # (urlunsplit would drop its empty host's "//")
            joiner = "&" if parts.query else "?"
            return f"{self.url.split('#')[0]}{joiner}password={quote(password, safe='')}"
        user = quote(parts.username, safe="") if parts.username else ""
        host = parts.hostname or ""
        if ":" in host:
            host = f"[{host}]"  # an IPv6 address
        port = f":{parts.port}" if parts.port else ""
        netloc = f"{user}:{quote(password, safe='')}@{host}{port}"
        return urlunsplit(parts._replace(netloc=netloc))

    @field_validator("url")
    @classmethod
    def _redis_url(cls, value: str | None) -> str | None:
        if value is not None:
            problem = _redis_url_problem(value)
            if problem:
                raise ValueError(problem)
        return value

    @field_validator("prefix")
    @classmethod
    def _key_prefix(cls, value: str) -> str:
        if not value or any(c.isspace() for c in value):
            raise ValueError("must be a non-empty word without spaces")
        return value

    def masked_url(self) -> str | None:
        """The URL with its password (``user:PASSWORD@`` or ``?password=``) replaced
        by ``***``: what logs and output may show."""
        if self.url is None:
            return None
        if not self.secrets():
            return self.url
        parts = urlsplit(self.url)
        if parts.password is not None:
            host = parts.netloc.rpartition("@")[2]
            parts = parts._replace(netloc=f"{parts.username or ''}:***@{host}")
        query = [(k, "***" if k == "password" else v) for k, v in parse_qsl(parts.query)]
        return parts._replace(query=urlencode(query, safe="*")).geturl()

    def secrets(self) -> list[str]:
        """The password inside the URL, as written and decoded (for the log mask)."""
        if self.url is None:
            return []
        parts = urlsplit(self.url)
        found = [v for k, v in parse_qsl(parts.query) if k == "password"]
        if parts.password:
            found += [parts.password, unquote(parts.password)]
        return [v for v in found if v]

    def __repr_args__(self) -> Any:
        return [("url", self.masked_url()), ("prefix", self.prefix)]


def _redis_url_problem(url: str) -> str | None:
    """What is wrong with a Redis URL, worded without repeating it (it may hold a
    password); ``None`` when redis-py can connect with it."""
    try:
        parts: SplitResult = urlsplit(url)
        port = parts.port
    except ValueError:
        return "the port is not a number from 1 to 65535"
    if parts.scheme not in ("redis", "rediss", "unix"):
        return "must be a redis://, rediss:// or unix:// URL"
    if parts.scheme == "unix":
        return None if parts.path else "a unix:// URL needs the socket's path"
    if not parts.hostname:
        return "needs a host (redis://host:6379/0)"
    if port == 0:
        return "the port is not a number from 1 to 65535"
    database = parts.path.strip("/")
    if database and not database.isdigit():
        return "the path must be the database number (redis://host:6379/0)"
    return None


class OutboxSettings(Section):
    concurrency: int = Field(default=32, ge=1, le=1000)
    max_attempts: int = Field(default=8, ge=1, le=100)
    # how long a claimed row stays this process's without a renewal (renewed every third)
    lease_seconds: float = Field(default=30.0, ge=3.0, le=3600.0)
    # how long a send whose answer was lost (it may have been delivered) waits to retry
    unanswered_retry_delay: float = Field(default=5.0, ge=0.0, le=3600.0)


class Config(Section):
    """The whole file. Each registered channel adds its own section (``[telegram]``,
    ``[webchat]``, ...) with its own settings model: :func:`config_model` builds the
    class that validates a file, so this one names no platform."""

    bot: BotSettings = Field(default_factory=BotSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    redis: RedisSettings = Field(default_factory=RedisSettings)
    server: ServerSettings = Field(default_factory=ServerSettings)
    outbox: OutboxSettings = Field(default_factory=OutboxSettings)
    knowledge: KnowledgeSettings = Field(default_factory=KnowledgeSettings)
    tickets: SlaSettings = Field(default_factory=SlaSettings)
    guard: GuardSettings = Field(default_factory=GuardSettings)
    broadcasts: BroadcastSettings = Field(default_factory=BroadcastSettings)
    attachments: AttachmentSettings = Field(default_factory=AttachmentSettings)
    incidents: IncidentSettings = Field(default_factory=IncidentSettings)
    metrics: MetricsSettings = Field(default_factory=MetricsSettings)
    logging: LoggingSettings = Field(default_factory=LoggingSettings)

    @classmethod
    def model_validate(cls, obj: Any, **options: Any) -> Self:
        """Validating with :class:`Config` itself validates the channels' sections too
        (through :func:`config_model`); a subclass validates as itself."""
        if cls is Config:
            return cast(Self, config_model().model_validate(obj, **options))
        return super().model_validate(obj, **options)

    def channel(self, spec: ChannelSpec) -> Any:
        """The settings of ``spec``'s section (its own model, e.g. ``TelegramSettings``)."""
        return getattr(self, spec.section)

    def enabled_channels(self) -> list[tuple[ChannelSpec, Any]]:
        """(spec, settings) of every enabled channel, in registry order."""
        found = [(spec, self.channel(spec)) for spec in registry.specs()]
        return [(spec, settings) for spec, settings in found if settings.enabled]

    def channel_names(self) -> set[str]:
        """Names of the enabled channels (``web``, ``telegram``, ...)."""
        return {spec.name for spec, _settings in self.enabled_channels()}

    def check_secrets(self, environ: Mapping[str, str]) -> None:
        """Every enabled section that names a secret variable must find it set."""
        for name in type(self).model_fields:
            section = getattr(self, name)
            if not getattr(section, "enabled", False):
                continue
            required = getattr(section, "required_env", None)
            pairs = required() if required else [(k, v) for k, v in section if k.endswith("_env")]
            for key, value in pairs:
                if isinstance(value, str) and not environ.get(value):
                    raise ConfigError(
                        f"{name}.{key}: {name} is enabled but the environment variable "
                        f"{value} is not set"
                    )
            problem = getattr(section, "env_problem", lambda _environ: None)(environ)
            if problem:
                raise ConfigError(f"{name}.{problem}")


def config_model() -> type[Config]:
    """The model that validates a file: :class:`Config` plus one section per channel."""
    return _model(registry.specs())


@cache
def _model(specs: tuple[ChannelSpec, ...]) -> type[Config]:
    sections: dict[str, Any] = {
        spec.section: (spec.settings, Field(default_factory=spec.settings)) for spec in specs
    }
    model: type[Config] = create_model("Config", __base__=Config, **sections)
    return model


def parse_config(data: Mapping[str, Any]) -> Config:
    """Validate configuration given as data; raises pydantic's ``ValidationError``."""
    return config_model().model_validate(data)


def load_config(path: Path | None, environ: Mapping[str, str] | None = None) -> Config:
    """Read and validate ``path`` (``None``: the built-in defaults, which are the values
    ``config.example.toml`` sets, so a command run without a file behaves as the
    example documents).

    Raises :class:`ConfigError` with a one-line message naming the file and key.
    """
    data: dict[str, Any] = {}
    label = "defaults"
    if path is not None:
        label = str(path)
        try:
            data = read_toml(path)
        except TomlFileError as exc:
            raise ConfigError(str(exc)) from None
    try:
        config = parse_config(data)
    except ValidationError as exc:
        raise ConfigError(f"{label}: {_first_error(exc)}") from exc
    try:
        config.check_secrets(os.environ if environ is None else environ)
    except ConfigError as exc:
        raise ConfigError(f"{label}: {exc}") from exc
    return config


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    key = ".".join(str(p) for p in error["loc"])
    if error["type"] == "extra_forbidden":
        return f"{key}: unknown key"
    message = error["msg"]
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    shown = error["type"] != "missing" and not isinstance(error["input"], dict)
    shown = shown and not key.endswith("url")  # a URL may hold a password: never echoed
    return f"{key}: {message}" + (f" (got {error['input']!r})" if shown else "")
