"""Users' files into the inbox: fetched, checked, kept, or refused with a note.

The converters only name a file (``Attachment.ref``); fetching it is I/O, done here
through the channel that received it (:class:`Fetcher`), once the message is recorded
and routed. A file is kept only from a private chat (where tickets live; a group's
pictures are not ours to collect), when it is at most ``max_bytes`` and its content is
one of the accepted types. Otherwise nothing of it is kept and the user is told in one
short sentence, in the language of the reply, why.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any, Protocol

from channels.base import Attachment, ChatKind, FetchError, Message, Reply
from handlers.attachments.sniff import ACCEPTED, content_type
from handlers.texts import Texts
from storage.attachments import AttachmentStore, NewFile
from storage.store import Inbound

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

log = logging.getLogger(__name__)


class Fetcher(Protocol):
    """A channel that hands over the files users send it.

    ``fetch_attachment`` returns the bytes of ``attachment`` and must raise
    :class:`channels.base.FetchError` (``too_large``) as soon as it knows they are
    more than ``limit``, without reading further; any other failure is a
    ``FetchError`` too. It must not check the type: that is decided here.
    """

    async def fetch_attachment(self, attachment: Attachment, limit: int) -> bytes: ...


@dataclass
class AttachmentIntake:
    """Keeps the files of inbound messages; built by the composition root."""

    files: AttachmentStore
    texts: Texts
    max_bytes: int
    fetchers: Mapping[str, Fetcher] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"AttachmentIntake(max_bytes={self.max_bytes}, channels={sorted(self.fetchers)})"

    async def keep(
        self,
        message: Message,
        inbound: Inbound,
        decision: Any,
        now: datetime,
        defer: Callable[[Callable[[Connection], object]], None] | None = None,
    ) -> list[Reply]:
        """Keep what ``message`` brought; the notes to send before the decision's
        replies (one per kind of refusal). With ``defer`` the files' rows are written
        in the transaction that enqueues the replies (after the ticket's opening,
        which they join); without it, at once."""
        fetcher = self.fetchers.get(message.channel)
        wanted = [(i, a) for i, a in enumerate(message.attachments) if a.ref]
        if fetcher is None or not wanted or message.chat_kind is not ChatKind.PRIVATE:
            return []
        if decision.intent == "flood" or message.edited:
            return []  # refused as too fast; or a caption edited: its file is kept already
        kept: list[tuple[int, NewFile]] = []
        refusals: dict[str, dict[str, Any]] = {}
        for position, attachment in wanted:
            file, refusal = await self._check(fetcher, attachment)
            if file is not None:
                kept.append((position, file))
            elif refusal is not None:
                refusals.setdefault(refusal, {"limit": _size(self.max_bytes)})
        if kept and defer is not None:
            rows = partial(
                AttachmentStore._keep_inbound,
                message_id=inbound.message_id,
                conversation_id=inbound.conversation_id,
                channel=message.channel,
                chat_id=message.chat_id,
                files=kept,
                now=now,
            )
            defer(rows)
        elif kept:
            await self.files.keep_inbound(
                inbound.message_id,
                inbound.conversation_id,
                message.channel,
                message.chat_id,
                kept,
                now,
            )
        return [
            Reply(
                chat_id=message.chat_id,
                thread_id=message.thread_id,
                text=self.texts.get(f"attachments.{key}", decision.language, **values),
            )
            for key, values in refusals.items()
        ]

    async def _check(
        self, fetcher: Fetcher, attachment: Attachment
    ) -> tuple[NewFile | None, str | None]:
        """The file to keep, or the note's key that says why not."""
        if attachment.size is not None and attachment.size > self.max_bytes:
            return None, "too_large"  # declared: not downloaded at all
        try:
            data = await fetcher.fetch_attachment(attachment, self.max_bytes)
        except FetchError as exc:
            if exc.too_large:
                return None, "too_large"
            log.warning("attachments: could not fetch a %s: %s", attachment.kind, exc)
            return None, "failed"
        if len(data) > self.max_bytes:
            return None, "too_large"
        mime = content_type(data)
        if mime not in ACCEPTED:
            return None, "refused_type"
        name = attachment.name or attachment.kind
        return NewFile(name=name, mime=mime, data=data), None


def _size(count: int) -> str:
    """A limit as people read it: ``10 MB``, ``512 KB``."""
    if count >= 1024 * 1024:
        return f"{count / (1024 * 1024):g} MB"
    return f"{max(count // 1024, 1)} KB"
