"""The hot-path statements, built once with bound parameters.

SQLAlchemy caches the compiled form of a statement by its structure; building each
statement once here (values passed at execution) keeps every message to a handful of
cached statements. ``INSERT ... ON CONFLICT`` is avoided on purpose: its SQLite form is
recompiled on every execution, which costs more than a duplicate check.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, bindparam, delete, exists, func, insert, select, update

from storage.models import (
    Conversation,
    Identity,
    Incident,
    MessageRecord,
    OutboxItem,
    Subscription,
    Ticket,
    table_of,
)

IDENT = table_of(Identity)
CONV = table_of(Conversation)
MSG = table_of(MessageRecord)
OUT = table_of(OutboxItem)
TICKET = table_of(Ticket)
SUB = table_of(Subscription)
INCIDENT = table_of(Incident)

# whether the stages that read for each message have anything to find: a ticket of the
# conversation resolved (reopening), one whose rating comment was asked for and not
# given (the comment), an open incident (its text); each looks only when there is
_DONE = TICKET.alias("done")


def _lookups(conversation_id: Any) -> tuple[Any, ...]:
    resolved = and_(_DONE.c.conversation_id == conversation_id, _DONE.c.status == "resolved")
    asked = and_(_DONE.c.rating_comment_asked_at.is_not(None), _DONE.c.rating_comment.is_(None))
    return (
        exists().where(resolved),
        exists().where(resolved, asked),
        exists().where(INCIDENT.c.status == "open"),
    )


LOOKUPS = select(*_lookups(bindparam("conversation_id")))
# identity and, when it exists, its conversation in this chat, with its lookups
IDENTITY_AND_CONVERSATION = (
    select(
        IDENT.c.id,
        IDENT.c.language,
        IDENT.c.display_name,
        CONV.c.id,
        TICKET.c.id,
        CONV.c.language,
        *_lookups(CONV.c.id),
    )
    .select_from(
        IDENT.outerjoin(
            CONV,
            and_(
                CONV.c.identity_id == IDENT.c.id,
                CONV.c.channel == bindparam("channel"),
                CONV.c.chat_id == bindparam("chat_id"),
            ),
        ).outerjoin(
            TICKET, and_(TICKET.c.conversation_id == CONV.c.id, TICKET.c.status != "resolved")
        )
    )
    .where(IDENT.c.channel == bindparam("channel"), IDENT.c.platform_user_id == bindparam("sender"))
)
INSERT_IDENTITY = insert(IDENT).returning(IDENT.c.id)
RENAME_IDENTITY = (
    update(IDENT)
    .where(IDENT.c.id == bindparam("identity_id"))
    .values(display_name=bindparam("display_name"), username=bindparam("username"))
)
INSERT_CONVERSATION = insert(CONV).returning(CONV.c.id)
MESSAGE_BY_PLATFORM_ID = select(MSG.c.id, MSG.c.processed_at).where(
    MSG.c.channel == bindparam("channel"),
    MSG.c.chat_id == bindparam("chat_id"),
    MSG.c.platform_message_id == bindparam("platform_message_id"),
)
INSERT_MESSAGE = insert(MSG).returning(MSG.c.id)
INSERT_TRANSCRIPT = insert(MSG)
MARK_HANDLED = (
    update(MSG)
    .where(MSG.c.id == bindparam("message_id"), MSG.c.processed_at.is_(None))
    .values(
        processed_at=bindparam("now"), intent=bindparam("intent"), language=bindparam("language")
    )
)
TOUCH_CONVERSATION = (
    update(CONV)
    .where(CONV.c.id == bindparam("conversation_id"))
    .values(language=bindparam("language"), last_message_at=bindparam("now"))
)
INSERT_OUTBOX = insert(OUT)

_EARLIER = OUT.alias("earlier")
_BLOCKED = exists().where(
    _EARLIER.c.channel == OUT.c.channel,
    _EARLIER.c.chat_id == OUT.c.chat_id,
    _EARLIER.c.id < OUT.c.id,
    _EARLIER.c.status.in_(("pending", "sending")),
)
CLAIMABLE = (
    select(
        OUT.c.id,
        OUT.c.channel,
        OUT.c.chat_id,
        OUT.c.action,
        OUT.c.conversation_id,
        OUT.c.attempts,
        OUT.c.sender,
    )
    .where(
        OUT.c.status == "pending",
        # wrapped so the planner walks ix_outbox_claim in (priority, id) order and stops
        # at the limit, instead of sorting every due row: with a broadcast's 10,000 rows
        # pending, that sort made each claim cost ~14 ms, now well under 1 ms
        func.coalesce(OUT.c.next_attempt_at, OUT.c.next_attempt_at) <= bindparam("now"),
        OUT.c.channel.in_(bindparam("channels", expanding=True)),
        ~_BLOCKED,
    )
    .order_by(OUT.c.priority, OUT.c.id)
    .limit(bindparam("limit"))
    .with_for_update(skip_locked=True, of=OUT)
)
# the claim: each row leased to its sender (storage.outbox_leases) in the same statement
MARK_SENDING = (
    update(OUT)
    .where(OUT.c.id.in_(bindparam("ids", expanding=True)))
    .values(
        status="sending",
        attempts=OUT.c.attempts + 1,
        claimed_by=bindparam("owner"),
        lease_until=bindparam("until"),
    )
)
# the sender's channels only: a row of a channel this sender does not serve is neither
# its work nor a reason to look again (it would otherwise poll every 10 ms once it is due)
NEXT_DUE = select(func.min(OUT.c.next_attempt_at)).where(
    OUT.c.status == "pending", OUT.c.channel.in_(bindparam("channels", expanding=True))
)
# only the claim that made the outcome settles it: a sender that lost its lease and
# was overtaken by another's claim changes nothing (storage.outbox_leases.still_held)
SETTLE = (
    update(OUT)
    .where(
        OUT.c.id == bindparam("item_id"),
        OUT.c.claimed_by == bindparam("claim_owner"),
        OUT.c.attempts == bindparam("claim_attempts"),
    )
    .values(
        status=bindparam("status"),
        lease_until=None,
        last_error=bindparam("error"),
        platform_message_id=bindparam("platform_message_id"),
        delivered_at=bindparam("delivered_at"),
        next_attempt_at=func.coalesce(bindparam("next_attempt_at"), OUT.c.next_attempt_at),
        attempts=OUT.c.attempts - bindparam("refund"),
    )
)

OPEN_TICKET = select(TICKET.c.id).where(
    TICKET.c.conversation_id == bindparam("conversation_id"), TICKET.c.status != "resolved"
)

# a user who blocked the bot stops being a subscriber (the platform said "forbidden")
UNSUBSCRIBE_CHAT = delete(SUB).where(
    SUB.c.channel == bindparam("channel"), SUB.c.chat_id == bindparam("chat_id")
)

# an agent's answer counts as the ticket's first response when it is delivered, not
# when it is queued: the conversation's newest ticket is the one it answered
_NEWEST_TICKET = (
    select(func.max(TICKET.c.id))
    .where(TICKET.c.conversation_id == bindparam("answered_conversation"))
    .scalar_subquery()
)
FIRST_RESPONSE = (
    update(TICKET)
    .where(TICKET.c.id == _NEWEST_TICKET, TICKET.c.first_response_at.is_(None))
    .values(first_response_at=bindparam("answered_at"))
)
# an agent's answer that failed for good: the ticket waits for an agent again, not for
# the user, so it is back in the queue and under its SLA
ANSWER_LOST = (
    update(TICKET)
    .where(TICKET.c.id == _NEWEST_TICKET, TICKET.c.status == "pending")
    .values(status="open")
)
