"""A button press, in the words the user saw: for the transcript and ticket summaries.

The label comes from the bot's own message that carried the button; a press whose
message is gone from the recent outbox is named from its data for the buttons the bot
knows (the intake's choices, the language menu, ratings), and as its data otherwise.
"""

from __future__ import annotations

from channels.base import Message
from handlers.conversation import LANG_CALLBACK, RATE_CALLBACK
from handlers.intake import CATEGORY, INTAKE_CALLBACK, SKIP
from handlers.texts import Texts
from storage.buttons import ButtonStore


async def chosen_words(message: Message, buttons: ButtonStore, texts: Texts, language: str) -> str:
    """What the user chose by pressing ``message.callback``, as words."""
    data = message.callback or ""
    label = await buttons.label(message.channel, message.chat_id, data)
    return label or named(data, texts, language)


def named(data: str, texts: Texts, language: str) -> str:
    """The words for a known button's data; the data itself for another."""
    if data.startswith(INTAKE_CALLBACK):
        step, _, value = data[len(INTAKE_CALLBACK) :].partition(":")
        if value == SKIP:
            return texts.get("intake.skip", language)
        key = f"intake.category.{value}"
        if step == CATEGORY and (texts.has(key, language) or texts.has(key, "en")):
            return texts.get(key, language)
        return value
    if data.startswith(LANG_CALLBACK):
        code = data[len(LANG_CALLBACK) :]
        return texts.get("language.name", code) if texts.has("language.name", code) else code
    if data.startswith(RATE_CALLBACK):
        return "★" * int(data.rsplit(":", 1)[-1]) if data[-1:] in "12345" else data
    return data
