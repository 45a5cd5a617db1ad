"""The Discord adapter on the fake, for tests that drive it directly."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from channels.base import MemberEvent, Message
from channels.discord import DiscordAdapter, DiscordSettings
from tests.fakes.discord import GUILD, FakeDiscord

TOKEN = "discord-test-token"


async def ignore(_event: Message | MemberEvent) -> None:
    """What the adapter hears is not what these tests look at."""


@pytest.fixture
async def adapter(dc: FakeDiscord) -> AsyncIterator[DiscordAdapter]:
    settings = DiscordSettings(
        enabled=True, guild_ids=[int(GUILD)], request_timeout=0.5, **dc.settings
    )
    started = DiscordAdapter(settings, TOKEN)
    await started.start(ignore)
    yield started
    await started.stop()
