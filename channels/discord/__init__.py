"""Discord, through discord.py.

The adapter is imported on first use: configuration reads only the settings, and a
command that never starts Discord (``ask``, ``kb``, ``check-config``) should not pay
for loading discord.py.
"""

from typing import Any

from channels.base import Channel
from channels.discord.settings import DiscordSettings
from channels.registry import BuildContext

__all__ = ["DiscordAdapter", "DiscordSettings", "build"]


def __getattr__(name: str) -> Any:
    if name == "DiscordAdapter":
        from channels.discord.adapter import DiscordAdapter

        return DiscordAdapter
    raise AttributeError(name)


def build(settings: DiscordSettings, context: BuildContext) -> Channel:
    """The registry's factory: the adapter with its token and slash commands."""
    from channels.discord.adapter import DiscordAdapter

    return DiscordAdapter(
        settings,
        context.environ[settings.token_env],
        commands={code: dict(menu) for code, menu in context.commands.items()},
    )
