"""The fake Discord every Discord test talks to, with the bot's token in the environment."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.fakes.discord import FakeDiscord


@pytest.fixture
async def dc(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    monkeypatch.setenv("SOCIALDESK_DISCORD_TOKEN", "discord-test-token")
    async with FakeDiscord() as fake:
        yield fake
