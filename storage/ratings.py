"""Ratings of resolved tickets, and the one line of comment a low rating asks for.

A rating is recorded once per resolution. A low one (1 or 2) also marks the ticket as
waiting for the user's comment: the next message from that conversation, within
``window`` of the question, is stored on the ticket as the comment instead of being
answered (or reopening the ticket). Both marks are conditional updates, so a rating or
comment handled twice (a double tap, a redelivered update) is stored once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from storage.statements import TICKET
from storage.store import Store

LOW_RATING = 2  # this score or less asks the user what went wrong
COMMENT_LENGTH = 500  # characters of the comment kept (the column's size)


@dataclass(frozen=True, slots=True)
class AwaitedComment:
    """A low rating whose comment the bot asked for and has not had yet."""

    ticket_id: int
    rating: int


class RatingStore:
    """Repository for ratings and their comments; shares the store's transactions."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def __repr__(self) -> str:
        return "RatingStore()"

    async def rate(self, ticket_id: int, conversation_id: int, score: int, now: datetime) -> bool:
        """Record the user's rating of their own resolved ticket (once per resolution);
        a low score also starts waiting for their comment. ``False``: not their ticket,
        not resolved, or rated already."""
        return await self.store.write(self._rate, ticket_id, conversation_id, score, now)

    @staticmethod
    def _rate(
        conn: Connection, ticket_id: int, conversation_id: int, score: int, now: datetime
    ) -> bool:
        done = conn.execute(
            update(TICKET)
            .where(
                TICKET.c.id == ticket_id,
                TICKET.c.conversation_id == conversation_id,
                TICKET.c.status == "resolved",
                TICKET.c.rating.is_(None),
            )
            .values(
                rating=score,
                rating_comment_asked_at=now if score <= LOW_RATING else None,
                rating_comment=None,
                rating_comment_at=None,
            )
        )
        return done.rowcount == 1

    async def rateable(self, ticket_id: int, conversation_id: int) -> bool:
        """Whether ``rate`` would record a rating: the user's own resolved ticket, not
        rated since its resolution."""
        return await self.store.read(self._rateable, ticket_id, conversation_id)

    @staticmethod
    def _rateable(conn: Connection, ticket_id: int, conversation_id: int) -> bool:
        found = conn.execute(
            select(TICKET.c.id).where(
                TICKET.c.id == ticket_id,
                TICKET.c.conversation_id == conversation_id,
                TICKET.c.status == "resolved",
                TICKET.c.rating.is_(None),
            )
        ).first()
        return found is not None

    async def awaited(self, conversation_id: int, since: datetime) -> AwaitedComment | None:
        """The conversation's low rating whose comment was asked for at or after
        ``since`` and not given yet, if any."""
        return await self.store.read(self._awaited, conversation_id, since)

    @staticmethod
    def _awaited(conn: Connection, conversation_id: int, since: datetime) -> AwaitedComment | None:
        row = conn.execute(
            select(TICKET.c.id, TICKET.c.rating)
            .where(
                TICKET.c.conversation_id == conversation_id,
                TICKET.c.status == "resolved",
                TICKET.c.rating_comment_asked_at >= since,
                TICKET.c.rating_comment.is_(None),
            )
            .order_by(TICKET.c.rating_comment_asked_at.desc(), TICKET.c.id.desc())
            .limit(1)
        ).first()
        return AwaitedComment(row.id, row.rating) if row else None

    async def comment(self, ticket_id: int, text: str, now: datetime) -> bool:
        """Store ``text`` (already redacted) as the rating's comment; ``False`` if the
        ticket is no longer waiting for one."""
        return await self.store.write(self._comment, ticket_id, text[:COMMENT_LENGTH], now)

    @staticmethod
    def _comment(conn: Connection, ticket_id: int, text: str, now: datetime) -> bool:
        done = conn.execute(
            update(TICKET)
            .where(
                TICKET.c.id == ticket_id,
                TICKET.c.rating_comment_asked_at.is_not(None),
                TICKET.c.rating_comment.is_(None),
            )
            .values(rating_comment=text, rating_comment_asked_at=None, rating_comment_at=now)
        )
        return done.rowcount == 1

    async def stop_waiting(self, ticket_id: int) -> None:
        """The user moved on (a command instead of a comment): ask nothing more."""
        await self.store.write(self._stop_waiting, ticket_id)

    @staticmethod
    def _stop_waiting(conn: Connection, ticket_id: int) -> None:
        conn.execute(
            update(TICKET)
            .where(TICKET.c.id == ticket_id, TICKET.c.rating_comment.is_(None))
            .values(rating_comment_asked_at=None)
        )
