"""Searching tickets (``GET /api/tickets?q=``, the console's search box): a number, the
user, words of the conversation, a transaction hash or a UID finds the ticket, in any
status, among the tickets the caller may see."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bots.api import token_hash
from bots.app import App, system_clock
from tests.builders import bot_config, message

TX = "0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060"


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[App]:
    async with App(bot_config(tmp_path)) as app:
        assert app.tickets is not None and app.pipeline is not None
        for name, role in (("ana", "agent"), ("sue", "supervisor")):
            await app.tickets.add_agent(name, role, token_hash(f"token-{name}"), system_clock())
        opened = (
            ("u1", "Alice", "/ticket my deposit is missing"),
            ("u2", "Bob", "/ticket my account is locked"),
            ("u3", "Carol Jones", "/ticket withdrawal slow since Monday"),
        )
        for chat, name, text in opened:
            await app.pipeline.dispatch(
                message(text, chat_id=chat, sender_id=chat, display_name=name)
            )
        await app.tickets.update_fields(1, tx_hash=TX, network="ERC20")
        await app.tickets.update_fields(2, uid="12345678")
        yield app


async def found(bot: App, q: str, who: str = "sue") -> list[int]:
    async with (
        aiohttp.ClientSession() as http,
        http.get(
            f"{bot.url}/api/tickets",
            params={"q": q},
            headers={"Authorization": f"Bearer token-{who}"},
        ) as response,
    ):
        assert response.status == 200, await response.text()
        return [t["id"] for t in (await response.json())["tickets"]]


async def test_a_ticket_is_found_by_tx_hash_uid_number_user_and_words(bot: App) -> None:
    assert await found(bot, TX) == [1]
    assert await found(bot, TX[:12].upper()) == [1]  # a part of it, any case
    assert await found(bot, "12345678") == [2]
    assert await found(bot, "#3") == [3]
    assert await found(bot, "carol") == [3]
    assert await found(bot, "since monday") == [3]
    assert await found(bot, "u2") == [2]  # the user's platform id
    assert await found(bot, "%") == []  # a wildcard is a character like any other
    assert await found(bot, "_") == []
    assert await found(bot, "nothing like this") == []
    assert await found(bot, "") == [1, 2, 3]  # no search: the queue


async def test_search_looks_at_every_status_but_only_at_tickets_the_caller_may_see(
    bot: App,
) -> None:
    assert bot.tickets is not None
    await bot.tickets.update_fields(2, tier=3)
    assert await found(bot, "12345678", who="ana") == []  # above ana's tier
    assert await found(bot, "12345678", who="sue") == [2]
    async with aiohttp.ClientSession() as http:
        headers = {"Authorization": "Bearer token-sue"}
        async with http.post(f"{bot.url}/api/tickets/1/resolve", headers=headers) as response:
            assert response.status == 200
        async with http.post(
            f"{bot.url}/api/tickets/3/snooze", json={"minutes": 60}, headers=headers
        ) as response:
            assert response.status == 200
        async with http.get(
            f"{bot.url}/api/tickets", params={"q": "x" * 201}, headers=headers
        ) as response:
            assert response.status == 400 and "200 characters" in (await response.json())["error"]
        # far longer, past 8 KiB of URL in emoji: still the API's own answer, in JSON
        async with http.get(
            f"{bot.url}/api/tickets", params={"q": "🚀" * 1500}, headers=headers
        ) as response:
            assert response.status == 400 and "200 characters" in (await response.json())["error"]
    assert await found(bot, TX) == [1]  # resolved
    assert await found(bot, "carol") == [3]  # snoozed
    assert 3 not in await found(bot, "")  # the queue itself still hides the snoozed one
