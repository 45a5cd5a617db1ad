"""From a notice to its recipients: one outbox row per message per chat.

Every recipient is an outbox row, so a broadcast shares the one way out with every
other message: the same rate limits, retries and delivery records. The rows carry a
priority below interactive replies, so users who ask something during a large send
are still answered first.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from channels import registry
from channels.base import Button, Reply, action_to_dict
from channels.registry import ACCOUNT_POST
from handlers.broadcasts.notice import Destination, Notice, capabilities, splittable
from handlers.outbox_rows import split_reply
from handlers.texts import Texts
from storage.subscriptions import Subscriber

_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud or retyped safely


def new_short_id() -> str:
    """The id users quote to ask whether a notice is real: ``N-`` and six characters."""
    return "N-" + "".join(secrets.choice(_ALPHABET) for _ in range(6))


def render(notice: Notice, language: str, short_id: str, texts: Texts) -> str:
    """The text as recipients see it: the notice, its image link, the verify footer.

    An image goes as a link on its own line: the chat platforms show it as a preview
    under the text.
    """
    parts = [notice.text_for(language)]
    if notice.image_url:
        parts.append(notice.image_url)
    parts.append(texts.get("broadcasts.footer", language, id=short_id))
    return "\n\n".join(parts)


def destinations(notice: Notice, subscribers: Iterable[Subscriber]) -> list[Destination]:
    """Every chat the notice goes to, each once, in a stable order.

    A broadcast's start passes its subscribers a page at a time; the chats and posts
    the notice names come first in every call, so a subscriber whose chat is also a
    target is still planned once.
    """
    found: dict[tuple[str, str], Destination] = {}
    for spec in registry.specs():
        name = spec.name
        for target in notice.targets.chats(name):
            found.setdefault(
                (name, target.chat), Destination(name, target.chat, target.language, "chat")
            )
        if notice.targets.posts_on(name):
            # one public post on the account; the adapter threads a text over its limit
            found[(name, ACCOUNT_POST)] = Destination(name, ACCOUNT_POST, "en", "post")
    wanted = notice.targets.subscribers
    if wanted is not None:
        for sub in subscribers:
            if wanted.channels and sub.channel not in wanted.channels:
                continue
            if wanted.languages and sub.language not in wanted.languages:
                continue
            key = (sub.channel, sub.chat_id)
            found.setdefault(key, Destination(sub.channel, sub.chat_id, sub.language, "dm"))
    return list(found.values())


@dataclass(frozen=True, slots=True)
class RecipientRow:
    """One message of a broadcast to one chat, ready for the outbox."""

    channel: str
    chat_id: str
    language: str
    part: int
    action: dict[str, Any]


def recipient_rows(
    notice: Notice, short_id: str, places: Iterable[Destination], texts: Texts
) -> list[RecipientRow]:
    """The outbox rows for ``places``; a long text is split where the platform allows
    (as the outbox splits every reply), with the buttons under the last part and the
    pin on the first."""
    buttons = (tuple(Button(label=b.label, url=b.url) for b in notice.buttons),)
    rows: list[RecipientRow] = []
    rendered: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for place in places:
        language = place.language if place.language in notice.text else "en"
        key = (place.channel, place.kind, language)
        if key not in rendered:
            whole = Reply(
                chat_id="",
                text=render(notice, language, short_id, texts),
                buttons=buttons if notice.buttons else (),
                pin=notice.pin and place.kind == "chat",
            )
            may_split = splittable(place.channel, place.kind)
            caps = capabilities(place.channel, place.kind) if may_split else None
            rendered[key] = [action_to_dict(part) for part in split_reply(whole, caps)]
        for index, part in enumerate(rendered[key]):
            action = {**part, "chat_id": place.chat_id}
            rows.append(RecipientRow(place.channel, place.chat_id, place.language, index, action))
    return rows
