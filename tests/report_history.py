"""A support day with known times, for the report tests, and the figures worked by hand.

The window is 2026-11-02 (UTC). Conversations on three channels in four languages,
six tickets opened that day (three agents, one unassigned), ratings with two low-rating
comments, two conversations the bot answered alone, and rows just outside the window
on both sides (a ticket the day before, one just after midnight) that must count
nowhere, besides a staff chat's message and group chatter that are no user's question.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import create_engine, insert
from sqlalchemy.engine import Connection

from storage.models import Agent
from storage.statements import CONV, IDENT, MSG, TICKET

AGENT = Agent.__table__
DAY = datetime(2026, 11, 2, tzinfo=UTC)
SINCE, UNTIL = "2026-11-02", "2026-11-02"  # --until names the last day the window has
_ids = itertools.count(1)


def at(clock: str, day: int = 0) -> datetime:
    """``"09:30"`` (or ``"09:30:15"``) on the window's day, ``day`` days off it."""
    parts = [int(p) for p in clock.split(":")]
    hours, minutes, seconds = (*parts, 0)[:3]
    return DAY + timedelta(days=day, hours=hours, minutes=minutes, seconds=seconds)


def _conversation(conn: Connection, channel: str, user: str, language: str) -> int:
    identity = conn.execute(
        insert(IDENT).returning(IDENT.c.id),
        {"channel": channel, "platform_user_id": user, "display_name": user, "created_at": DAY},
    ).scalar_one()
    return conn.execute(
        insert(CONV).returning(CONV.c.id),
        {
            "channel": channel,
            "chat_id": f"chat-{user}",
            "chat_kind": "private",
            "identity_id": identity,
            "language": language,
            "created_at": DAY - timedelta(days=30),
            "last_message_at": DAY,
        },
    ).scalar_one()


def _message(
    conn: Connection,
    conversation: int,
    channel: str,
    when: datetime,
    language: str | None,
    *,
    intent: str | None = "faq",
    direction: str = "in",
) -> None:
    chat = conn.execute(CONV.select().where(CONV.c.id == conversation)).one().chat_id
    conn.execute(
        insert(MSG),
        {
            "conversation_id": conversation,
            "direction": direction,
            "channel": channel,
            "chat_id": chat,
            "platform_message_id": f"p{next(_ids)}",
            "sender_id": "bot" if direction == "out" else "user",
            "text": "a question",
            "intent": intent,
            "language": language,
            "envelope": {},
            "created_at": when,
            "processed_at": when,
        },
    )


def _ticket(conn: Connection, conversation: int, **fields: Any) -> None:
    row = conn.execute(CONV.select().where(CONV.c.id == conversation)).one()
    values = {
        "conversation_id": conversation,
        "channel": row.channel,
        "chat_id": row.chat_id,
        "language": row.language,
        "status": "resolved" if fields.get("resolved_at") else "open",
        "summary": "",
    }
    conn.execute(insert(TICKET), values | fields)


def seed(url: str) -> None:
    """Write the day into the (migrated, empty) database at ``url``."""
    engine = create_engine(url)
    with engine.begin() as conn:
        agents = {}
        for name, role in (("ana", "agent"), ("ben", "agent"), ("sue", "supervisor")):
            agents[name] = conn.execute(
                insert(AGENT).returning(AGENT.c.id),
                {"name": name, "role": role, "token_hash": f"hash-{name}", "created_at": DAY},
            ).scalar_one()
        ana, ben, sue = agents["ana"], agents["ben"], agents["sue"]
        c1 = _conversation(conn, "web", "u1", "en")
        c2 = _conversation(conn, "telegram", "u2", "de")
        c3 = _conversation(conn, "discord", "u3", "en")
        c4 = _conversation(conn, "web", "u4", "vi")
        c5 = _conversation(conn, "telegram", "u5", "en")
        c6 = _conversation(conn, "web", "u6", "es")  # the bot answers alone
        c7 = _conversation(conn, "telegram", "u7", "de")  # alone too: its ticket is later
        c8 = _conversation(conn, "web", "u8", "en")  # only the day before
        c10 = _conversation(conn, "web", "u10", "en")  # a ticket from the day before
        staff = _conversation(conn, "telegram", "staff-1", "en")
        group = _conversation(conn, "discord", "chatter", "en")

        for conversation, channel, clock, language, intent in (
            (c1, "web", "08:59", "en", "handoff"),
            (c1, "web", "21:59", "en", "handoff"),
            (c2, "telegram", "09:29", "de", "handoff"),
            (c2, "telegram", "12:44", "de", "rating_comment"),
            (c3, "discord", "13:59", "en", "handoff"),
            (c4, "web", "14:59", "vi", "handoff"),
            (c5, "telegram", "20:14", "en", "handoff"),
            (c6, "web", "10:30", "es", "faq"),
            (c6, "web", "10:31", "es", "faq"),
            (c7, "telegram", "23:30", "de", "faq"),
            (c10, "web", "07:00", "en", "ticket_message"),
            (staff, "telegram", "11:00", "en", "staff"),
            (group, "discord", "11:05", "en", "ignored"),
        ):
            _message(conn, conversation, channel, at(clock), language, intent=intent)
        _message(conn, c1, "web", at("09:00"), "en", direction="out", intent=None)
        _message(conn, c8, "web", at("09:59", day=-1), "en")
        _message(conn, c7, "telegram", at("00:30", day=1), "de")

        _ticket(  # T1
            conn,
            c1,
            category="deposit_missing",
            assignee_id=ana,
            created_at=at("09:00"),
            first_response_at=at("09:02"),
            resolved_at=at("10:00"),
            rating=5,
        )
        _ticket(  # T2: a low rating, and what the user said about it
            conn,
            c2,
            category="withdrawal_delayed",
            assignee_id=ana,
            created_at=at("09:30"),
            first_response_at=at("09:40"),
            resolved_at=at("12:30"),
            rating=2,
            rating_comment="Too slow",
            rating_comment_at=at("12:45"),
        )
        _ticket(  # T3
            conn,
            c3,
            category="deposit_missing",
            assignee_id=ben,
            created_at=at("14:00"),
            first_response_at=at("14:05"),
            resolved_at=at("14:20"),
            rating=4,
        )
        _ticket(  # T4: answered, waiting for the user
            conn,
            c4,
            category="account_kyc",
            assignee_id=ben,
            created_at=at("15:00"),
            first_response_at=at("16:00"),
            status="pending",
        )
        _ticket(conn, c5, category="other", created_at=at("20:15"))  # T5: nobody yet
        _ticket(  # T6: the first user again, rated 1
            conn,
            c1,
            category="deposit_missing",
            assignee_id=sue,
            created_at=at("22:00"),
            first_response_at=at("22:01"),
            resolved_at=at("22:59"),
            rating=1,
            rating_comment="Wrong answer",
            rating_comment_at=at("23:10"),
        )
        _ticket(  # the day before: in no figure
            conn,
            c8,
            category="other",
            assignee_id=ben,
            created_at=at("10:00", day=-1),
            first_response_at=at("10:01", day=-1),
            resolved_at=at("11:00", day=-1),
            rating=1,
            rating_comment="Old news",
            rating_comment_at=at("11:05", day=-1),
        )
        _ticket(  # opened the day before, resolved in the window: c10 was handed over
            conn,
            c10,
            category="other",
            assignee_id=ana,
            created_at=at("20:00", day=-1),
            first_response_at=at("20:30", day=-1),
            resolved_at=at("08:00"),
            rating=3,
        )
        _ticket(conn, c7, category="other", created_at=at("01:00", day=1))  # after the window
    engine.dispose()


def hours(**counted: int) -> dict[str, int]:
    """All 24 hours, zero but for ``h09=2``-style counts."""
    return {f"{h:02d}": counted.get(f"h{h:02d}", 0) for h in range(24)}


# worked by hand from the rows above (see tests/test_reports.py for the arithmetic)
EXPECTED: dict[str, Any] = {
    "since": "2026-11-02T00:00:00+00:00",
    "until": "2026-11-03T00:00:00+00:00",
    # T1 120, T2 600, T3 300, T4 3600, T6 60 -> 60 120 300 600 3600
    "first_response_seconds": {"p50": 300.0, "p90": 3600.0, "count": 5},
    # T1 3600, T2 10800, T3 1200, T6 3540 -> 1200 3540 3600 10800
    "resolution_seconds": {"p50": 3540.0, "p90": 10800.0, "count": 4},
    # 5, 2, 4, 1
    "csat": {
        "average": 3.0,
        "count": 4,
        "distribution": {"1": 1, "2": 1, "3": 0, "4": 1, "5": 1},
    },
    # c1 c2 c3 c4 c5 c10 had a ticket open that day; c6 and c7 did not
    "conversations": {"total": 8, "without_ticket": 2},
    "bot_resolved_share": 0.25,
    "volume": {
        "messages": {
            "total": 11,
            "by_channel": {"web": 6, "telegram": 4, "discord": 1},
            "by_language": {"en": 5, "de": 3, "es": 2, "vi": 1},
            "by_hour": hours(h07=1, h08=1, h09=1, h10=2, h12=1, h13=1, h14=1, h20=1, h21=1, h23=1),
        },
        "tickets": {
            "total": 6,
            "by_category": {
                "deposit_missing": 3,
                "account_kyc": 1,
                "other": 1,
                "withdrawal_delayed": 1,
            },
            "by_channel": {"web": 3, "telegram": 2, "discord": 1},
            "by_language": {"en": 4, "de": 1, "vi": 1},
            "by_hour": hours(h09=2, h14=1, h15=1, h20=1, h22=1),
        },
    },
    "agents": [
        {
            "name": "ana",
            "tickets": 2,
            "resolved": 2,
            "first_response_p50": 120.0,
            "resolution_p50": 3600.0,
            "csat_average": 3.5,
            "csat_count": 2,
        },
        {
            "name": "ben",
            "tickets": 2,
            "resolved": 1,
            "first_response_p50": 300.0,
            "resolution_p50": 1200.0,
            "csat_average": 4.0,
            "csat_count": 1,
        },
        {
            "name": "sue",
            "tickets": 1,
            "resolved": 1,
            "first_response_p50": 60.0,
            "resolution_p50": 3540.0,
            "csat_average": 1.0,
            "csat_count": 1,
        },
    ],
    "incidents": {"opened": 0, "resolved": 0},
    "low_rating_comments": [
        {
            "ticket": 6,
            "rating": 1,
            "comment": "Wrong answer",
            "at": "2026-11-02T23:10:00+00:00",
            "agent": "sue",
            "channel": "web",
            "language": "en",
        },
        {
            "ticket": 2,
            "rating": 2,
            "comment": "Too slow",
            "at": "2026-11-02T12:45:00+00:00",
            "agent": "ana",
            "channel": "telegram",
            "language": "de",
        },
    ],
}
