"""How an answer becomes public posts and DMs on X: numbered threads, DM links."""

from __future__ import annotations

from urllib.parse import urlencode

from channels.base import Capabilities, split_text, weighted_length

POST_LIMIT = 280  # weighted characters (see channels.base.weighted_length)
DM_LIMIT = 10_000
_NUMBER_ROOM = len(" (99/99)")
_PARTS = Capabilities(max_length=POST_LIMIT - _NUMBER_ROOM, length_unit="weighted")


def thread_parts(text: str) -> list[str]:
    """``text`` as one post, or as a thread whose posts end in `` (i/n)`` so readers
    know there is more; every post fits X's limit."""
    if weighted_length(text) <= POST_LIMIT:
        return [text]
    parts = split_text(text, _PARTS)
    return [f"{part} ({i}/{len(parts)})" for i, part in enumerate(parts, start=1)]


def dm_link(account_id: str, text: str = "") -> str:
    """A link that opens a DM to the account, with ``text`` typed in for the user.

    Only a command (``/ticket``) is carried: the rest of a topic is the user's own words,
    which must not be repeated in a public post.
    """
    query = {"recipient_id": account_id}
    command = text.split(maxsplit=1)[0] if text.startswith("/") else ""
    if command:
        query["text"] = command
    return "https://twitter.com/messages/compose?" + urlencode(query)
