"""The tables. Only this module and the ones it gathers (``storage.incident_models``)
define SQLModel tables (see DESIGN.md); every table is importable from here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.columns import table_of, utc_column
from storage.incident_models import AskedQuestion, Incident, IncidentTicket, IncidentUser, Surge

__all__ = [
    "AskedQuestion",
    "Incident",
    "IncidentTicket",
    "IncidentUser",
    "Surge",
    "table_of",
    "utc_column",
]


class Identity(SQLModel, table=True):
    """One platform account; a person with accounts on two platforms has two rows."""

    __tablename__ = "identities"
    __table_args__ = (UniqueConstraint("channel", "platform_user_id", name="uq_identity_account"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=32)
    platform_user_id: str = Field(max_length=128)
    username: str | None = Field(default=None, max_length=256)
    display_name: str = Field(default="", max_length=256)
    language: str | None = Field(default=None, max_length=8)  # chosen with /lang
    created_at: datetime = utc_column()
    # accounts the person linked with /link share this key (the id of one of them)
    customer_id: int | None = Field(default=None, index=True)


class Conversation(SQLModel, table=True):
    """One user in one chat: the unit that is handled in order."""

    __tablename__ = "conversations"
    __table_args__ = (
        UniqueConstraint("channel", "chat_id", "identity_id", name="uq_conversation"),
    )

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=32)
    chat_id: str = Field(max_length=128)
    chat_kind: str = Field(max_length=16)
    identity_id: int = Field(foreign_key="identities.id", index=True)
    language: str | None = Field(default=None, max_length=8)  # language of the last reply
    created_at: datetime = utc_column()
    last_message_at: datetime = utc_column()


class MessageRecord(SQLModel, table=True):
    """A message in or out. Text is stored with secrets already redacted.

    The unique key on (channel, chat, platform message id) makes a redelivered update
    land on the row it already has, so it is processed once.
    """

    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint(
            "channel", "chat_id", "platform_message_id", name="uq_message_platform_id"
        ),
        Index("ix_messages_unprocessed", "direction", "processed_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversations.id", index=True)
    direction: str = Field(max_length=3)  # "in" | "out"
    channel: str = Field(max_length=32)
    chat_id: str = Field(max_length=128)
    platform_message_id: str | None = Field(default=None, max_length=128)
    sender_id: str = Field(max_length=128)
    text: str = ""
    intent: str | None = Field(default=None, max_length=32)
    language: str | None = Field(default=None, max_length=8)
    # what the router needs to handle the message again after a crash
    envelope: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = utc_column()
    processed_at: datetime | None = Field(default=None)


class OutboxItem(SQLModel, table=True):
    """One pending action: the single way out of the system.

    It is written in the same transaction as the state change that caused it, and the
    sender records every attempt, so a crash loses nothing and sends nothing twice.
    A row being sent is leased to the sender that claimed it (``claimed_by`` until
    ``lease_until``, renewed while that sender lives; ``storage.outbox_leases``).
    """

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "next_attempt_at"),
        Index("ix_outbox_chat", "channel", "chat_id", "status"),
        Index("ix_outbox_claim", "status", "priority", "id"),
        # the rows being sent whose lease ran out, found without reading the others
        Index("ix_outbox_lease", "status", "lease_until"),
        # one row per part per recipient of a broadcast: creating them twice is refused
        UniqueConstraint(
            "broadcast_id", "channel", "chat_id", "broadcast_part", name="uq_outbox_recipient"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=32)
    chat_id: str = Field(max_length=128)
    action: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    conversation_id: int | None = Field(default=None, foreign_key="conversations.id")
    source_message_id: int | None = Field(default=None, foreign_key="messages.id")
    priority: int = 0  # lower goes first: interactive replies before bulk traffic
    sender: str = Field(default="bot", max_length=64)  # who speaks: the bot, or "agent:<name>"
    status: str = Field(default="pending", max_length=12)  # pending|sending|delivered|failed
    attempts: int = 0
    next_attempt_at: datetime = utc_column()
    last_error: str | None = None
    platform_message_id: str | None = Field(default=None, max_length=128)
    created_at: datetime = utc_column()
    delivered_at: datetime | None = None
    # set on a broadcast's rows: whose recipient this is, in which language, which part
    broadcast_id: int | None = Field(default=None, foreign_key="broadcasts.id", index=True)
    broadcast_language: str | None = Field(default=None, max_length=8)
    broadcast_part: int | None = None
    # the sender that last claimed the row (host:pid:random) and, while it is being
    # sent, until when that sender holds it
    claimed_by: str | None = Field(default=None, max_length=128)
    lease_until: datetime | None = None


class Broadcast(SQLModel, table=True):
    """A notice to many chats. Its recipients are outbox rows carrying its id.

    ``status`` moves draft → approved → scheduled/sending → done, or to cancelled; the
    notice itself (texts per language, targets, buttons) is kept as validated JSON so
    what was approved is exactly what is sent.
    """

    __tablename__ = "broadcasts"

    id: int | None = Field(default=None, primary_key=True)
    short_id: str = Field(max_length=16, unique=True)  # what users quote to verify it
    title: str = Field(max_length=256)
    notice: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    status: str = Field(default="draft", max_length=12)
    created_by: str = Field(max_length=128)
    approved_by: str | None = Field(default=None, max_length=128)
    send_at: datetime | None = None
    created_at: datetime = utc_column()
    approved_at: datetime | None = None
    started_at: datetime | None = None
    cancelled_at: datetime | None = None
    recipients: int = 0  # rows created when sending started
    # a knowledge-base reminder ("airdrop:nova:snapshot:1440"): each is sent once
    reminder_key: str | None = Field(default=None, max_length=160, unique=True)


class Ticket(SQLModel, table=True):
    """A conversation handed to people: one open ticket per conversation at a time."""

    __tablename__ = "tickets"
    __table_args__ = (Index("ix_tickets_queue", "status", "priority", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversations.id", index=True)
    channel: str = Field(max_length=32)
    chat_id: str = Field(max_length=128)
    language: str = Field(default="en", max_length=8)
    category: str = Field(default="other", max_length=32)
    priority: int = 2  # 1 urgent, 2 normal, 3 low
    status: str = Field(default="open", max_length=12)  # open | pending | resolved
    summary: str = ""
    assignee_id: int | None = Field(default=None, foreign_key="agents.id")
    created_at: datetime = utc_column()
    first_response_at: datetime | None = None
    resolved_at: datetime | None = None
    rating: int | None = None
    # a low rating asks for one line: when it was asked, the line, and when it came
    rating_comment_asked_at: datetime | None = None
    rating_comment: str | None = Field(default=None, max_length=500)
    rating_comment_at: datetime | None = None
    sla_warned_at: datetime | None = None  # staff told the first response is due soon
    sla_breached_at: datetime | None = None  # the first response came too late: escalated
    # structured intake: what the bot asked the user in private, one question at a time
    intake_step: str | None = Field(default=None, max_length=16)  # the question awaiting
    coin: str | None = Field(default=None, max_length=32)
    network: str | None = Field(default=None, max_length=32)
    amount: str | None = Field(default=None, max_length=64)
    tx_hash: str | None = Field(default=None, max_length=128)
    address: str | None = Field(default=None, max_length=128)
    uid: str | None = Field(default=None, max_length=64)
    reward: str | None = Field(default=None, max_length=200)
    # queue rules: hidden from the queue until then (the user writing ends it early)
    snoozed_until: datetime | None = None
    tier: int = 1  # support tier that handles it: 1, escalated to 2, then 3


class Agent(SQLModel, table=True):
    """A person who answers tickets; the API token is stored only as a hash."""

    __tablename__ = "agents"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=128, unique=True)
    role: str = Field(max_length=16)  # agent | supervisor | manager | admin
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = utc_column()
    tier: int = 1  # the highest support tier whose tickets they take
    online: bool = False  # taking tickets now: round-robin assignment picks among these
    # round robin gives the next ticket to the online agent whose turn is lowest
    round_robin_turn: int = 0
    # a disabled agent's token and linked accounts act no more (``agents disable``)
    disabled_at: datetime | None = None
    token_rotated_at: datetime | None = None  # when ``agents rotate`` last replaced it


class AgentAccount(SQLModel, table=True):
    """An agent's own account on a channel: presses and replies in that channel's staff
    chat from it act as the agent (claim, answer, resolve). Linked by an admin
    (``socialdesk agents link``); one account per agent per channel."""

    __tablename__ = "agent_accounts"
    __table_args__ = (
        UniqueConstraint("channel", "account_id", name="uq_agent_accounts_account"),
        UniqueConstraint("agent_id", "channel", name="uq_agent_accounts_agent_channel"),
    )

    id: int | None = Field(default=None, primary_key=True)
    agent_id: int = Field(foreign_key="agents.id", ondelete="CASCADE")
    channel: str = Field(max_length=32)
    account_id: str = Field(max_length=64)


class TicketNote(SQLModel, table=True):
    """An internal note on a ticket: agents see it, the user never does."""

    __tablename__ = "ticket_notes"

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="tickets.id", index=True)
    agent_id: int = Field(foreign_key="agents.id")
    text: str
    created_at: datetime = utc_column()


class AgentAction(SQLModel, table=True):
    """One thing an agent did to a ticket (claimed, answered, resolved, changed a
    field from one value to another), written in the transaction that did it, so the
    ticket's history cannot disagree with the ticket."""

    __tablename__ = "agent_actions"
    __table_args__ = (Index("ix_agent_actions_ticket", "ticket_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="tickets.id")
    agent_id: int | None = Field(default=None, foreign_key="agents.id")
    agent_name: str = Field(max_length=128)  # kept as it was when they acted
    action: str = Field(max_length=16)  # claimed | answered | noted | escalated | ...
    field: str | None = Field(default=None, max_length=32)  # what changed, if anything
    old_value: str | None = Field(default=None, max_length=200)
    new_value: str | None = Field(default=None, max_length=200)
    via: str = Field(default="api", max_length=16)  # api (and the console) | staff chat
    created_at: datetime = utc_column()


class Subscription(SQLModel, table=True):
    """A user who opted in to notices with /subscribe, in the chat they asked from."""

    __tablename__ = "subscriptions"
    __table_args__ = (UniqueConstraint("channel", "chat_id", name="uq_subscription_chat"),)

    id: int | None = Field(default=None, primary_key=True)
    identity_id: int = Field(foreign_key="identities.id", index=True)
    channel: str = Field(max_length=32)
    chat_id: str = Field(max_length=128)
    language: str = Field(default="en", max_length=8)
    created_at: datetime = utc_column()


class ChannelCursor(SQLModel, table=True):
    """Where a polling channel got to (the newest X DM or mention seen, a thread's
    progress), so a restart neither misses nor repeats what the platform returned."""

    __tablename__ = "channel_cursors"
    __table_args__ = (UniqueConstraint("channel", "key", name="uq_channel_cursor"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=32)
    key: str = Field(max_length=128)
    value: str = Field(default="", max_length=512)
    updated_at: datetime = utc_column()


class LinkCode(SQLModel, table=True):
    """A one-time code from ``/link``: entered on another platform, it joins the two
    accounts into one customer. Only its hash is stored; it expires unused."""

    __tablename__ = "link_codes"

    id: int | None = Field(default=None, primary_key=True)
    code_hash: str = Field(max_length=64, unique=True)
    identity_id: int = Field(foreign_key="identities.id", index=True)
    created_at: datetime = utc_column()
    expires_at: datetime = utc_column()
    used_at: datetime | None = None


class WebChatReply(SQLModel, table=True):
    """A reply kept for the web chat, which is its own platform: the page shows the
    chat's history when it connects, so what was sent while the browser was away (an
    agent's answer, a notice) is waiting when the user comes back."""

    __tablename__ = "webchat_replies"
    __table_args__ = (Index("ix_webchat_replies_chat", "chat_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    chat_id: str = Field(max_length=128)
    # the chat's newest inbound message when this was kept: the history shows this
    # reply after that message, whatever the clocks said
    after_message_id: int | None = None
    text: str = ""
    buttons: list[Any] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = utc_column()
    attachment_id: int | None = Field(default=None, foreign_key="attachments.id")  # an image


class ServerSecret(SQLModel, table=True):
    """A key the bot made for itself because the environment named none (the web
    chat's cookie signing key); every process on the database shares it."""

    __tablename__ = "server_secrets"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64, unique=True)
    value: str = Field(max_length=256)
    created_at: datetime = utc_column()


class AttachmentRecord(SQLModel, table=True):
    """A file kept with a conversation: a user's photo or document (``in``, linked to
    the message it came with) or an agent's screenshot (``out``).

    The bytes live in the database, not on a disk beside it: every process of a bot
    on PostgreSQL serves the console and the outbox, and each must read every file;
    a file and its message are written and backed up together. Files are size-capped
    (``[attachments] max_bytes``) and their type checked by content before they land.
    """

    __tablename__ = "attachments"
    __table_args__ = (
        UniqueConstraint("message_id", "position", name="uq_attachment_message"),
        Index("ix_attachments_conversation", "conversation_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversations.id")
    message_id: int | None = Field(default=None, foreign_key="messages.id")
    position: int = 0  # which of the message's attachments
    ticket_id: int | None = Field(default=None, foreign_key="tickets.id", index=True)
    direction: str = Field(max_length=3)  # "in" | "out"
    channel: str = Field(max_length=32)
    chat_id: str = Field(max_length=128)
    name: str = Field(default="", max_length=200)
    mime: str = Field(max_length=64)  # the type its content was checked to be
    size: int
    sha256: str = Field(max_length=64)
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_by: str | None = Field(default=None, max_length=128)  # the agent, for "out"
    created_at: datetime = utc_column()
