"""``/link``: one customer across platforms.

``/link`` in a private chat answers with a one-time code; ``/link CODE`` sent from the
person's account on another platform joins the two, so agents see one customer with all
their conversations. Only in private: a code said in public could be used by anyone
who reads it first.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import TYPE_CHECKING

from channels.base import InvitePrivate, Message, Reply
from handlers.context import PASS, Context, Handled, Pass
from handlers.requests import Step
from storage.links import LinkStore, code_hash

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

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
    identity, now = ctx.identity_id, ctx.now
    if not payload:
        code = new_code()
        expires = now + timedelta(minutes=CODE_MINUTES)
        hashed = code_hash(code)
        ctx.defer(lambda conn: LinkStore._issue(conn, identity, hashed, now, expires))
        text = ctx.t("link.code", code=code, minutes=CODE_MINUTES)
        return Handled(intent="link_code", actions=[_reply(message, text)])
    entered = code_hash(payload.split()[0])

    def redeem(conn: Connection) -> list[Step]:
        done = LinkStore._redeem(conn, entered, identity, now)
        if done.outcome == "linked":
            text = ctx.t("link.done", channels=", ".join(done.channels))
        else:
            text = ctx.t(f"link.{done.outcome}")
        return [_reply(message, text)]

    ctx.defer_telling(redeem)  # linked, or why not: as the redeeming update finds
    return Handled(intent="link")


def _reply(message: Message, text: str) -> Reply:
    return Reply(chat_id=message.chat_id, text=text, thread_id=message.thread_id)
