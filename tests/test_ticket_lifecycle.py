"""A ticket's life as the user sees it: when one opens, where it stands in the queue,
and what a message after its resolution does."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bots.app import App
from tests.builders import bot_config, message
from tests.conftest import FakeClock


@pytest.fixture
async def bot(tmp_path: Path, clock: FakeClock) -> AsyncIterator[App]:
    async with App(bot_config(tmp_path), clock=clock) as app:
        yield app


async def reply(bot: App, text: str, user: str, **fields: object) -> str:
    assert bot.pipeline is not None
    decision = await bot.pipeline.dispatch(
        message(text, chat_id=f"chat-{user}", sender_id=user, **fields)
    )
    assert decision is not None
    return decision.reply


async def test_an_urgent_ticket_is_told_it_is_first_in_the_queue(bot: App) -> None:
    for user in ("u1", "u2", "u3"):
        assert "number" in await reply(bot, "/ticket my withdrawal is stuck", user)
    paid = "I already paid the 50 USDT unlock fee for my airdrop at examp1e-airdrop.com"
    told = await reply(bot, paid, "u4")
    assert "Ticket #4" in told and "number 1 in the queue" in told
    # the others keep their order behind it
    assert bot.tickets is not None
    fifth = await reply(bot, "/ticket card payment failed", "u5")
    assert "number 5 in the queue" in fifth


async def test_question_marks_alone_open_no_ticket(bot: App) -> None:
    told = await reply(bot, "???", "u1")
    assert "could not find a question" in told and "/ticket" in told
    assert bot.tickets is not None and await bot.tickets.get(1) is None


async def test_writing_soon_after_a_resolution_reopens_the_ticket(
    bot: App, clock: FakeClock
) -> None:
    assert bot.tickets is not None
    await reply(bot, "/ticket", "u1")
    await reply(bot, "", "u1", callback="intake:category:other")
    assert await bot.tickets.set_status(1, "resolved", [], clock())
    clock.advance(3600)
    assert "Thank" not in await reply(bot, "thanks!", "u1")  # closing words reopen nothing
    ticket = await bot.tickets.get(1)
    assert ticket is not None and ticket.status == "resolved"

    told = await reply(bot, "my deposit is still not there", "u1")
    assert "ticket #1 is open again" in told and "number 1 in the queue" in told
    ticket = await bot.tickets.get(1)
    assert ticket is not None and ticket.status == "open"
    # from then on the user talks to people again, as before the resolution
    assert await reply(bot, "any news?", "u1") == ""


async def test_long_after_a_resolution_a_new_problem_gets_a_new_ticket(
    bot: App, clock: FakeClock
) -> None:
    assert bot.tickets is not None
    await reply(bot, "/ticket", "u1")
    assert await bot.tickets.set_status(1, "resolved", [], clock())
    clock.advance(4 * 24 * 3600)  # past the 72 hours of [tickets] reopen_hours
    told = await reply(bot, "/ticket my card payment failed", "u1")
    assert "Ticket #2 is open" in told
    first = await bot.tickets.get(1)
    assert first is not None and first.status == "resolved"


async def test_a_press_is_kept_in_words_and_summarizes_the_ticket_it_opens(bot: App) -> None:
    assert bot.pipeline is not None and bot.tickets is not None
    answer = await bot.pipeline.dispatch(
        message("I sent USDT on the wrong network", chat_id="c1", sender_id="u1")
    )
    assert answer is not None and answer.refs == ["faq:wrong-network"]
    (check,) = [b for a in answer.actions for row in getattr(a, "buttons", ()) for b in row]
    assert check.data is not None
    await bot.pipeline.dispatch(message("", callback=check.data, chat_id="c1", sender_id="u1"))
    ticket = await bot.tickets.get(1)
    assert ticket is not None
    assert ticket.summary == f"{check.label}: I sent USDT on the wrong network"
    assert ticket.category == "wrong_network" and ticket.intake_step == "coin"
    pressed = await bot.pipeline.dispatch(
        message("", callback="intake:coin:USDT", chat_id="c1", sender_id="u1")
    )
    assert pressed is not None
    ticket = await bot.tickets.get(1)
    assert ticket is not None
    said = [m.text for m in ticket.transcript if m.direction == "in"]
    assert said == ["I sent USDT on the wrong network", f"[{check.label}]", "[USDT]"]
