"""The ``[telegram]`` configuration section."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from channels.base import Capabilities
from channels.registry import ChannelSpec, handle_in


class TelegramSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = False
    token_env: str = "SOCIALDESK_TELEGRAM_TOKEN"
    mode: Literal["polling", "webhook"] = "polling"
    base_url: str = "https://api.telegram.org/bot"
    poll_timeout: int = Field(default=20, ge=0, le=50)
    # seconds a call to the Bot API may take to connect, and to be answered once sent
    # (a long poll gets poll_timeout more); a send not answered in time is retried
    connect_timeout: float = Field(default=5, gt=0, le=60)
    read_timeout: float = Field(default=10, gt=0, le=120)
    webhook_url: str | None = None
    webhook_secret_env: str = "SOCIALDESK_TELEGRAM_WEBHOOK_SECRET"
    # Telegram's limits, which the outbox keeps to (raise them only if Telegram raised
    # them for this bot, e.g. paid broadcasts)
    max_per_second: float = Field(default=30, gt=0)
    max_per_chat_per_second: float = Field(default=1, gt=0)
    max_per_group_per_minute: float = Field(default=20, gt=0)
    staff_chat_id: int | None = None
    group_ids: list[int] = Field(default_factory=list)
    announcement_channel_id: int | None = None

    @model_validator(mode="after")
    def _webhook_needs_url(self) -> TelegramSettings:
        if self.enabled and self.mode == "webhook" and not self.webhook_url:
            raise ValueError(
                "webhook_url: mode = 'webhook' needs the public URL of /telegram/webhook"
            )
        return self

    def required_env(self) -> list[tuple[str, str]]:
        """(key, variable) pairs that must be set when the section is enabled."""
        needed = [("token_env", self.token_env)]
        if self.mode == "webhook":
            needed.append(("webhook_secret_env", self.webhook_secret_env))
        return needed


_HOSTS = frozenset({"t.me", "telegram.me", "telegram.dog"})


def account_link(host: str, segments: list[str]) -> str | None:
    """``@name`` for ``t.me/name`` (and ``t.me/s/name``, the channel's web preview)."""
    if host not in _HOSTS or not segments:
        return None
    first = segments[1] if segments[0] == "s" and len(segments) > 1 else segments[0]
    return handle_in(first)


SPEC = ChannelSpec(
    name="telegram",
    section="telegram",
    title="Telegram",
    settings=TelegramSettings,
    factory="channels.telegram:build",
    capabilities=Capabilities(
        max_length=4096, length_unit="utf16", buttons=True, pin=True, files=True
    ),
    chat_id=re.compile(r"^(-?\d{1,20}|@[A-Za-z0-9_]{5,32})$"),
    splittable=frozenset({"chat", "dm"}),
    pins=True,
    agent_account=re.compile(r"^-?\d{1,20}$"),
    account_help="Telegram user id (numeric)",
    account_link=account_link,
)
