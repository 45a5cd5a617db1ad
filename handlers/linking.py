"""``/link``: one customer across platforms.

``/link`` in a private chat answers with a one-time code; ``/link CODE`` sent from the
person's account on another platform joins the two, so agents see one customer with all
their conversations. Only in private: a code said in public could be used by anyone
who reads it first.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from channels.base import InvitePrivate, Message, Reply
from handlers.context import PASS, Context, Handled, Pass

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read and typed across apps
CODE_LENGTH = 8
CODE_MINUTES = 10


def new_code() -> str:
    """``K7QP-M3XD``: 8 characters from 31, about 40 bits, alive for 10 minutes."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


async def link(message: Message, payload: str, ctx: Context) -> Handled | Pass:
    """Issue a code (no payload) or redeem one (``payload``)."""
    if message.chat_kind.is_public:
        invite = InvitePrivate(
            chat_id=message.chat_id,
            user_id=message.sender_id,
            text=ctx.t("link.in_private"),
            button_label=ctx.t("tickets.open_private"),
            topic="/link",
            reply_to=message.platform_message_id,
            thread_id=message.thread_id,
        )
        return Handled(intent="link", actions=[invite])
    if ctx.links is None or ctx.identity_id is None:
        return PASS  # ``ask`` has no storage: nothing to link
    if not payload:
        code = new_code()
        expires = ctx.now + timedelta(minutes=CODE_MINUTES)
        await ctx.links.issue(ctx.identity_id, code, ctx.now, expires)
        text = ctx.t("link.code", code=code, minutes=CODE_MINUTES)
        return Handled(intent="link_code", actions=[_reply(message, text)])
    done = await ctx.links.redeem(payload.split()[0], ctx.identity_id, ctx.now)
    if done.outcome == "linked":
        text = ctx.t("link.done", channels=", ".join(done.channels))
    else:
        text = ctx.t(f"link.{done.outcome}")
    return Handled(intent="link", actions=[_reply(message, text)])


def _reply(message: Message, text: str) -> Reply:
    return Reply(chat_id=message.chat_id, text=text, thread_id=message.thread_id)
