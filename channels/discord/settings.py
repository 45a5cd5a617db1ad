"""The ``[discord]`` configuration section."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field

from channels.base import Capabilities
from channels.registry import ChannelSpec


class DiscordSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = False
    token_env: str = "SOCIALDESK_DISCORD_TOKEN"
    # Servers the bot serves: slash commands are registered in each (a server's commands
    # appear at once; global ones take up to an hour), and messages from any other
    # server are ignored, so nobody can show "the official bot" in a server of their own.
    guild_ids: list[int] = Field(default_factory=list)
    staff_channel_id: int | None = None
    announcement_channel_ids: list[int] = Field(default_factory=list)
    api_base: str = "https://discord.com/api/v10"
    gateway_url: str = "wss://gateway.discord.gg/"
    # discord.py waits out 429s itself up to this many seconds; a longer wait goes back
    # to the outbox, which retries the send later without holding a connection
    max_ratelimit_wait: float = Field(default=10.0, gt=0, le=600)
    # seconds one send may take before it is given up and retried by the outbox
    request_timeout: float = Field(default=30.0, gt=0, le=300)
    # After READY, discord.py waits this long after the last server arrived for more
    # before the bot counts as started (discord.py's own default). Each second is a
    # second more before the first answer after every start; too short, and a bot in
    # many servers counts as started before all of them are known. At most 30, so that
    # a start in many servers still fits in the adapter's READY_TIMEOUT (60 s).
    guild_ready_timeout: float = Field(default=2.0, gt=0, le=30)
    # Discord's documented limits, which the outbox keeps to
    max_per_second: float = Field(default=50, gt=0)
    max_per_channel: int = Field(default=5, ge=1)
    channel_period_seconds: float = Field(default=5.0, gt=0)

    @property
    def staff_chat_id(self) -> int | None:
        """Where staff alerts go (the name every channel section shares)."""
        return self.staff_channel_id

    def required_env(self) -> list[tuple[str, str]]:
        """(key, variable) pairs that must be set when the section is enabled."""
        return [("token_env", self.token_env)]


_INVITE = re.compile(r"^[A-Za-z0-9-]{2,64}$")


def account_link(host: str, segments: list[str]) -> str | None:
    """``discord.gg/<code>`` for an invite link (``discord.gg/<code>`` or
    ``discord.com/invite/<code>``)."""
    if host == "discord.gg" and segments:
        code = segments[0]
    elif host in ("discord.com", "discordapp.com") and segments[:1] == ["invite"]:
        code = segments[1] if len(segments) > 1 else ""
    else:
        return None
    return f"discord.gg/{code}" if _INVITE.match(code) else None


SPEC = ChannelSpec(
    name="discord",
    section="discord",
    title="Discord",
    settings=DiscordSettings,
    factory="channels.discord:build",
    capabilities=Capabilities(max_length=2000, buttons=True, pin=True, files=True),
    chat_id=re.compile(r"^\d{1,21}$"),
    pins=True,
    agent_account=re.compile(r"^-?\d{1,21}$"),
    account_help="Discord user id (numeric)",
    account_link=account_link,
)
