"""Telegram, through python-telegram-bot."""

import os

# Opt in to python-telegram-bot's coming time periods as timedelta (its documented
# switch); the adapter reads them either way, and PTB stops warning on every 429.
os.environ.setdefault("PTB_TIMEDELTA", "1")

from channels.telegram.adapter import TelegramAdapter
from channels.telegram.settings import TelegramSettings

__all__ = ["TelegramAdapter", "TelegramSettings"]
