"""Telegram sends that hang or cannot connect, end to end: the real
python-telegram-bot on aiohttp (``channels.telegram.request``) against the fake Bot
API, through the whole bot. A chat whose sends Telegram never answers holds no other
chat back; its reply is tried again after the read timeout; one whose answer was
lost after Telegram delivered it is sent once more, and only once; a reply sent while
Telegram is unreachable arrives once it is back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bots.app import App
from channels.base import Reply
from storage.models import OutboxItem
from tests.builders import eventually
from tests.fakes.telegram import FakeTelegram
from tests.settling import sent_everything
from tests.telegram.test_polling import start_bot as start_polling_bot


async def start_bot(tmp_path: Path, tg: FakeTelegram, **telegram: Any) -> App:
    # a send left unanswered is tried again 0.2 s after its timeout (default: 5 s)
    outbox = {"unanswered_retry_delay": 0.2}
    return await start_polling_bot(
        f"sqlite:///{tmp_path / 'bot.db'}", tg, outbox=outbox, **telegram
    )


async def test_a_chat_telegram_never_answers_holds_no_other_chat_back(
    tmp_path: Path, tg: FakeTelegram
) -> None:
    tg.limits = False  # 30 chats at once: the fake's 30/s is not what is tested here
    # a read timeout far beyond the test, so the hung sends are certainly still open
    bot = await start_bot(tmp_path, tg, read_timeout=120)
    try:
        stuck = range(500, 510)  # more chats than the 8 connections sends used to share
        for chat in stuck:
            tg.hang(chat)
            tg.private(chat, "/help")
        await tg.wait_hanging(len(stuck))
        others = range(600, 620)
        for chat in others:
            tg.private(chat, "/help")
        for chat in others:
            (reply,) = await tg.wait_sent(1, chat_id=chat)
            assert "/lang" in reply["text"]
        # every stuck send is still waiting for its answer: none timed out meanwhile
        assert tg.hanging == len(stuck)
        assert all(tg.sent(chat) == [] for chat in stuck)
    finally:
        tg.unhang()  # answered (500) now, so stopping does not wait for their timeout
        await bot.stop()


async def test_a_send_left_unanswered_is_tried_again_after_its_read_timeout(
    tmp_path: Path, tg: FakeTelegram
) -> None:
    bot = await start_bot(tmp_path, tg, read_timeout=0.5)
    try:
        tg.hang(42)
        tg.private(42, "/help")

        def calls_to_42() -> int:
            return sum(int(c.params["chat_id"]) == 42 for c in tg.calls_to("sendMessage"))

        async def attempts() -> int:
            return calls_to_42()

        assert await eventually(attempts, lambda n: n >= 2, within=15) >= 2  # retried
        row = await only_row(bot)
        assert row.status in ("pending", "sending") and row.attempts >= 1
        assert "Timed out" in (row.last_error or "")
        tg.unhang(42)  # Telegram answers again: the next try gets through
        (reply,) = await tg.wait_sent(1, chat_id=42, within=15)
        assert "/lang" in reply["text"]
        await sent_everything(bot)
        row = await only_row(bot)
        assert row.status == "delivered" and row.platform_message_id is not None
        assert len(tg.sent(42)) == 1  # the timed-out tries never reached the chat
    finally:
        await bot.stop()


async def test_a_reply_whose_answer_was_lost_is_sent_once_more_and_no_chat_waits_for_it(
    tmp_path: Path, tg: FakeTelegram
) -> None:
    bot = await start_bot(tmp_path, tg)
    try:
        tg.lose_responses(42)  # delivered, then the connection closed unanswered
        tg.private(42, "/help")
        tg.private(43, "/help")
        (reply,) = await tg.wait_sent(1, chat_id=43)
        assert "/lang" in reply["text"]
        first, again = await tg.wait_sent(2, chat_id=42, within=15)
        assert first["text"] == again["text"] and "/lang" in first["text"]
        await sent_everything(bot)
        # one retry, delivered: the user has the reply twice, as the README says, no more
        assert len(tg.calls_to("sendMessage")) == 3 and tg.lost == 1
        assert len(tg.sent(42)) == 2
        row = next(r for r in await outbox_rows(bot) if r.chat_id == "42")
        assert row.status == "delivered" and row.attempts == 2
    finally:
        await bot.stop()


async def test_a_reply_sent_while_telegram_is_unreachable_arrives_once_it_is_back(
    tmp_path: Path, tg: FakeTelegram
) -> None:
    bot = await start_bot(tmp_path, tg)
    try:
        await tg.go_offline()  # the port is closed: connections are refused
        assert bot.pipeline is not None and bot.store is not None and bot.sender is not None
        rows = bot.pipeline.outbound([Reply(chat_id="42", text="your deposit arrived")], "telegram")
        await bot.store.enqueue(rows, bot.clock())
        bot.sender.wake()

        async def failed_once() -> OutboxItem:
            return await only_row(bot)

        row = await eventually(failed_once, lambda r: r.attempts >= 1 and bool(r.last_error))
        assert row.status in ("pending", "sending")  # kept for a retry, not given up
        assert (row.last_error or "").startswith("telegram: aiohttp.")  # a NetworkError
        await tg.back_online()
        (reply,) = await tg.wait_sent(1, chat_id=42, within=15)
        assert reply["text"] == "your deposit arrived"
    finally:
        await bot.stop()


async def outbox_rows(bot: App) -> list[OutboxItem]:
    assert bot.store is not None
    return await bot.store.outbox()


async def only_row(bot: App) -> OutboxItem:
    assert bot.store is not None
    (row,) = await bot.store.outbox()
    return row
