"""python-telegram-bot's requests over aiohttp (``channels.telegram.request``): the
real ``telegram.Bot`` against the fake Bot API and against a closed port. Failures
come out as the library's own errors, as with its httpx client: Telegram's answers as
``RetryAfter``/``Forbidden``/``BadRequest``, no answer in time as ``TimedOut``, no
server as ``NetworkError``; a send that hangs holds its connection only until its
read timeout. A failure after the request went out (no answer, the connection closed
after delivery) is also ``AnswerLost``: the message may have been sent."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from channels.telegram.request import AnswerLost, TelegramRequest
from channels.telegram.send import send_text
from tests.fakes.telegram import FakeTelegram

TOKEN = "123456:TEST"


@asynccontextmanager
async def bot_on(base_url: str, request: TelegramRequest) -> AsyncIterator[Bot]:
    bot = Bot(TOKEN, base_url=base_url, request=request, get_updates_request=TelegramRequest())
    async with bot:  # opens the sessions, then getMe
        yield bot


@pytest.fixture
async def bot(tg: FakeTelegram) -> AsyncIterator[Bot]:
    async with bot_on(tg.base_url, TelegramRequest(read_timeout=0.3)) as b:
        yield b


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # nobody listens there once it is closed


async def test_telegrams_answers_are_the_librarys_errors(bot: Bot, tg: FakeTelegram) -> None:
    sent = await bot.send_message(42, "hi")  # the whole Message, as with httpx
    assert sent.text == "hi" and sent.chat_id == 42
    assert tg.sent(42)[0]["text"] == "hi"
    tg.blocked.add(55)
    with pytest.raises(Forbidden, match="blocked"):
        await send_text(bot, 55, "hello")
    with pytest.raises(BadRequest, match="too long"):
        await send_text(bot, 43, "x" * 5000)
    # Telegram allows one message a second to a chat: three at once meet a 429
    results = await asyncio.gather(
        *(send_text(bot, 44, f"n{i}") for i in range(3)), return_exceptions=True
    )
    limited = [r for r in results if isinstance(r, RetryAfter)]
    assert limited and all(r.retry_after for r in limited)
    assert [r for r in results if isinstance(r, int)]  # the first went through: its id


async def test_a_connection_refused_is_a_network_error() -> None:
    async with TelegramRequest() as request:
        bot = Bot(TOKEN, base_url=f"http://127.0.0.1:{closed_port()}/bot", request=request)
        with pytest.raises(NetworkError, match=r"aiohttp\.ClientConnectorError") as raised:
            await send_text(bot, 42, "hello")
    assert not isinstance(raised.value, TimedOut)  # nothing was sent, nothing to doubt
    assert not isinstance(raised.value, AnswerLost)


async def test_a_hung_send_times_out_and_frees_its_connection(tg: FakeTelegram) -> None:
    async with bot_on(tg.base_url, TelegramRequest(connections=1, read_timeout=0.3)) as bot:
        tg.hang(42)
        with pytest.raises(TimedOut) as raised:
            await send_text(bot, 42, "stuck")
        assert isinstance(raised.value, AnswerLost)  # it went out: Telegram may have sent it
        # Telegram still holds the call, but the one connection serves the next chat
        assert tg.hanging == 1
        assert await send_text(bot, 43, "next") >= 1
        assert tg.sent(43)[0]["text"] == "next" and tg.sent(42) == []


async def test_an_answer_lost_after_delivery_is_a_network_error_that_may_have_sent(
    bot: Bot, tg: FakeTelegram
) -> None:
    tg.lose_responses(42)
    with pytest.raises(NetworkError) as raised:
        await send_text(bot, 42, "delivered, unanswered")
    assert isinstance(raised.value, AnswerLost) and not isinstance(raised.value, TimedOut)
    assert [m["text"] for m in tg.sent(42)] == ["delivered, unanswered"]  # the user has it
    assert await send_text(bot, 43, "next") >= 1  # the next send is answered as usual


async def test_no_free_connection_is_a_pool_timeout_and_nothing_is_sent(
    tg: FakeTelegram,
) -> None:
    async with bot_on(tg.base_url, TelegramRequest(connections=1, read_timeout=60)) as bot:
        tg.hang(42)
        stuck = asyncio.create_task(send_text(bot, 42, "stuck"))
        await tg.wait_hanging(1)
        calls = len(tg.calls)
        with pytest.raises(TimedOut, match="Pool timeout") as raised:
            await bot.send_message(43, "waits for a connection", pool_timeout=0.1)
        assert not isinstance(raised.value, AnswerLost)
        assert len(tg.calls) == calls  # the second request never left
        tg.unhang()
        with pytest.raises(NetworkError):  # the hung call is answered with a 500
            await stuck


async def test_requests_need_initialize_and_reopen_after_shutdown(tg: FakeTelegram) -> None:
    request = TelegramRequest()
    bot = Bot(TOKEN, base_url=tg.base_url, request=request)
    with pytest.raises(NetworkError, match="not initialized"):  # wrapped by the library
        await request.post(f"{tg.base_url}{TOKEN}/getMe")
    for chat in (42, 43):  # initialize, shut down, and again
        async with request:
            assert await send_text(bot, chat, "hi") >= 1
    assert [m["text"] for m in tg.sent()] == ["hi", "hi"]
