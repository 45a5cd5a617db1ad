"""A reply's buttons and the message it answers, as python-telegram-bot markup."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, ReplyParameters

from channels.base import Reply


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    """A reply's buttons as an inline keyboard (callback data cut to Telegram's 64)."""
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(b.label, url=b.url)
                if b.url
                else InlineKeyboardButton(b.label, callback_data=(b.data or b.label)[:64])
                for b in row
            ]
            for row in reply.buttons
        ]
    )


def reply_parameters(message_id: str | None) -> ReplyParameters | None:
    """What a reply answers; sent even when that message is gone (``None``: nothing)."""
    if not message_id or not message_id.split(":")[0].isdigit():
        return None
    return ReplyParameters(int(message_id.split(":")[0]), allow_sending_without_reply=True)
