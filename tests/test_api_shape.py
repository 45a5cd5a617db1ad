"""The JSON the console and API clients read keeps its shape: the same keys, in the
same order, whatever records storage hands up behind it."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import fields
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bots.api import token_hash
from bots.app import App
from handlers.pipeline import envelope
from storage.attachments import AttachmentStore, NewFile
from storage.models import Ticket, table_of
from storage.ticket_records import TicketRow, TicketView
from tests.builders import bot_config, message
from tests.conftest import FakeClock
from tests.samples import png

TICKET_KEYS = [
    "id",
    "conversation_id",
    "channel",
    "chat_id",
    "language",
    "category",
    "priority",
    "status",
    "summary",
    "assignee_id",
    "created_at",
    "first_response_at",
    "resolved_at",
    "rating",
    "rating_comment_asked_at",
    "rating_comment",
    "rating_comment_at",
    "sla_warned_at",
    "sla_breached_at",
    "intake_step",
    "coin",
    "network",
    "amount",
    "tx_hash",
    "address",
    "uid",
    "reward",
    "snoozed_until",
    "tier",
]
LINE_KEYS = ["direction", "sender_id", "text", "created_at"]


def test_a_ticket_record_is_the_tickets_table_column_for_column() -> None:
    columns = [column.name for column in table_of(Ticket).columns]
    assert [f.name for f in fields(TicketRow)] == columns == TICKET_KEYS
    assert [f.name for f in fields(TicketView)] == [
        *TICKET_KEYS,
        *("user", "assignee", "transcript", "notes"),
    ]


@pytest.fixture
async def bot(tmp_path: Path, clock: FakeClock) -> AsyncIterator[App]:
    async with App(bot_config(tmp_path), clock=clock) as app:
        assert app.tickets is not None
        for name, role in (("ana", "agent"), ("sue", "supervisor"), ("adm", "admin")):
            await app.tickets.add_agent(name, role, token_hash(f"token-{name}"), clock())
        await app.tickets.link_account("ana", "telegram", "501")
        yield app


async def say(bot: App, text: str, **where: str) -> str:
    assert bot.pipeline is not None
    decision = await bot.pipeline.dispatch(message(text, **where))
    assert decision is not None
    return decision.reply


async def test_tickets_agents_files_and_incidents_answer_the_same_keys(
    bot: App, clock: FakeClock
) -> None:
    code = re.search(
        r"[A-Z0-9]{4}-[A-Z0-9]{4}", await say(bot, "/link", chat_id="w", sender_id="w")
    )
    assert code is not None
    await say(bot, f"/link {code.group(0)}", chat_id="u1", sender_id="u1")
    await say(bot, "/ticket my deposit of 50 USDT has not arrived", chat_id="u1", sender_id="u1")
    assert bot.store is not None
    photo = message("a screenshot", chat_id="u1", sender_id="u1")
    inbound = await bot.store.record_inbound(envelope(photo), photo.text, clock())
    kept = [(0, NewFile("a.png", "image/png", png()))]
    files = AttachmentStore(bot.store)
    await files.keep_inbound(
        inbound.message_id, inbound.conversation_id, "web", "u1", kept, clock()
    )

    async with aiohttp.ClientSession() as http:

        async def call(method: str, path: str, who: str = "sue", **body: Any) -> Any:
            headers = {"Authorization": f"Bearer token-{who}"}
            async with http.request(method, bot.url + path, headers=headers, **body) as r:
                assert r.status < 300, await r.text()
                return await r.json()

        await call("POST", "/api/tickets/1/claim")
        await call("POST", "/api/tickets/1/notes", json={"text": "checked the chain"})
        await call("PATCH", "/api/tickets/1", json={"priority": 1, "tier": 2, "category": "x"})
        assert await call("PATCH", "/api/tickets/1", json={"tier": 1, "category": "y"}) == {
            "id": 1,
            "category": "y",
            "tier": 1,
        }
        (listed,) = (await call("GET", "/api/tickets"))["tickets"]
        view = await call("GET", "/api/tickets/1")
        agents = (await call("GET", "/api/agents", "adm"))["agents"]
        (attachment,) = (await call("GET", "/api/tickets/1/attachments"))["attachments"]
        incident = {
            "title": "TRON",
            "text": {"en": "We know."},
            "match": {"faqs": ["deposit-not-arrived"]},
        }
        await call("POST", "/api/incidents", json=incident)
        (summary,) = (await call("GET", "/api/incidents"))["incidents"]

    assert list(listed) == [*TICKET_KEYS, "sla_due_at", "snoozed"]
    assert list(view) == [
        *TICKET_KEYS,
        *("user", "assignee", "transcript", "notes", "snoozed", "customer", "audit"),
    ]
    assert (view["assignee"], view["priority"], view["tier"]) == ("sue", 1, 1)
    assert list(view["user"]) == ["channel", "platform_user_id", "username", "display_name"]
    assert list(view["transcript"][0]) == LINE_KEYS
    assert [list(note) for note in view["notes"]] == [["agent_id", "text", "created_at"]]
    assert list(view["customer"]) == ["id", "identities", "conversations"]
    identity_keys = ["id", "channel", "platform_user_id", "username", "display_name"]
    assert [list(i) for i in view["customer"]["identities"]] == [identity_keys] * 2
    (other,) = view["customer"]["conversations"]
    assert list(other) == ["conversation_id", "channel", "chat_id", "chat_kind", "transcript"]
    assert other["transcript"][0]["text"] == "/link" and list(other["transcript"][0]) == LINE_KEYS
    audit_keys = ["agent_name", "action", "field", "old_value", "new_value", "via", "created_at"]
    assert [list(entry) for entry in view["audit"]] == [audit_keys] * len(view["audit"])
    assert [(e["field"], e["old_value"], e["new_value"]) for e in view["audit"][2:]] == [
        ("category", "other", "x"),
        ("priority", "2", "1"),
        ("tier", "1", "2"),
        ("category", "x", "y"),
        ("tier", "2", "1"),
    ]
    assert list(agents[0]) == [
        *("id", "name", "role", "tier", "online", "created_at", "disabled_at"),
        *("token_rotated_at", "disabled", "accounts"),
    ]
    assert {a["name"]: a["accounts"] for a in agents}["ana"] == {"telegram": "501"}
    assert list(attachment) == [
        *("id", "direction", "message_id", "ticket_id", "name", "mime", "size", "created_by"),
        *("created_at", "url", "image"),
    ]
    assert list(summary) == [
        *("id", "title", "texts", "faqs", "networks", "coins", "status", "opened_by"),
        *("opened_at", "resolved_by", "resolved_at", "affected", "notified", "tickets"),
    ]
    assert (summary["faqs"], summary["networks"], summary["tickets"]) == (
        ["deposit-not-arrived"],
        [],
        [1],  # the open deposit ticket, linked when the incident opened
    )
