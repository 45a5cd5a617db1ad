"""Sending a text message and keeping only its id.

``Bot.send_message`` builds a whole ``telegram.Message`` from Telegram's answer (the
chat, the sender, the entities, the markup): on a busy bot a noticeable share of each
reply's time, for one number the outbox records. This sends the same request through
the bot's own request path (``Bot._post``: the library's parameter encoding and its
error mapping, so ``RetryAfter``, ``BadRequest``, ``Forbidden`` and ``ChatMigrated``
are raised exactly as by ``send_message``) and reads the id from the raw answer.
"""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardMarkup, ReplyParameters
from telegram.error import TelegramError


async def send_text(
    bot: Any,
    chat_id: int,
    text: str,
    *,
    reply_markup: InlineKeyboardMarkup | None = None,
    reply_parameters: ReplyParameters | None = None,
    thread_id: int | None = None,
) -> int:
    """``sendMessage`` as ``bot.send_message`` sends it (plain text: no parse mode);
    the new message's id. Raises what ``send_message`` raises (``TelegramError``)."""
    result = await bot._post(  # the library's request path, without Message.de_json
        "sendMessage",
        {
            "chat_id": chat_id,
            "text": text,
            "reply_markup": reply_markup,
            "reply_parameters": reply_parameters,
            "message_thread_id": thread_id,
        },
    )
    try:
        return int(result["message_id"])
    except (KeyError, TypeError, ValueError) as exc:
        raise TelegramError(f"sendMessage answered without a message id: {result!r}") from exc
