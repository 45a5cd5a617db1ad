"""The fake Bot API every Telegram test talks to, with the bot's token in the environment."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.fakes.telegram import FakeTelegram


@pytest.fixture
async def tg(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeTelegram]:
    monkeypatch.setenv("SOCIALDESK_TELEGRAM_TOKEN", "123456:TEST")
    async with FakeTelegram() as fake:
        yield fake
