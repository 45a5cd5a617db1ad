"""Customers across platforms: accounts linked with a one-time code.

A person who writes on two channels (a messenger and the web chat) has two identities.
``/link`` on one gives a code; entered with ``/link CODE`` on the other, it joins both (and whatever
either was already joined to) under one customer key, so an agent's ticket view shows
every conversation of that person. Codes are stored hashed, expire, and work once; the
redeeming update is conditional, so a code entered twice at once links once.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import insert, or_, select, update
from sqlalchemy.engine import Connection

from storage.models import LinkCode, table_of
from storage.statements import CONV, IDENT
from storage.store import Store
from storage.ticket_records import TranscriptLine
from storage.ticket_views import transcript

CODES = table_of(LinkCode)
TRANSCRIPT_TAIL = 50  # messages shown from each of the customer's other conversations


def code_hash(code: str) -> str:
    """Codes are random and short-lived, so a plain SHA-256 of the normalized code is
    enough to keep them out of the database."""
    return hashlib.sha256(code.strip().upper().replace("-", "").encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class LinkedIdentity:
    """One of a customer's accounts."""

    id: int
    channel: str
    platform_user_id: str
    username: str | None
    display_name: str


@dataclass(frozen=True, slots=True)
class OtherConversation:
    """Another conversation of the same customer, with its latest messages."""

    conversation_id: int
    channel: str
    chat_id: str
    chat_kind: str
    transcript: tuple[TranscriptLine, ...]


@dataclass(frozen=True, slots=True)
class Customer:
    """The person behind a conversation; ``id`` is ``None`` until two accounts are
    linked."""

    id: int | None
    identities: tuple[LinkedIdentity, ...]
    conversations: tuple[OtherConversation, ...]


@dataclass(frozen=True, slots=True)
class Redeemed:
    """What entering a code did; ``channels``: the platforms now joined to this one."""

    outcome: Literal["linked", "invalid", "own"]
    channels: tuple[str, ...] = ()


class LinkStore:
    """Issues and redeems link codes and reads a customer's conversations."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def __repr__(self) -> str:
        return "LinkStore()"

    async def issue(self, identity_id: int, code: str, now: datetime, expires: datetime) -> None:
        """Record a new code for ``identity_id``; its earlier unused codes stop working."""
        await self.store.write(self._issue, identity_id, code_hash(code), now, expires)

    @staticmethod
    def _issue(
        conn: Connection, identity_id: int, hashed: str, now: datetime, expires: datetime
    ) -> None:
        conn.execute(
            update(CODES)
            .where(CODES.c.identity_id == identity_id, CODES.c.used_at.is_(None))
            .values(expires_at=now)
        )
        conn.execute(
            insert(CODES),
            {
                "code_hash": hashed,
                "identity_id": identity_id,
                "created_at": now,
                "expires_at": expires,
            },
        )

    async def redeem(self, code: str, identity_id: int, now: datetime) -> Redeemed:
        """Join the code's account and ``identity_id`` into one customer."""
        return await self.store.write(self._redeem, code_hash(code), identity_id, now)

    @staticmethod
    def _redeem(conn: Connection, hashed: str, identity_id: int, now: datetime) -> Redeemed:
        row = conn.execute(
            select(CODES.c.id, CODES.c.identity_id).where(
                CODES.c.code_hash == hashed, CODES.c.used_at.is_(None), CODES.c.expires_at > now
            )
        ).first()
        if row is None:
            return Redeemed("invalid")
        if row.identity_id == identity_id:
            return Redeemed("own")
        used = conn.execute(
            update(CODES).where(CODES.c.id == row.id, CODES.c.used_at.is_(None)).values(used_at=now)
        )
        if used.rowcount != 1:
            return Redeemed("invalid")  # entered twice at once: the other one linked
        pair = (row.identity_id, identity_id)
        keys = [
            k
            for (k,) in conn.execute(select(IDENT.c.customer_id).where(IDENT.c.id.in_(pair)))
            if k is not None
        ]
        groups = [*pair, *keys]
        customer = min(groups)
        conn.execute(
            update(IDENT)
            .where(or_(IDENT.c.id.in_(groups), IDENT.c.customer_id.in_(groups)))
            .values(customer_id=customer)
        )
        channels = conn.execute(
            select(IDENT.c.channel)
            .where(IDENT.c.customer_id == customer, IDENT.c.id != identity_id)
            .distinct()
        )
        return Redeemed("linked", tuple(sorted(c for (c,) in channels)))

    async def customer(self, conversation_id: int) -> Customer:
        """The person behind a conversation: every linked account, and each of their
        other conversations with its latest messages (the agent's ticket view)."""
        return await self.store.read(self._customer, conversation_id)

    @staticmethod
    def _customer(conn: Connection, conversation_id: int) -> Customer:
        identity_id, customer = conn.execute(
            select(IDENT.c.id, IDENT.c.customer_id)
            .join(CONV, CONV.c.identity_id == IDENT.c.id)
            .where(CONV.c.id == conversation_id)
        ).one()
        who = IDENT.c.id == identity_id if customer is None else IDENT.c.customer_id == customer
        identities = tuple(
            LinkedIdentity(**r._mapping)
            for r in conn.execute(
                select(
                    IDENT.c.id,
                    IDENT.c.channel,
                    IDENT.c.platform_user_id,
                    IDENT.c.username,
                    IDENT.c.display_name,
                )
                .where(who)
                .order_by(IDENT.c.id)
            )
        )
        conversations = tuple(
            OtherConversation(
                conv.id,
                conv.channel,
                conv.chat_id,
                conv.chat_kind,
                transcript(conn, conv.id, tail=TRANSCRIPT_TAIL),
            )
            for conv in conn.execute(
                select(CONV.c.id, CONV.c.channel, CONV.c.chat_id, CONV.c.chat_kind)
                .where(
                    CONV.c.identity_id.in_([i.id for i in identities]),
                    CONV.c.id != conversation_id,
                )
                .order_by(CONV.c.id)
            ).all()
        )
        return Customer(customer, identities, conversations)
