"""Discord, through discord.py.

The adapter is imported on first use: configuration reads only the settings, and a
command that never starts Discord (``ask``, ``kb``, ``check-config``) should not pay
for loading discord.py.
"""

from typing import Any

from channels.discord.settings import DiscordSettings

__all__ = ["DiscordAdapter", "DiscordSettings"]


def __getattr__(name: str) -> Any:
    if name == "DiscordAdapter":
        from channels.discord.adapter import DiscordAdapter

        return DiscordAdapter
    raise AttributeError(name)
