"""The inbox's record: each inbound message once, with its sender and conversation.

Recording is idempotent on (channel, chat, platform message id): a redelivered update
finds its row, and whether it was handled already, so it is answered once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection

from storage import statements as sql

_UNKNOWN: Any = object()


@dataclass(frozen=True, slots=True)
class Lookups:
    """Whether the reads some stages make for every message can find anything, asked
    in the transaction that records it (three ``EXISTS`` on the identity's read, a
    statement of their own for a new sender), instead of a read each on the readers'
    threads. ``True`` is "maybe": the stage reads as before; only a ``False``
    lets it skip the read, which would have found nothing. A change made between the
    record and the stage (an agent resolving a ticket) counts as made just after it."""

    resolved_ticket: bool = True  # the conversation has a resolved ticket
    comment_asked: bool = True  # one whose rating comment was asked for, not given yet
    incident_open: bool = True  # an incident is open


MAYBE = Lookups()  # nothing known: every stage reads


@dataclass(frozen=True, slots=True)
class Inbound:
    """Where a recorded inbound message landed."""

    message_id: int
    identity_id: int
    conversation_id: int
    chosen_language: str | None
    already_processed: bool
    open_ticket_id: int | None = None  # the conversation is with people, not the bot
    last_language: str | None = None  # of the bot's last reply in this conversation
    lookups: Lookups = MAYBE  # what the stages' reads can find


def record_inbound(conn: Connection, env: dict[str, Any], text: str, now: datetime) -> Inbound:
    """Record an inbound message once (see ``Store.record_inbound``)."""
    channel, chat_id, sender = env["channel"], env["chat_id"], env["sender_id"]
    key = {"channel": channel, "chat_id": chat_id}
    existing = conn.execute(
        sql.MESSAGE_BY_PLATFORM_ID, {**key, "platform_message_id": env["platform_message_id"]}
    ).first()
    row = conn.execute(sql.IDENTITY_AND_CONVERSATION, {**key, "sender": sender}).first()
    display_name = env.get("display_name") or ""
    if row is None:
        identity_id = conn.execute(
            sql.INSERT_IDENTITY,
            {
                "channel": channel,
                "platform_user_id": sender,
                "username": env.get("username"),
                "display_name": display_name,
                "created_at": now,
            },
        ).scalar_one()
        language, conversation_id, ticket, last = None, None, None, None
        lookups = None
    else:
        identity_id, language, known_name, conversation_id, ticket, last, *seen = row
        lookups = Lookups(*(bool(f) for f in seen))
        if conversation_id is None:
            ticket = _UNKNOWN
        if display_name and display_name != known_name:
            conn.execute(
                sql.RENAME_IDENTITY,
                {
                    "identity_id": identity_id,
                    "display_name": display_name,
                    "username": env.get("username"),
                },
            )
    if conversation_id is None:
        conversation_id = conn.execute(
            sql.INSERT_CONVERSATION,
            {
                **key,
                "chat_kind": env["chat_kind"],
                "identity_id": identity_id,
                "created_at": now,
                "last_message_at": now,
            },
        ).scalar_one()
    if ticket is _UNKNOWN:
        ticket = conn.execute(sql.OPEN_TICKET, {"conversation_id": conversation_id}).scalar()
    if lookups is None:  # a new sender: nothing of theirs to find, but an incident
        found = conn.execute(sql.LOOKUPS, {"conversation_id": conversation_id}).one()
        lookups = Lookups(*(bool(f) for f in found))
    if existing is not None:
        return Inbound(
            existing[0],
            identity_id,
            conversation_id,
            language,
            existing[1] is not None,
            ticket,
            last,
            lookups,
        )
    message_id = conn.execute(
        sql.INSERT_MESSAGE,
        {
            **key,
            "conversation_id": conversation_id,
            "direction": "in",
            "platform_message_id": env["platform_message_id"],
            "sender_id": sender,
            "text": text,
            "envelope": env,
            "created_at": now,
            "intent": None,
            "language": None,
            "processed_at": None,
        },
    ).scalar_one()
    return Inbound(message_id, identity_id, conversation_id, language, False, ticket, last, lookups)
