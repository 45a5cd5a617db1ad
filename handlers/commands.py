"""Commands every channel understands: ``/start``, ``/help``, ``/lang``.

Platforms deliver commands as text (in a chat, the web chat) or as slash-command
interactions that the adapter turns into the same text, so one stage serves all.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from channels.base import Button, InvitePrivate, Message, Reply
from handlers.context import PASS, Context, Handled, Pass
from handlers.conversation import LANG_CALLBACK
from handlers.guard import is_official
from handlers.linking import link
from handlers.requests import OpenTicket, Step
from handlers.secrets import redact
from handlers.social_links import named_account, same_account
from storage.subscriptions import SubscriptionStore

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

_COMMAND = re.compile(r"^/([a-z_]+)(?:@\w+)?(?:\s+(.*))?$", re.DOTALL | re.IGNORECASE)


def parse_command(text: str) -> tuple[str, str] | None:
    """``"/start@bot payload"`` → ``("start", "payload")``; not a command → ``None``."""
    match = _COMMAND.match(text.strip())
    if match is None:
        return None
    return match.group(1).lower(), (match.group(2) or "").strip()


class CommandStage:
    """Answers the commands; other stages may add more before it in the chain."""

    def __repr__(self) -> str:
        return "CommandStage(start, help, lang, ticket, subscribe, unsubscribe, verify, link)"

    async def handle(self, message: Message, ctx: Context) -> Handled | Pass:
        parsed = parse_command(message.text)
        if parsed is None:
            return PASS
        name, _payload = parsed
        if name in ("start", "help"):
            return Handled(intent="help", actions=[help_reply(message, ctx)])
        if name == "lang":
            return Handled(intent="language_choice", actions=[language_menu(message, ctx)])
        if name == "verify" and _payload:
            account = named_account(_payload)  # a link to an account on a platform
            if account is not None:
                official = any(same_account(account, h) for h in ctx.brand.official_handles)
            else:
                official = is_official(_payload, ctx)
            key = "guard.verify_official" if official else "guard.verify_not_official"
            text = ctx.t(
                key,
                item=redact(_payload[:200])[0],
                handles=", ".join(ctx.brand.official_handles),
                sites=", ".join(ctx.brand.official_domains),
            )
            reply = Reply(
                chat_id=message.chat_id,
                text=text,
                thread_id=message.thread_id,
                reply_to=message.platform_message_id if message.chat_kind.is_public else None,
            )
            return Handled(intent="verify", actions=[reply])
        if name in ("subscribe", "unsubscribe"):
            return await _subscription(name, message, ctx)
        if name == "link":
            return await link(message, _payload, ctx)
        if name == "ticket":
            summary = _payload or ctx.t("tickets.asked_for_person")
            return Handled(
                intent="handoff",
                handoff=True,
                actions=[OpenTicket(category="other", summary=summary)],
            )
        return PASS


async def _subscription(name: str, message: Message, ctx: Context) -> Handled | Pass:
    """Opt in or out of notices; only in private, where a notice can reach one person."""
    if message.chat_kind.is_public:
        invite = InvitePrivate(
            chat_id=message.chat_id,
            user_id=message.sender_id,
            text=ctx.t("subscribe.in_private"),
            button_label=ctx.t("tickets.open_private"),
            topic=f"/{name}",
            reply_to=message.platform_message_id,
            thread_id=message.thread_id,
        )
        return Handled(intent=name, actions=[invite])
    if ctx.subscriptions is None or ctx.identity_id is None:
        return PASS  # ``ask`` has no storage: nothing to change
    identity, channel, chat, language, now = (
        ctx.identity_id,
        message.channel,
        message.chat_id,
        ctx.language,
        ctx.now,
    )

    def change(conn: Connection) -> list[Step]:
        if name == "subscribe":
            new = SubscriptionStore._subscribe(conn, identity, channel, chat, language, now)
            key = "subscribe.done" if new else "subscribe.already"
        else:
            gone = SubscriptionStore._unsubscribe(conn, channel, chat)
            key = "subscribe.stopped" if gone else "subscribe.not_subscribed"
        return [Reply(chat_id=chat, text=ctx.t(key))]

    ctx.defer_telling(change)  # which of the answers: as the change itself finds
    return Handled(intent=name)


def help_reply(message: Message, ctx: Context) -> Reply:
    name = message.display_name or message.username
    if name:
        hello = ctx.t("greeting.hello", name=name, brand=ctx.brand.name)
    else:
        hello = ctx.t("greeting.hello_anonymous", brand=ctx.brand.name)
    text = f"{hello}\n\n{ctx.t('greeting.help', brand=ctx.brand.name)}"
    return Reply(
        chat_id=message.chat_id,
        text=text,
        thread_id=message.thread_id,
        reply_to=message.platform_message_id if message.chat_kind.is_public else None,
    )


def language_menu(message: Message, ctx: Context) -> Reply:
    buttons = [
        Button(label=ctx.texts.get("language.name", code), data=f"{LANG_CALLBACK}{code}")
        for code in ctx.brand.languages
    ]
    rows = tuple(tuple(buttons[i : i + 3]) for i in range(0, len(buttons), 3))
    text = ctx.t("lang.prompt")
    if ctx.capabilities is not None and not ctx.capabilities.buttons:
        # nothing to press: the choices as commands to type
        choices = (
            f"/lang {code} — {b.label}"
            for code, b in zip(ctx.brand.languages, buttons, strict=True)
        )
        text = "\n".join((text, *choices))
    return Reply(
        chat_id=message.chat_id,
        text=text,
        buttons=rows,
        thread_id=message.thread_id,
    )
