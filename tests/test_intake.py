"""Structured intake: a new private ticket asks its questions one at a time, checks the
answers against the named network, lets the user skip, and stores the answers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bots.api import token_hash
from bots.app import App, system_clock
from channels.base import Capabilities, ChatKind, Reply
from tests.builders import bot_config, message
from tests.conftest import FakeClock

TRON = "TT67rPNwgmpeimvHUMVzFfKsjL9GZ1wGw8"
EVM = "0x52908400098527886E0F7030069857D2E4169EE7"
TX_HEX = "a3" * 32


@pytest.fixture
async def bot(tmp_path: Path, clock: FakeClock) -> AsyncIterator[App]:
    async with App(bot_config(tmp_path), clock=clock) as app:
        yield app


async def say(bot: App, text: str = "", callback: str | None = None, **fields: object) -> Reply:
    """What the user sees after writing ``text`` or pressing ``callback``: one reply."""
    assert bot.pipeline is not None
    decision = await bot.pipeline.dispatch(message(text, callback=callback, **fields))
    assert decision is not None
    replies = [a for a in decision.actions if isinstance(a, Reply)]
    return replies[-1]


def buttons(reply: Reply) -> dict[str, str]:
    return {b.label: b.data or "" for row in reply.buttons for b in row}


async def test_a_deposit_ticket_is_asked_for_its_details_and_wrong_ones_are_questioned(
    bot: App,
) -> None:
    first = await say(bot, "/ticket my deposit is missing")
    assert "what is it about" in first.text
    choices = buttons(first)
    assert choices["Deposit not arrived"] == "intake:category:deposit_missing"
    assert choices["Skip"] == "intake:category:skip"

    coin = await say(bot, callback=choices["Deposit not arrived"])
    assert coin.text == "Which coin was it?" and "USDT" in buttons(coin)
    network = await say(bot, callback=buttons(coin)["USDT"])
    assert "network" in network.text and "TRC20" in buttons(network)
    amount = await say(bot, "TRC20")
    assert amount.text == "How much was it?"
    bad_amount = await say(bot, "fifty")
    assert "as a number" in bad_amount.text and "How much" in bad_amount.text
    tx = await say(bot, "50 USDT")
    assert "transaction hash" in tx.text

    wrong_tx = await say(bot, "0x" + TX_HEX)  # an Ethereum-style hash, but TRC20 was named
    assert "cannot be a transaction hash on TRC20" in wrong_tx.text
    assert "without 0x" in wrong_tx.text and "Skip" in buttons(wrong_tx)
    address = await say(bot, TX_HEX)
    assert address.text == "Which address was it sent to?"
    wrong_address = await say(bot, EVM)
    assert "Ethereum-style" in wrong_address.text and "TRC20" in wrong_address.text
    done = await say(bot, callback=buttons(wrong_address)["Skip"])
    assert "that is everything" in done.text

    assert bot.tickets is not None
    ticket = await bot.tickets.get(1)
    assert ticket is not None
    assert ticket.category == "deposit_missing"
    assert (ticket.coin, ticket.network, ticket.amount) == ("USDT", "TRC20", "50")
    assert ticket.tx_hash == TX_HEX and ticket.address is None  # skipped
    # once the intake is done, the user's messages go to the agent and the bot is quiet
    assert bot.pipeline is not None
    later = await bot.pipeline.dispatch(message("any news?"))
    assert later is not None and later.actions == []


async def test_a_valid_address_on_the_named_network_is_stored(bot: App) -> None:
    await say(bot, "/ticket", chat_id="c2", sender_id="u2")
    steps = [
        ("", "intake:category:wrong_network"),
        ("usdt", None),
        ("TRON", None),
        ("12.5", None),
        (TX_HEX, None),
    ]
    for text, callback in steps:
        await say(bot, text, callback=callback, chat_id="c2", sender_id="u2")
    done = await say(bot, TRON, chat_id="c2", sender_id="u2")
    assert "that is everything" in done.text
    assert bot.tickets is not None
    ticket = await bot.tickets.get(1)
    assert ticket is not None
    assert (ticket.coin, ticket.amount, ticket.address) == ("USDT", "12.5", TRON)
    # the agent's ticket view carries the answers as fields
    assert bot.tickets is not None
    await bot.tickets.add_agent("ana", "agent", token_hash("token-ana"), system_clock())
    headers = {"Authorization": "Bearer token-ana"}
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"{bot.url}/api/tickets/1", headers=headers) as r,
    ):
        view = await r.json()
    assert view["category"] == "wrong_network" and view["network"] == "TRON"
    assert view["tx_hash"] == TX_HEX and view["address"] == TRON


async def test_without_buttons_the_choices_are_numbered_and_skip_is_a_word(bot: App) -> None:
    assert bot.pipeline is not None
    bot.pipeline.capabilities["web"] = Capabilities(max_length=4000, buttons=False)
    first = await say(bot, "/ticket")
    assert first.buttons == () and "6. Account and KYC" in first.text and "skip" in first.text
    uid = await say(bot, "6")
    assert "UID" in uid.text
    bad = await say(bot, "my uid is secret")
    assert "digits only" in bad.text
    done = await say(bot, "skip")
    assert "that is everything" in done.text
    assert bot.tickets is not None
    ticket = await bot.tickets.get(1)
    assert ticket is not None and ticket.category == "account_kyc" and ticket.uid is None


async def test_a_reward_ticket_in_german_and_stale_buttons_do_nothing(
    bot: App, clock: FakeClock
) -> None:
    first = await say(bot, "/ticket", language_hint="de")
    assert "worum geht es" in first.text and "Überspringen" in buttons(first)
    await say(bot, callback="intake:category:reward_missing")
    assert bot.pipeline is not None
    again = await bot.pipeline.dispatch(message("", callback="intake:category:account_kyc"))
    assert again is not None and again.actions == []  # that question was answered
    assert bot.tickets is not None
    ticket = await bot.tickets.get(1)
    assert ticket is not None and ticket.category == "reward_missing"
    uid = await say(bot, "Spring-Festival Airdrop")
    assert "UID" in uid.text
    await say(bot, "12345678")
    ticket = await bot.tickets.get(1)
    assert ticket is not None
    assert (ticket.reward, ticket.uid) == ("Spring-Festival Airdrop", "12345678")
    # the ticket closes; its old buttons then do nothing (no greeting, no question)
    assert await bot.tickets.set_status(1, "resolved", [], clock())
    for stale in ("intake:category:account_kyc", "staff:claim:1"):
        pressed = await bot.pipeline.dispatch(message("", callback=stale))
        assert pressed is not None and pressed.actions == [], stale


async def test_in_public_the_ticket_still_moves_to_private_without_questions(bot: App) -> None:
    assert bot.pipeline is not None
    public = await bot.pipeline.dispatch(
        message("/ticket stuck withdrawal", chat_kind=ChatKind.GROUP, chat_id="g1")
    )
    assert public is not None
    assert [a.type for a in public.actions] == ["invite_private"]
    assert bot.tickets is not None and await bot.tickets.get(1) is None


async def test_a_german_user_is_told_why_in_german(bot: App) -> None:
    de = {"language_hint": "de", "chat_id": "c3", "sender_id": "u3"}
    await say(bot, "/ticket Einzahlung fehlt", **de)
    for text, callback in (("", "intake:category:deposit_missing"), ("", "intake:coin:USDT")):
        await say(bot, text, callback=callback, **de)
    await say(bot, "TRC20", **de)
    await say(bot, "50", **de)
    wrong_tx = await say(bot, "0x" + TX_HEX, **de)
    assert "kein Transaktions-Hash auf TRC20" in wrong_tx.text and "ohne 0x" in wrong_tx.text
    await say(bot, TX_HEX, **de)
    wrong_address = await say(bot, EVM, **de)
    assert "Adresse im Netzwerk Ethereum-Art" in wrong_address.text
    assert "Überspringen" in buttons(wrong_address)


async def test_typed_words_at_the_category_question_are_understood_not_refused(
    bot: App,
) -> None:
    zh = {"language_hint": "zh", "chat_id": "c4", "sender_id": "u4"}
    await say(bot, "/ticket", **zh)
    kyc = await say(bot, "KYC审核被拒绝了怎么办", **zh)
    assert "请从以下选项中选择一个" not in kyc.text
    assert "账户与 KYC" in kyc.text and "UID" in kyc.text
    assert bot.tickets is not None
    ticket = await bot.tickets.get(1)
    assert ticket is not None
    assert ticket.category == "account_kyc" and ticket.summary == "KYC审核被拒绝了怎么办"


async def test_a_question_typed_at_the_category_question_is_answered_and_kept(bot: App) -> None:
    assert bot.pipeline is not None
    zh = {"language_hint": "zh", "chat_id": "c5", "sender_id": "u5"}
    await say(bot, "/ticket", **zh)
    decision = await bot.pipeline.dispatch(message("ABC空投什么时候发？", **zh))
    assert decision is not None
    texts = [a.text for a in decision.actions if isinstance(a, Reply)]
    assert any("2026-11-25" in t for t in texts)  # the airdrop's distribution date
    assert "UID" in texts[-1]  # and the intake goes on for the missing reward
    assert bot.tickets is not None
    ticket = await bot.tickets.get(1)
    assert ticket is not None
    assert ticket.category == "reward_missing" and ticket.reward == "ABC空投什么时候发？"


async def test_words_that_name_no_category_become_the_description(bot: App) -> None:
    vi = {"language_hint": "vi", "chat_id": "c6", "sender_id": "u6"}
    await say(bot, "/ticket", **vi)
    done = await say(bot, "tôi cần nói chuyện với ai đó về chuyện riêng", **vi)
    assert "Vui lòng chọn" not in done.text and "Tôi đã thêm nội dung đó" in done.text
    assert bot.tickets is not None
    ticket = await bot.tickets.get(1)
    assert ticket is not None and ticket.intake_step is None
    assert ticket.summary == "tôi cần nói chuyện với ai đó về chuyện riêng"


async def test_an_agents_claim_ends_the_intake(bot: App) -> None:
    assert bot.pipeline is not None and bot.tickets is not None
    zh = {"language_hint": "zh", "chat_id": "c7", "sender_id": "u7"}
    await say(bot, "/ticket", **zh)
    agent = await bot.tickets.add_agent("li", "agent", token_hash("token-li"), system_clock())
    assert await bot.tickets.claim(1, agent)
    still = await bot.pipeline.dispatch(message("还在吗？", **zh))
    assert still is not None and still.actions == []  # the message is for the agent now
    ticket = await bot.tickets.get(1)
    assert ticket is not None and ticket.intake_step is None


async def test_a_tron_address_for_a_deposit_on_the_wrong_network_is_the_problem_reported(
    bot: App,
) -> None:
    user = {"chat_id": "c8", "sender_id": "u8"}
    await say(bot, "/ticket", **user)
    for text, callback in (("", "intake:category:wrong_network"), ("", "intake:coin:USDT")):
        await say(bot, text, callback=callback, **user)
    await say(bot, "ERC20", **user)
    await say(bot, "100", **user)
    address = await say(bot, TX_HEX, **user)  # a TRON transaction id, though ERC20 was named
    assert address.text == "Which address was it sent to?"
    done = await say(bot, TRON, **user)
    assert "that is everything" in done.text
    assert bot.tickets is not None
    ticket = await bot.tickets.get(1)
    assert ticket is not None
    assert (ticket.network, ticket.tx_hash, ticket.address) == ("ERC20", TX_HEX, TRON)
