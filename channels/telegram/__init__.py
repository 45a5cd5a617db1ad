"""Telegram, through python-telegram-bot.

The adapter is imported on first use: configuration reads only the settings, and a
command that never starts Telegram should not pay for loading python-telegram-bot.
"""

import os
from typing import Any

# Opt in to python-telegram-bot's coming time periods as timedelta (its documented
# switch); the adapter reads them either way, and PTB stops warning on every 429.
os.environ.setdefault("PTB_TIMEDELTA", "1")

from channels.base import Channel
from channels.registry import BuildContext
from channels.telegram.settings import TelegramSettings

__all__ = ["TelegramAdapter", "TelegramSettings", "build"]


def __getattr__(name: str) -> Any:
    if name == "TelegramAdapter":
        from channels.telegram.adapter import TelegramAdapter

        return TelegramAdapter
    raise AttributeError(name)


def build(settings: TelegramSettings, context: BuildContext) -> Channel:
    """The registry's factory: the adapter with its token and command menus."""
    from channels.telegram.adapter import TelegramAdapter

    return TelegramAdapter(
        settings,
        context.environ[settings.token_env],
        webhook_secret=context.environ.get(settings.webhook_secret_env),
        commands={code: dict(menu) for code, menu in context.commands.items()},
    )
