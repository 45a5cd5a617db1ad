""" "Is this announcement real?": a user quotes a notice id or pastes the text.

Every broadcast ends with its short id (``N-XXXXXX``) and how to check it. A message
that carries such an id, or ``/notice`` with an id or a text, gets a yes or no:
real (the id was sent by us and any quoted text matches), altered (a real id under a
different text: what a scammer copying our footer would produce), or unknown.
"""

from __future__ import annotations

import re

from channels.base import Message, Reply
from handlers.commands import parse_command
from handlers.context import PASS, Context, Handled, Pass
from storage.broadcasts import BroadcastStore

_ID = re.compile(r"\bN-([2-9A-HJ-NP-Z]{6})\b", re.IGNORECASE)
MIN_QUOTE = 40  # characters of text beside the id that make it a quoted notice
_SPACE = re.compile(r"\s+")


def _norm(text: str) -> str:
    return _SPACE.sub(" ", text.casefold()).strip()


class NoticeCheckStage:
    """Answers whether a notice is ours; passes on messages that carry no notice id."""

    def __repr__(self) -> str:
        return "NoticeCheckStage(/notice, N-XXXXXX)"

    async def handle(self, message: Message, ctx: Context) -> Handled | Pass:
        parsed = parse_command(message.text)
        explicit = parsed is not None and parsed[0] == "notice"
        payload = parsed[1] if explicit and parsed is not None else message.text
        match = _ID.search(payload)
        if not explicit and match is None:
            return PASS
        if ctx.store is None:
            return PASS  # ``ask`` has no broadcasts to compare with
        store = BroadcastStore(ctx.store)
        if match is not None:
            text = await self._by_id(store, "N-" + match.group(1).upper(), payload, ctx)
        elif payload.strip():
            text = await self._by_text(store, payload, ctx)
        else:
            text = ctx.t("broadcasts.how")
        reply = Reply(
            chat_id=message.chat_id,
            text=text,
            thread_id=message.thread_id,
            reply_to=message.platform_message_id if message.chat_kind.is_public else None,
        )
        return Handled(intent="notice_check", actions=[reply])

    async def _by_id(self, store: BroadcastStore, short_id: str, payload: str, ctx: Context) -> str:
        record = await store.get(short_id)
        brand = ctx.brand.name
        if record is None or record.started_at is None:
            return ctx.t("broadcasts.unknown", id=short_id, brand=brand)
        values = {
            "id": short_id,
            "title": record.title,
            "brand": brand,
            "date": record.started_at.date().isoformat(),
        }
        quoted = _norm(_ID.sub(" ", payload))
        for language in ctx.texts.languages:
            footer = ctx.texts.get("broadcasts.footer", language, id=short_id)
            quoted = quoted.replace(_norm(_ID.sub(" ", footer)), " ")
        quoted = _norm(quoted)
        if len(quoted) >= MIN_QUOTE and not any(
            _norm(text) in quoted for text in record.texts().values()
        ):
            return ctx.t("broadcasts.altered", **values)
        return ctx.t("broadcasts.real", **values)

    async def _by_text(self, store: BroadcastStore, payload: str, ctx: Context) -> str:
        quoted = _norm(payload)
        for record in await store.sent():
            if record.started_at is None:
                continue
            for text in record.texts().values():
                body = _norm(text)
                if body in quoted or (len(quoted) >= MIN_QUOTE and quoted in body):
                    return ctx.t(
                        "broadcasts.matched",
                        id=record.short_id,
                        title=record.title,
                        date=record.started_at.date().isoformat(),
                    )
        return ctx.t("broadcasts.not_matched", brand=ctx.brand.name)
