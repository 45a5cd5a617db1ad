"""Telegram end to end: the real python-telegram-bot against the fake Bot API,
through the whole bot (inbox, router, outbox)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bots.app import App
from bots.config import parse_config
from tests.fakes.telegram import BOT, FakeTelegram, help_update
from tests.settling import handled, sent_everything, settled

SEED = "abandon ability able about above absent absorb abstract absurd abuse access accident"
GROUP = -1001


async def start_bot(tmp_path: Path, tg: FakeTelegram, **telegram: Any) -> App:
    config = parse_config(
        {
            "database": {"url": f"sqlite:///{tmp_path / 'bot.db'}"},
            "server": {"port": 0},
            "bot": {"languages": ["en", "zh", "vi", "de"]},
            "telegram": {
                "enabled": True,
                "base_url": tg.base_url,
                "poll_timeout": 1,
                "staff_chat_id": -999,
                **telegram,
            },
        }
    )
    app = App(config)
    await app.start()
    return app


@pytest.fixture
async def bot(tmp_path: Path, tg: FakeTelegram) -> AsyncIterator[App]:
    app = await start_bot(tmp_path, tg)
    yield app
    await app.stop()


async def test_a_private_question_is_answered(bot: App, tg: FakeTelegram) -> None:
    tg.private(42, "Wann kommt der NOVA Airdrop?", language="de")
    (reply,) = await tg.wait_sent(1, chat_id=42)
    assert "NOVA" in reply["text"] and "Verteilung" in reply["text"]
    commands = tg.calls_to("setMyCommands")
    assert {c.params.get("language_code") for c in commands} >= {"en", "zh", "vi", "de"}
    menu = next(c for c in commands if c.params.get("language_code") == "de").params["commands"]
    assert {"command": "lang", "description": "Antwortsprache wählen"} in menu


async def test_groups_get_answers_only_when_they_address_the_bot(
    bot: App, tg: FakeTelegram
) -> None:
    chatter = tg.group(GROUP, 7, "wen moon frens")
    tg.group(GROUP, 7, f"@{BOT['username']} how do I pass KYC?")
    (answer,) = await tg.wait_sent(1, chat_id=GROUP)
    await handled(bot, "telegram", GROUP, chatter["message"]["message_id"])
    # a chat's replies leave in order: had the chatter been answered, that came first
    assert len(tg.sent(GROUP)) == 1  # the chatter got nothing
    assert answer["reply_parameters"]["message_id"] == 2  # threaded to the question
    # the bot's handle ("…support_bot") is how the group calls it, not a fake support
    assert "⚠️" not in answer["text"] and "scammer" not in answer["text"]
    tg.reply_to_bot(GROUP, 8, "and how long does it take?", bot_message_id=1)
    await tg.wait_sent(2, chat_id=GROUP, within=5)


async def test_lang_buttons_are_answered_and_switch_the_language(
    bot: App, tg: FakeTelegram
) -> None:
    tg.private(42, "/lang")
    (menu,) = await tg.wait_sent(1, chat_id=42)
    labels = [b["text"] for row in menu["reply_markup"]["inline_keyboard"] for b in row]
    assert labels == ["English", "简体中文", "Tiếng Việt", "Deutsch"]
    tg.press(42, 42, "lang:vi")
    sent = await tg.wait_sent(2, chat_id=42)
    assert "tiếng Việt" in sent[1]["text"]
    assert tg.calls_to("answerCallbackQuery")  # the client's spinner stopped
    tg.private(42, "hello")
    assert "Xin chào" in (await tg.wait_sent(3, chat_id=42))[2]["text"]


async def test_a_seed_phrase_in_a_group_is_deleted_and_staff_told(
    bot: App, tg: FakeTelegram
) -> None:
    posted = tg.group(GROUP, 9, f"is this my wallet backup? {SEED}")
    await tg.wait_sent(1, chat_id=GROUP)
    deleted = tg.calls_to("deleteMessage")
    assert [int(c.params["message_id"]) for c in deleted] == [posted["message"]["message_id"]]
    assert "new wallet" in tg.sent(GROUP)[0]["text"]
    staff = await tg.wait_sent(1, chat_id=-999)
    assert "seed_phrase" in staff[0]["text"] and "abandon" not in staff[0]["text"]


async def test_an_edit_into_a_secret_is_caught(bot: App, tg: FakeTelegram) -> None:
    original = tg.group(GROUP, 9, "hi all")
    await handled(bot, "telegram", GROUP, original["message"]["message_id"])
    tg.edit(original, f"backup: {SEED}")
    await tg.wait_sent(1, chat_id=GROUP)
    assert tg.calls_to("deleteMessage")


async def test_a_redelivered_update_is_answered_once(bot: App, tg: FakeTelegram) -> None:
    update = tg.private(42, "/help")
    await tg.wait_sent(1, chat_id=42)
    again = tg.push(message=update["message"])  # Telegram delivers the same message again
    await tg.wait_confirmed(again)
    # the copy leaves no trace to wait for; the user's next message is handled after it
    # (one user's messages in order), so once that one is answered the copy was handled
    later = tg.private(42, "/help")
    await handled(bot, "telegram", 42, later["message"]["message_id"])
    # a reply is stored with its message's handling: two rows, none for the copy
    assert bot.store is not None
    rows = [r for r in await bot.store.outbox() if r.channel == "telegram" and r.chat_id == "42"]
    assert len(rows) == 2
    # (the second may meet Telegram's one-a-second limit: a 429 delays it, it still comes)
    await tg.wait_sent(2, chat_id=42, within=10)
    await settled(bot, "telegram", 42, later["message"]["message_id"])
    assert len(tg.sent(42)) == 2


async def test_429s_delay_replies_but_lose_none(bot: App, tg: FakeTelegram) -> None:
    for text in ("/help", "/lang", "hello"):
        tg.private(42, text)  # three replies to one chat inside a second: 1/s allowed
    sent = await tg.wait_sent(3, chat_id=42, within=15)
    assert len(sent) == 3


async def test_injected_500s_still_deliver_every_reply_exactly_once(
    bot: App, tg: FakeTelegram
) -> None:
    tg.fail_rate = 0.2
    users = range(100, 120)
    for user in users:
        tg.private(user, "/help")
    for user in users:
        await tg.wait_sent(1, chat_id=user, within=30)
    tg.fail_rate = 0.0
    await sent_everything(bot)  # every update was answered, so all are handled
    assert all(len(tg.sent(user)) == 1 for user in users)
    failed = [c for c in tg.calls_to("sendMessage") if not c.params.get("_ok")]
    assert failed  # the faults really happened


async def test_a_blocked_user_is_recorded_as_undeliverable(bot: App, tg: FakeTelegram) -> None:
    tg.blocked.add(55)
    tg.private(55, "/help")
    assert bot.store is not None
    for _ in range(100):
        failed = await bot.store.outbox("failed")
        if failed:
            break
        await asyncio.sleep(0.05)
    assert failed and "blocked" in (failed[0].last_error or "")


async def test_the_webhook_checks_the_secret(
    tmp_path: Path, tg: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOCIALDESK_TELEGRAM_WEBHOOK_SECRET", "s3cr3t-token")
    app = await start_bot(
        tmp_path, tg, mode="webhook", webhook_url="https://bot.example.com/telegram/webhook"
    )
    try:
        assert tg.webhook is not None and tg.webhook["secret_token"] == "s3cr3t-token"
        update = help_update(1)
        url = f"{app.url}/telegram/webhook"
        async with aiohttp.ClientSession() as http:
            for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
                async with http.post(url, json=update, headers=headers) as r:
                    assert r.status == 403
            bad = {"X-Telegram-Bot-Api-Secret-Token": "s3cr3t-token"}
            async with http.post(url, data=b"{not json", headers=bad) as r:
                assert r.status == 400
            await sent_everything(app)  # refused at the door: nothing was queued
            assert tg.sent(42) == []  # nothing of the rejected requests was processed
            async with http.post(url, json=update, headers=bad) as r:
                assert r.status == 200
        (reply,) = await tg.wait_sent(1, chat_id=42)
        assert "/lang" in reply["text"]
    finally:
        await app.stop()


async def test_long_replies_are_split_at_4096_utf16_units(bot: App, tg: FakeTelegram) -> None:
    from channels.base import Reply

    text = ("🚀 ‏שלום " * 700).strip()  # emoji count twice; RTL marks are characters too
    assert bot.pipeline is not None and bot.store is not None and bot.sender is not None
    rows = bot.pipeline.outbound([Reply(chat_id="42", text=text)], "telegram")
    await bot.store.enqueue(rows, bot.clock())
    bot.sender.wake()
    sent = await tg.wait_sent(2, chat_id=42, within=10)
    assert all(len(s["text"].encode("utf-16-le")) // 2 <= 4096 for s in sent)
    assert "".join(s["text"] for s in sent).replace(" ", "") == text.replace(" ", "")


async def test_a_ticket_asked_for_in_a_group_moves_to_private(bot: App, tg: FakeTelegram) -> None:
    tg.group(GROUP, 7, "/ticket my withdrawal is stuck")
    (invite,) = await tg.wait_sent(1, chat_id=GROUP)
    (button,) = invite["reply_markup"]["inline_keyboard"][0]
    assert button["url"].startswith(f"https://t.me/{BOT['username']}?start=")
    assert "private" in invite["text"]
    assert bot.tickets is not None
    assert await bot.tickets.get(1) is None  # nothing personal opened in public
    payload = button["url"].split("start=")[1]
    tg.private(7, f"/start {payload}")  # the user taps the link: Telegram sends /start
    ack, intake = await tg.wait_sent(2, chat_id=7)
    assert "Ticket #1" in ack["text"]
    keys = [b["callback_data"] for row in intake["reply_markup"]["inline_keyboard"] for b in row]
    assert "intake:category:withdrawal_delayed" in keys and "intake:category:skip" in keys
    ticket = await bot.tickets.get(1)
    assert ticket is not None and ticket.chat_id == "7"
    assert ticket.summary == "my withdrawal is stuck"
    tg.press(7, 7, "intake:category:account_kyc")  # the intake, with Telegram's buttons
    assert "UID" in (await tg.wait_sent(3, chat_id=7))[2]["text"]
    tg.private(7, "12345678")
    assert "everything" in (await tg.wait_sent(4, chat_id=7))[3]["text"]
    ticket = await bot.tickets.get(1)
    assert ticket is not None and (ticket.category, ticket.uid) == ("account_kyc", "12345678")


async def test_a_flood_from_one_user_does_not_silence_the_others(
    bot: App, tg: FakeTelegram
) -> None:
    tg.limits = False  # measure the bot's own flood control, not Telegram's
    started = time.monotonic()
    for _ in range(300):
        tg.private(66, "/help")
    tg.private(67, "/help")
    (answer,) = await tg.wait_sent(1, chat_id=67, within=30)
    assert "/lang" in answer["text"]
    assert bot.pipeline is not None and bot.store is not None
    for _ in range(200):  # every flooded update is recorded, none lost
        recorded = [m for m in await bot.store.messages("in") if m.chat_id == "66"]
        if len(recorded) == 300:
            break
        await asyncio.sleep(0.05)
    assert len(recorded) == 300
    # the bucket leaks while the flood is being read: on a loaded machine that takes
    # seconds, and each second admits rate/period more; the rest is refused
    flood = bot.pipeline.flood
    leaked = (time.monotonic() - started) * flood.rate / flood.period
    # replies to the flooder wait their turn at 1/s per chat; what was decided is queued
    queued = [i.action["text"] for i in await bot.store.outbox() if i.chat_id == "66"]
    assert len(queued) <= flood.rate + leaked + 3 < 150
    assert sum("faster than I can read" in text for text in queued) == 1


async def test_subscribing_to_notices(bot: App, tg: FakeTelegram) -> None:
    from storage.subscriptions import SubscriptionStore

    assert bot.store is not None
    subscriptions = SubscriptionStore(bot.store)
    tg.private(42, "/subscribe", language="de")
    assert "Abonniert" in (await tg.wait_sent(1, chat_id=42))[0]["text"]
    assert [(s.chat_id, s.language) for s in await subscriptions.list("telegram")] == [("42", "de")]
    tg.private(42, "/subscribe", language="de")
    assert "schon" in (await tg.wait_sent(2, chat_id=42, within=5))[1]["text"]
    tg.private(42, "/unsubscribe", language="de")
    assert "beendet" in (await tg.wait_sent(3, chat_id=42, within=5))[2]["text"]
    assert await subscriptions.list("telegram") == []
    tg.group(GROUP, 42, "/subscribe")
    (invite,) = await tg.wait_sent(1, chat_id=GROUP)
    assert invite["reply_markup"]["inline_keyboard"][0][0]["url"].startswith("https://t.me/")
    menu = next(c for c in tg.calls_to("setMyCommands") if c.params.get("language_code") == "en")
    assert {c["command"] for c in menu.params["commands"]} == {
        "start",
        "help",
        "lang",
        "ticket",
        "subscribe",
        "unsubscribe",
        "verify",
        "link",
    }


async def test_a_phishing_link_in_a_group_is_removed_and_its_sender_muted(
    bot: App, tg: FakeTelegram
) -> None:
    posted = tg.group(GROUP, 13, "🎁 Claim your bonus at https://examp1e-airdrop.com/claim")
    (notice,) = await tg.wait_sent(1, chat_id=GROUP)
    assert "removed" in notice["text"] and "examp1e-airdrop.com" in notice["text"]
    assert [int(c.params["message_id"]) for c in tg.calls_to("deleteMessage")] == [
        posted["message"]["message_id"]
    ]
    (muted,) = tg.calls_to("restrictChatMember")
    assert (
        int(muted.params["user_id"]) == 13
        and muted.params["permissions"]["can_send_messages"] is False
    )
    staff = await tg.wait_sent(1, chat_id=-999)
    assert "phishing_link" in staff[0]["text"] and "examp1e-airdrop.com" in staff[0]["text"]


async def test_an_impersonator_joining_is_reported(bot: App, tg: FakeTelegram) -> None:
    tg.join(
        GROUP,
        {
            "id": 31,
            "is_bot": False,
            "first_name": "Example Exchange",
            "last_name": "Support",
            "username": "exchange_helpdesk",
        },
    )
    (alert,) = await tg.wait_sent(1, chat_id=-999)
    assert "impersonator" in alert["text"] and "Example Exchange Support" in alert["text"]
