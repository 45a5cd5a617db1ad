"""X end to end: the real tweepy client against the fake X API, through the whole bot
(inbox, router, outbox, cursors in the bot's database)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bots.app import App
from channels.base import Reply
from tests.builders import bot_config
from tests.fakes.x import ACCOUNT, FakeX
from tests.settling import sent_everything

DMS = "GET /2/dm_events"
MENTIONS = "GET /2/users/:id/mentions"
SEND_DM = "POST /2/dm_conversations/with/:id/messages"


async def start_bot(
    tmp_path: Path, x: FakeX, *, broadcasts: dict[str, Any] | None = None, **settings: Any
) -> App:
    """A bot with the X channel (``settings``: its section), returned once its first
    polls are done, so what the test adds next is news rather than history.

    Its sends are paced at 10/s instead of the default 100 per 15 minutes (one per 9 s,
    which every second send of a test waited out): these tests are about what is sent,
    and X's own limits (the fake's windows and injected 429s) still apply."""
    section = {
        "enabled": True,
        "api_base": x.base_url,
        "poll_min_seconds": 0.02,
        "poll_max_seconds": 0.3,
        "max_sends_per_15_minutes": 9000,
        **settings,
    }
    config = bot_config(
        tmp_path, webchat={"enabled": False}, x=section, broadcasts=broadcasts or {}
    )
    polled = [DMS] if section.get("dms", True) else []
    polled += [MENTIONS] if section.get("mentions", True) else []
    before = {r: len(x.calls_to(r)) for r in polled}
    app = App(config)
    await app.start()
    if section.get("mode", "polling") == "polling":
        for route, count in before.items():
            await x.wait_until(lambda r=route, c=count: len(x.calls_to(r)) > c)
    return app


@pytest.fixture
async def bot(tmp_path: Path, x: FakeX) -> AsyncIterator[App]:
    app = await start_bot(tmp_path, x)
    yield app
    await app.stop()


async def polls(x: FakeX, route: str, more: int = 3) -> None:
    """Let the bot poll ``more`` more times."""
    count = len(x.calls_to(route))
    await x.wait_until(lambda: len(x.calls_to(route)) >= count + more)


async def test_a_dm_question_is_answered_by_dm_once(bot: App, x: FakeX) -> None:
    x.dm("222", "When is the NOVA airdrop?")
    await x.wait_until(lambda: len(x.dms_sent) >= 1, what="an answer by DM")
    await polls(x, DMS)  # the bot's own answer is in the DM list now: it is not answered
    (answer,) = x.dms_sent
    assert answer["participant_id"] == "222" and "NOVA" in answer["text"]
    assert x.posts == []  # nothing about it in public


def answers_to(x: FakeX, post_id: str) -> list[dict[str, Any]]:
    return [p for p in x.posts if p["in_reply_to"] == post_id]


async def test_a_mention_is_answered_once_in_its_thread_across_a_restart(
    tmp_path: Path, x: FakeX
) -> None:
    app = await start_bot(tmp_path, x)
    try:
        mention = x.mention("333", "When is the NOVA airdrop?")
        await x.wait_until(lambda: len(answers_to(x, mention["id"])) >= 1, what="an answer")
    finally:
        await app.stop()
    app = await start_bot(tmp_path, x)  # a new process, the same database
    try:
        await polls(x, MENTIONS)
        later = x.mention("444", "hello")
        await x.wait_until(lambda: len(answers_to(x, later["id"])) >= 1, what="the next answer")
        await polls(x, MENTIONS)
    finally:
        await app.stop()
    (answer,) = answers_to(x, mention["id"])
    assert "NOVA" in answer["text"]
    assert len(answers_to(x, later["id"])) == 1
    assert x.dms_sent == []


async def test_a_ticket_asked_for_in_public_is_invited_to_dms(bot: App, x: FakeX) -> None:
    mention = x.mention("333", "/ticket my withdrawal of 2 BTC is stuck, my UID is 83920174")
    await x.wait_until(lambda: len(x.posts) >= 1, what="an invitation")
    await polls(x, MENTIONS)
    (invite,) = x.posts
    assert invite["in_reply_to"] == mention["id"]
    assert "private chat" in invite["text"]
    assert invite["deep_link"].startswith(
        f"https://twitter.com/messages/compose?recipient_id={ACCOUNT['id']}"
    )
    assert "83920174" not in invite["text"] + invite["deep_link"]
    assert bot.tickets is not None and await bot.tickets.get(1) is None  # none opened in public
    x.dm("333", "/ticket my withdrawal is stuck")  # the user follows the link
    await x.wait_until(lambda: len(x.dms_sent) >= 1, what="the ticket's acknowledgement")
    assert "Ticket #1" in x.dms_sent[0]["text"]


async def test_a_long_public_answer_is_a_numbered_thread(tmp_path: Path, x: FakeX) -> None:
    mention = x.mention("333", "what are the withdrawal rules?")
    text = " ".join(f"Rule {n}: use the network named on the deposit page." for n in range(15))
    app = await start_bot(tmp_path, x, mentions=False)  # only this answer is posted
    try:
        assert app.pipeline is not None and app.store is not None and app.sender is not None
        reply = Reply(chat_id=f"post:{mention['id']}", text=text, reply_to=mention["id"])
        await app.store.enqueue(app.pipeline.outbound([reply], "x"), app.clock())
        app.sender.wake()
        await x.wait_until(lambda: x.posts and x.posts[-1]["text"].endswith(f"/{len(x.posts)})"))
    finally:
        await app.stop()
    thread = x.posts
    assert len(thread) >= 3
    assert [p["text"].rsplit(" ", 1)[1] for p in thread] == [
        f"({i}/{len(thread)})" for i in range(1, len(thread) + 1)
    ]
    assert thread[0]["in_reply_to"] == mention["id"]
    assert [p["in_reply_to"] for p in thread[1:]] == [p["id"] for p in thread[:-1]]
    assert " ".join(p["text"].rsplit(" ", 1)[0] for p in thread) == text


async def test_a_429_on_a_dm_delays_the_answer_and_loses_nothing(bot: App, x: FakeX) -> None:
    x.fail_next(SEND_DM, 429, reset_in=1)
    x.dm("222", "hello")
    await x.wait_until(lambda: len(x.dms_sent) >= 1, within=20, what="the delayed answer")
    await sent_everything(bot)  # answered, so handled; and nothing else is due
    limited = next(c for c in x.calls_to(SEND_DM) if c.status == 429)
    assert [c.at >= limited.reset for c in x.calls_to(SEND_DM) if c.status != 429] == [True]
    assert len(x.dms_sent) == 1


async def test_the_webhook_answers_the_crc_and_checks_signatures(tmp_path: Path, x: FakeX) -> None:
    app = await start_bot(tmp_path, x, mode="webhook")
    url = f"{app.url}/x/webhook"
    event = {
        "for_user_id": ACCOUNT["id"],
        "direct_message_events": [
            {
                "type": "message_create",
                "id": "1870000000000000001",
                "created_timestamp": "1764400000000",
                "message_create": {
                    "target": {"recipient_id": ACCOUNT["id"]},
                    "sender_id": "222",
                    "message_data": {"text": "When is the NOVA airdrop?", "entities": {}},
                },
            }
        ],
        "users": {"222": {"id": "222", "name": "Al", "screen_name": "al"}},
    }
    try:
        status, proved = await x.crc(url)
        assert (status, proved) == (200, True)
        assert await x.deliver(url, event, signature=None) == 403
        assert await x.deliver(url, event, signature="sha256=bm90IHRoZSBzaWduYXR1cmU=") == 403
        await sent_everything(app)  # refused at the door: nothing was queued
        assert x.dms_sent == []  # nothing of the rejected deliveries was handled
        assert await x.deliver(url, event) == 200
        await x.wait_until(lambda: len(x.dms_sent) >= 1, what="the answer to the signed DM")
        assert x.calls_to(DMS) == [] and x.calls_to(MENTIONS) == []  # no polling
    finally:
        await app.stop()
    (answer,) = x.dms_sent
    assert answer["participant_id"] == "222" and "NOVA" in answer["text"]


async def test_the_language_is_chosen_by_typing_where_there_are_no_buttons(
    bot: App, x: FakeX
) -> None:
    x.dm("222", "/lang")
    await x.wait_until(lambda: len(x.dms_sent) >= 1, what="the language menu")
    assert "/lang vi — Tiếng Việt" in x.dms_sent[0]["text"]
    x.dm("222", "/lang vi")
    await x.wait_until(lambda: len(x.dms_sent) >= 2, what="the confirmation")
    assert "tiếng Việt" in x.dms_sent[1]["text"]


async def test_a_poll_that_hangs_is_given_up_and_nothing_is_lost(tmp_path: Path, x: FakeX) -> None:
    app = await start_bot(tmp_path, x, request_timeout=0.5)
    try:
        x.fail_next(DMS, 0, reset_in=3)  # X holds the next DM poll without answering
        x.dm("222", "When is the NOVA airdrop?")
        await x.wait_until(lambda: len(x.dms_sent) >= 1, within=15, what="the answer")
        # the held poll ends too (the fake then answers it 499), and must not count twice
        await x.wait_until(
            lambda: any(c.status == 499 for c in x.calls_to(DMS)), what="the held poll's end"
        )
        await polls(x, DMS)
        assert len(x.dms_sent) == 1 and "NOVA" in x.dms_sent[0]["text"]
        assert any(c.status == 499 for c in x.calls_to(DMS))  # the hang really happened
    finally:
        await app.stop()
