"""Which tickets an agent's list shows: the queue's filters, the caller's rights, and
the console's search.

Search takes one string and finds the tickets it names: a ticket number (``42`` or
``#42``), the user (name, username or platform id), words of the conversation (the
stored, redacted text), a transaction hash, address or UID from the intake. It looks
at every status, snoozed tickets too: whoever searches for a hash wants that ticket
wherever it is. Matching is a case-insensitive substring (a table scan of the
conversation's messages, bounded by the page size).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.sql.elements import ColumnElement

from storage.agents import AgentRecord
from storage.statements import CONV, IDENT, MSG, TICKET
from storage.ticket_records import TicketFilters

LIST_LIMIT = 100  # tickets in one page of the queue (``limit`` asks for up to 500)
SEARCH_MAX = 200  # characters of a search; longer is refused by the API


def ticket_list(agent: AgentRecord, now: datetime, filters: TicketFilters) -> Select[Any]:
    """The statement for :meth:`storage.ticket_views.TicketViews.list` (the caller
    returns nothing for an agent who works no tickets)."""
    query = select(TICKET).order_by(TICKET.c.priority, TICKET.c.created_at)
    snoozed = TICKET.c.snoozed_until > now
    search = filters.search.strip()
    if filters.status == "snoozed":
        query = query.where(snoozed, TICKET.c.status != "resolved")
    elif not search:
        query = query.where(TICKET.c.snoozed_until.is_(None) | ~snoozed)
    if filters.status is not None and filters.status != "snoozed":
        query = query.where(TICKET.c.status == filters.status)
    equal = {
        "category": filters.category,
        "priority": filters.priority,
        "tier": filters.tier,
        "channel": filters.channel,
        "language": filters.language,
        "assignee_id": filters.assignee,
    }
    for column, value in equal.items():
        if value is not None:
            query = query.where(TICKET.c[column] == value)
    if filters.unassigned:
        query = query.where(TICKET.c.assignee_id.is_(None))
    if search:
        query = query.where(matching(search))
    if not agent.sees_all:  # agents see their tier's open queue and their own tickets
        query = query.where(
            (TICKET.c.assignee_id.is_(None) & (TICKET.c.tier <= agent.tier))
            | (TICKET.c.assignee_id == agent.id)
        )
    return query.limit(filters.limit or LIST_LIMIT)


def matching(search: str) -> ColumnElement[bool]:
    """Tickets that ``search`` names (see the module's docstring)."""
    conditions: list[ColumnElement[bool]] = [
        TICKET.c[column].icontains(search, autoescape=True)
        for column in ("tx_hash", "address", "uid", "summary")
    ]
    number = search.removeprefix("#")
    if number.isdigit() and len(number) <= 18:
        conditions.append(TICKET.c.id == int(number))
    handle = search.removeprefix("@")
    people = select(CONV.c.id).join(IDENT, IDENT.c.id == CONV.c.identity_id)
    people = people.where(
        IDENT.c.username.icontains(handle, autoescape=True)
        | IDENT.c.display_name.icontains(search, autoescape=True)
        | (IDENT.c.platform_user_id == handle)
    )
    conditions.append(TICKET.c.conversation_id.in_(people))
    said = select(MSG.c.conversation_id).where(MSG.c.text.icontains(search, autoescape=True))
    conditions.append(TICKET.c.conversation_id.in_(said))
    return or_(*conditions)
