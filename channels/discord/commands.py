"""Discord's slash commands, turned into the command text every channel delivers.

``/ticket details`` typed as a slash command reaches the handlers as the text
``/ticket details``, so one command stage serves all channels. Descriptions come from
the bot's texts, in each user's Discord language.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping, Sequence
from typing import Any

import discord
from discord import app_commands

# command -> description, per language code
CommandTexts = dict[str, dict[str, str]]
SLASH_COMMANDS = ("help", "ticket", "lang", "subscribe", "unsubscribe", "verify", "link")
# what a command does when used: the adapter's handler of an interaction and its text
Slash = Callable[[discord.Interaction, str], Coroutine[Any, Any, None]]


def add_commands(
    tree: app_commands.CommandTree[Any],
    guild_ids: Sequence[int],
    english: Mapping[str, str],
    slash: Slash,
) -> None:
    """Register the bot's slash commands on ``tree``, in each of ``guild_ids`` (none:
    globally); each calls ``slash`` with the command text the other channels deliver."""
    guilds = [discord.Object(g) for g in guild_ids]

    def simple(name: str) -> app_commands.Command[Any, Any, None]:
        async def callback(interaction: discord.Interaction) -> None:
            await slash(interaction, f"/{name}")

        return app_commands.Command(
            name=name,
            description=app_commands.locale_str(english.get(name, name), key=name),
            callback=callback,
        )

    @app_commands.describe(details="What it is about")
    async def ticket(interaction: discord.Interaction, details: str | None = None) -> None:
        await slash(interaction, f"/ticket {details or ''}".strip())

    @app_commands.describe(item="A handle, link or address")
    async def verify(interaction: discord.Interaction, item: str) -> None:
        await slash(interaction, f"/verify {item}")

    @app_commands.describe(code="The code /link gave you on another platform")
    async def link(interaction: discord.Interaction, code: str | None = None) -> None:
        await slash(interaction, f"/link {code or ''}".strip())

    with_text: dict[str, Callable[..., Coroutine[Any, Any, None]]] = {
        "ticket": ticket,
        "verify": verify,
        "link": link,
    }
    for name in SLASH_COMMANDS:
        if name in with_text:
            command: app_commands.Command[Any, Any, None] = app_commands.Command(
                name=name,
                description=app_commands.locale_str(english.get(name, name), key=name),
                callback=with_text[name],
            )
        else:
            command = simple(name)
        # no servers named: ``guilds=[]`` registers the command globally
        tree.add_command(command, guilds=guilds)


class CommandTranslator(app_commands.Translator):
    """Slash command descriptions in each user's Discord language, from our texts."""

    def __init__(self, commands: CommandTexts) -> None:
        self._commands = commands

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        key = string.extras.get("key")
        if key is None:
            return None
        language = locale.value.split("-")[0]
        return self._commands.get(language, {}).get(key)
