"""``/link``: a one-time code joins a person's accounts on two platforms, and the
agent's ticket view shows one customer with all their conversations."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bots.api import token_hash
from bots.app import App
from channels.base import ChatKind, Reply
from tests.builders import bot_config, message
from tests.conftest import FakeClock

WEB = {"channel": "web", "chat_id": "w1", "sender_id": "w1"}
TG = {"channel": "telegram", "chat_id": "42", "sender_id": "42", "display_name": "Al"}
X = {"channel": "x", "chat_id": "x9", "sender_id": "x9"}


@pytest.fixture
async def bot(tmp_path: Path, clock: FakeClock) -> AsyncIterator[App]:
    async with App(bot_config(tmp_path), clock=clock) as app:
        assert app.tickets is not None
        await app.tickets.add_agent("ana", "agent", token_hash("token-ana"), clock())
        yield app


async def say(bot: App, text: str, where: dict[str, str]) -> str:
    assert bot.pipeline is not None
    decision = await bot.pipeline.dispatch(message(text, **where))
    assert decision is not None
    return "\n".join(a.text for a in decision.actions if isinstance(a, Reply))


async def code_for(bot: App, where: dict[str, str]) -> str:
    answer = await say(bot, "/link", where)
    found = re.search(r"/link ([A-Z0-9]{4}-[A-Z0-9]{4})", answer)
    assert found, answer
    return found.group(1)


async def test_linked_accounts_show_as_one_customer_with_all_conversations(
    bot: App, clock: FakeClock
) -> None:
    await say(bot, "my deposit of 50 USDT is missing, I wrote here first", WEB)
    first = await code_for(bot, WEB)
    code = await code_for(bot, WEB)  # a new code replaces the one before
    assert "unknown, used or expired" in await say(bot, f"/link {first}", TG)
    assert "from this same account" in await say(bot, f"/link {code}", WEB)
    linked = await say(bot, f"/link {code.lower()}", TG)
    assert "linked with your account on web" in linked
    assert "unknown, used or expired" in await say(bot, f"/link {code}", X)  # once only

    opened = re.search(r"#(\d+)", await say(bot, "/ticket still no deposit", TG))
    assert opened, "no ticket number in the reply to /ticket"
    # the first message may have been handed over too: the Telegram ticket is asked for
    number = opened.group(1)
    async with (
        aiohttp.ClientSession() as http,
        http.get(
            f"{bot.url}/api/tickets/{number}", headers={"Authorization": "Bearer token-ana"}
        ) as r,
    ):
        view = await r.json()
    customer = view["customer"]
    assert sorted(i["channel"] for i in customer["identities"]) == ["telegram", "web"]
    (other,) = customer["conversations"]
    assert other["channel"] == "web"
    texts = [m["text"] for m in other["transcript"]]
    assert "my deposit of 50 USDT is missing, I wrote here first" in texts
    own = [m["text"] for m in view["transcript"] if m["direction"] == "in"]
    assert own[:2] == [f"/link {first}", f"/link {code.lower()}"]  # the ticket's own chat


async def test_a_third_account_joins_the_customer_and_codes_expire(
    bot: App, clock: FakeClock
) -> None:
    await say(bot, f"/link {await code_for(bot, WEB)}", TG)
    stale = await code_for(bot, X)
    clock.advance(11 * 60)
    assert "expired" in await say(bot, f"/link {stale}", TG)
    assert "on telegram, web" in await say(bot, f"/link {await code_for(bot, TG)}", X)
    await say(bot, "/ticket", X)
    assert bot.pipeline is not None and bot.pipeline.links is not None
    assert bot.tickets is not None
    ticket = await bot.tickets.get(1)
    assert ticket is not None and ticket.channel == "x"
    customer = await bot.pipeline.links.customer(ticket.conversation_id)
    assert sorted(i.channel for i in customer.identities) == ["telegram", "web", "x"]
    assert {c.channel for c in customer.conversations} == {"telegram", "web"}


async def test_in_public_linking_moves_to_a_private_chat(bot: App) -> None:
    assert bot.pipeline is not None
    decision = await bot.pipeline.dispatch(
        message("/link", chat_kind=ChatKind.GROUP, chat_id="g1", sender_id="u1")
    )
    assert decision is not None
    (invite,) = decision.actions
    assert invite.type == "invite_private" and "private chat" in invite.text


async def test_a_code_entered_twice_at_once_links_once(store, clock: FakeClock) -> None:
    """On SQLite and PostgreSQL: the redeeming update is conditional."""
    import asyncio
    from datetime import timedelta

    from handlers.pipeline import envelope
    from storage.links import LinkStore

    links = LinkStore(store)
    people = []
    for where in (WEB, TG, X):
        inbound = await store.record_inbound(envelope(message("hi", **where)), "hi", clock())
        people.append(inbound.identity_id)
    await links.issue(people[0], "ABCD-EFGH", clock(), clock() + timedelta(minutes=10))
    results = await asyncio.gather(
        links.redeem("abcd-efgh", people[1], clock()), links.redeem("ABCDEFGH", people[2], clock())
    )
    assert sorted(r.outcome for r in results) == ["invalid", "linked"]


async def test_link_is_answered_while_a_ticket_is_open(bot: App) -> None:
    # an agent has the conversation: the bot keeps out of it, but linking is about the
    # account, and the user who was told to /link from the other app gets the code
    assert "Ticket #" in await say(bot, "/ticket my withdrawal is stuck", WEB)
    await say(bot, "still waiting, any news?", WEB)  # joins the ticket
    assert await code_for(bot, WEB)
