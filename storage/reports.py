"""Support figures for a window of time, computed in SQL from what the store records.

Every figure is about a window ``[since, until)``. Ticket figures (first response,
resolution, satisfaction, categories, agents) are about the tickets *opened* in the
window, followed to wherever they are now; message figures count what users wrote in
the window (a staff chat's messages and group chatter the bot was not addressed in
are left out). A conversation is one user in one chat; it was answered by the bot
alone when no ticket of it was open at any time in the window.

Percentiles are nearest-rank: p50 is the smallest duration that at least half of the
tickets reached, so it is always a duration some ticket really had. They are ranked
with window functions, which SQLite and PostgreSQL both run, so no rows are fetched to
be sorted in Python. Times are in seconds; hours are UTC.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    Select,
    and_,
    case,
    cast,
    distinct,
    exists,
    func,
    or_,
    select,
)
from sqlalchemy.engine import Connection

from storage.models import Agent, Incident, table_of
from storage.ratings import LOW_RATING
from storage.report_figures import AgentFigures, Counts, Csat, Durations, LowRatingComment, Report
from storage.statements import MSG, TICKET
from storage.store import Store

AGENT = table_of(Agent)
RATINGS = (1, 2, 3, 4, 5)
COMMENTS_SHOWN = 10  # the latest low-rating comments a report lists
# inbound messages that are no user's question to the bot: a staff chat's, group
# chatter the bot was not addressed in
NOT_FROM_USERS = ("staff", "ignored")


class ReportStore:
    """Reads the figures of a window; never writes."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def __repr__(self) -> str:
        return "ReportStore()"

    async def report(self, since: datetime, until: datetime) -> Report:
        return await self.store.read(build_report, since, until)


def build_report(conn: Connection, since: datetime, until: datetime) -> Report:
    """Every figure of ``[since, until)`` in one read."""
    sql = _Sql(conn.dialect.name)
    opened = and_(TICKET.c.created_at >= since, TICKET.c.created_at < until)
    answered = and_(opened, TICKET.c.first_response_at.is_not(None))
    resolved = and_(opened, TICKET.c.status == "resolved", TICKET.c.resolved_at.is_not(None))
    first = sql.duration(TICKET.c.first_response_at, TICKET.c.created_at)
    done = sql.duration(TICKET.c.resolved_at, TICKET.c.created_at)
    conversations, alone = _conversations(conn, since, until)
    incidents = incident_counts(conn, since, until)
    return Report(
        since=since,
        until=until,
        first_response=_percentiles(conn, first, answered),
        resolution=_percentiles(conn, done, resolved),
        csat=_csat(conn, opened),
        conversations=conversations,
        conversations_without_ticket=alone,
        messages=_messages(conn, sql, since, until),
        tickets=_tickets(conn, sql, opened),
        agents=_agents(conn, opened, first, done),
        incidents_opened=incidents[0],
        incidents_resolved=incidents[1],
        low_rating_comments=_comments(conn, opened),
    )


class _Sql:
    """The two expressions whose spelling differs between SQLite and PostgreSQL."""

    def __init__(self, dialect: str) -> None:
        self.postgres = dialect == "postgresql"

    def duration(self, end: Any, start: Any) -> ColumnElement[Any]:
        """Seconds from ``start`` to ``end``."""
        if self.postgres:
            return cast(func.extract("epoch", end - start), Float)
        return (func.julianday(end) - func.julianday(start)) * 86400.0

    def hour(self, moment: Any) -> ColumnElement[Any]:
        """The UTC hour of ``moment``, 0 to 23 (whatever the session's time zone)."""
        if self.postgres:
            return cast(func.extract("hour", func.timezone("UTC", moment)), Float)
        return cast(func.strftime("%H", moment), Float)


def _seconds(value: Any) -> float | None:
    """A duration as the report prints it: seconds to a tenth (the SQL arithmetic on
    instants carries noise far below that)."""
    return None if value is None else round(float(value), 1)


def _ranked(duration: ColumnElement[Any], where: Any, group: Any = None) -> Any:
    """Durations with their rank and count (within ``group`` when given)."""
    partition = [group] if group is not None else None
    columns = [
        duration.label("d"),
        func.row_number().over(partition_by=partition, order_by=duration).label("rn"),
        func.count().over(partition_by=partition).label("n"),
    ]
    if group is not None:
        columns.insert(0, group.label("g"))
    return select(*columns).where(where).subquery()


def _nearest_rank(ranked: Any, percent: int) -> ColumnElement[Any]:
    """The smallest duration whose rank reaches ``percent`` % of the count."""
    return func.min(case((ranked.c.rn * 100 >= ranked.c.n * percent, ranked.c.d)))


def _percentiles(conn: Connection, duration: ColumnElement[Any], where: Any) -> Durations:
    ranked = _ranked(duration, where)
    row = conn.execute(
        select(_nearest_rank(ranked, 50), _nearest_rank(ranked, 90), func.count())
    ).one()
    return Durations(_seconds(row[0]), _seconds(row[1]), row[2])


def _csat(conn: Connection, opened: Any) -> Csat:
    rows = conn.execute(
        select(TICKET.c.rating, func.count())
        .where(opened, TICKET.c.rating.is_not(None))
        .group_by(TICKET.c.rating)
    ).all()
    distribution = {str(score): 0 for score in RATINGS}
    for score, count in rows:
        distribution[str(score)] = count
    count = sum(distribution.values())
    total = sum(int(score) * n for score, n in distribution.items())
    return Csat(round(total / count, 2) if count else None, count, distribution)


def _user_messages(since: datetime, until: datetime) -> Any:
    return and_(
        MSG.c.direction == "in",
        MSG.c.created_at >= since,
        MSG.c.created_at < until,
        or_(MSG.c.intent.is_(None), MSG.c.intent.not_in(NOT_FROM_USERS)),
    )


def _conversations(conn: Connection, since: datetime, until: datetime) -> tuple[int, int]:
    """Conversations users wrote in, and those of them no ticket was open for."""
    handed = exists().where(
        TICKET.c.conversation_id == MSG.c.conversation_id,
        TICKET.c.created_at < until,
        or_(TICKET.c.resolved_at.is_(None), TICKET.c.resolved_at >= since),
    )
    where = _user_messages(since, until)
    total = conn.execute(select(func.count(distinct(MSG.c.conversation_id))).where(where))
    alone = conn.execute(select(func.count(distinct(MSG.c.conversation_id))).where(where, ~handed))
    return total.scalar_one(), alone.scalar_one()


def _by(conn: Connection, query: Select[Any]) -> dict[str, int]:
    """``{key: count}`` from rows of (key, count), largest first, then by key."""
    counted = {("unknown" if k is None else str(k)): n for k, n in conn.execute(query)}
    return dict(sorted(counted.items(), key=lambda kv: (-kv[1], kv[0])))


def _hours(conn: Connection, hour: ColumnElement[Any], where: Any) -> dict[str, int]:
    """Counts for each UTC hour "00" to "23", the empty ones too."""
    counted = {
        int(h): n for h, n in conn.execute(select(hour, func.count()).where(where).group_by(hour))
    }
    return {f"{h:02d}": counted.get(h, 0) for h in range(24)}


def _messages(conn: Connection, sql: _Sql, since: datetime, until: datetime) -> Counts:
    where = _user_messages(since, until)
    total = conn.execute(select(func.count()).where(where)).scalar_one()
    by = {
        key: _by(conn, select(column, func.count()).where(where).group_by(column))
        for key, column in (("channel", MSG.c.channel), ("language", MSG.c.language))
    }
    by["hour"] = _hours(conn, sql.hour(MSG.c.created_at), where)
    return Counts(total, by)


def _tickets(conn: Connection, sql: _Sql, opened: Any) -> Counts:
    total = conn.execute(select(func.count()).where(opened)).scalar_one()
    by = {
        key: _by(conn, select(TICKET.c[key], func.count()).where(opened).group_by(TICKET.c[key]))
        for key in ("category", "channel", "language")
    }
    by["hour"] = _hours(conn, sql.hour(TICKET.c.created_at), opened)
    return Counts(total, by)


def _agents(
    conn: Connection, opened: Any, first: ColumnElement[Any], done: ColumnElement[Any]
) -> list[AgentFigures]:
    """Per agent who has tickets opened in the window, by name."""
    mine = and_(opened, TICKET.c.assignee_id.is_not(None))
    counts = conn.execute(
        select(
            TICKET.c.assignee_id,
            func.count(),
            func.count(case((TICKET.c.status == "resolved", 1))),
            func.avg(TICKET.c.rating),
            func.count(TICKET.c.rating),
        )
        .where(mine)
        .group_by(TICKET.c.assignee_id)
    ).all()
    medians = {
        name: _group_medians(conn, duration, and_(mine, column.is_not(None)))
        for name, duration, column in (
            ("first", first, TICKET.c.first_response_at),
            ("done", done, TICKET.c.resolved_at),
        )
    }
    names: dict[int, str] = {r.id: r.name for r in conn.execute(select(AGENT.c.id, AGENT.c.name))}
    figures = [
        AgentFigures(
            name=names.get(agent_id, f"#{agent_id}"),
            tickets=tickets,
            resolved=resolved,
            first_response_p50=medians["first"].get(agent_id),
            resolution_p50=medians["done"].get(agent_id),
            csat_average=None if average is None else round(float(average), 2),
            csat_count=rated,
        )
        for agent_id, tickets, resolved, average, rated in counts
    ]
    return sorted(figures, key=lambda f: f.name)


def _group_medians(
    conn: Connection, duration: ColumnElement[Any], where: Any
) -> dict[int, float | None]:
    ranked = _ranked(duration, where, TICKET.c.assignee_id)
    rows = conn.execute(select(ranked.c.g, _nearest_rank(ranked, 50)).group_by(ranked.c.g))
    return {agent_id: _seconds(median) for agent_id, median in rows}


def _comments(conn: Connection, opened: Any) -> list[LowRatingComment]:
    rows = conn.execute(
        select(
            TICKET.c.id,
            TICKET.c.rating,
            TICKET.c.rating_comment,
            TICKET.c.rating_comment_at,
            AGENT.c.name,
            TICKET.c.channel,
            TICKET.c.language,
        )
        .select_from(TICKET.outerjoin(AGENT, AGENT.c.id == TICKET.c.assignee_id))
        .where(
            opened,
            TICKET.c.rating <= LOW_RATING,
            TICKET.c.rating_comment.is_not(None),
            TICKET.c.rating_comment_at.is_not(None),
        )
        .order_by(TICKET.c.rating_comment_at.desc(), TICKET.c.id.desc())
        .limit(COMMENTS_SHOWN)
    ).all()
    return [LowRatingComment(*row) for row in rows]


INCIDENT = table_of(Incident)


def incident_counts(conn: Connection, since: datetime, until: datetime) -> tuple[int, int]:
    """Incidents opened, and incidents resolved, in ``[since, until)``."""

    def within(column: Any) -> int:
        query = select(func.count()).where(column >= since, column < until)
        return int(conn.execute(query).scalar_one())

    return within(INCIDENT.c.opened_at), within(INCIDENT.c.resolved_at)
