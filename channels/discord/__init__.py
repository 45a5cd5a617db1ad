"""Discord, through discord.py."""

from channels.discord.adapter import DiscordAdapter
from channels.discord.settings import DiscordSettings

__all__ = ["DiscordAdapter", "DiscordSettings"]
