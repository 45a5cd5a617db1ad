"""The ``[x]`` configuration section."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from channels.base import Capabilities
from channels.registry import ChannelSpec, handle_in


class XSettings(BaseModel):
    """X (Twitter) through API v2. Secrets are named here and read from the environment."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = False
    # the bot's own numeric user id; empty: asked of X at start (GET /2/users/me)
    account_id: str = Field(default="", pattern=r"^\d*$")
    api_base: str = "https://api.twitter.com"
    mode: Literal["polling", "webhook"] = "polling"
    dms: bool = True
    mentions: bool = True
    # polls are spaced by what X's rate-limit headers leave, within these bounds
    poll_min_seconds: float = Field(default=20.0, gt=0)
    poll_max_seconds: float = Field(default=300.0, gt=0)
    # seconds one request may take; a poll that hangs longer is tried again, a send
    # that hangs is retried by the outbox
    request_timeout: float = Field(default=30.0, gt=0, le=300)
    # sends (posts and DMs together) the outbox allows per 15 minutes
    max_sends_per_15_minutes: int = Field(default=100, ge=1)
    consumer_key_env: str = "SOCIALDESK_X_CONSUMER_KEY"
    consumer_secret_env: str = "SOCIALDESK_X_CONSUMER_SECRET"
    access_token_env: str = "SOCIALDESK_X_ACCESS_TOKEN"
    access_token_secret_env: str = "SOCIALDESK_X_ACCESS_TOKEN_SECRET"
    # optional: with an app bearer token, mentions are read on the app's own quota
    bearer_token_env: str = "SOCIALDESK_X_BEARER_TOKEN"

    @model_validator(mode="after")
    def _bounds_in_order(self) -> XSettings:
        if self.poll_min_seconds > self.poll_max_seconds:
            raise ValueError("poll_min_seconds must not be more than poll_max_seconds")
        return self

    def required_env(self) -> list[tuple[str, str]]:
        """(key, variable) pairs that must be set when the section is enabled: posting
        and DMs act as the account, which needs OAuth 1.0a user credentials."""
        return [
            ("consumer_key_env", self.consumer_key_env),
            ("consumer_secret_env", self.consumer_secret_env),
            ("access_token_env", self.access_token_env),
            ("access_token_secret_env", self.access_token_secret_env),
        ]


_HOSTS = frozenset({"x.com", "twitter.com", "mobile.twitter.com", "mobile.x.com"})


def account_link(host: str, segments: list[str]) -> str | None:
    """``@name`` for ``x.com/name`` (or the twitter.com address)."""
    if host not in _HOSTS or not segments:
        return None
    return handle_in(segments[0])


SPEC = ChannelSpec(
    name="x",
    section="x",
    title="X",
    settings=XSettings,
    factory="channels.x:build",
    capabilities=Capabilities(max_length=280, length_unit="weighted"),
    dm_capabilities=Capabilities(max_length=10_000),
    account_posts=True,
    account_link=account_link,
)
