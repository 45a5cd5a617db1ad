"""Discord end to end: the real discord.py client against the fake REST API and gateway,
through the whole bot (inbox, router, outbox)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bots.app import App
from bots.config import Config, parse_config
from tests.builders import eventually
from tests.fakes.discord import BOT, GUILD, NO_THREADS, STAFF, SUPPORT, FakeDiscord
from tests.fakes.serving import wait_until
from tests.settling import sent_everything, settled

MENTION = f"<@{BOT['id']}>"
SEED = "abandon ability able about above absent absorb abstract absurd abuse access accident"


async def start_bot(tmp_path: Path, dc: FakeDiscord, **discord: Any) -> App:
    app = App(config(tmp_path, dc, **discord))
    await app.start()
    return app


def config(
    tmp_path: Path, dc: FakeDiscord, outbox: dict[str, Any] | None = None, **discord: Any
) -> Config:
    return parse_config(
        {
            "database": {"url": f"sqlite:///{tmp_path / 'bot.db'}"},
            "server": {"port": 0},
            "outbox": outbox or {},
            "bot": {"languages": ["en", "zh", "vi", "de"]},
            "discord": {
                "enabled": True,
                **dc.settings,
                "guild_ids": [int(GUILD)],
                "staff_channel_id": int(STAFF),
                **discord,
            },
        }
    )


@pytest.fixture
async def bot(tmp_path: Path, dc: FakeDiscord) -> AsyncIterator[App]:
    app = await start_bot(tmp_path, dc)
    yield app
    await app.stop()


async def test_a_direct_message_is_answered_in_the_dm(bot: App, dc: FakeDiscord) -> None:
    dc.dm("42", "Wann kommt der NOVA Airdrop?")
    (reply,) = await dc.wait_sent(1, channel_id=dc.dm_channel("42"))
    assert "NOVA" in reply["content"] and "Verteilung" in reply["content"]
    # the privileged intents the bot needs were asked for at IDENTIFY
    assert dc.identified_intents is not None
    assert dc.identified_intents & (1 << 15) and dc.identified_intents & (1 << 1)


async def test_in_a_server_the_bot_answers_mentions_threaded_to_the_question(
    bot: App, dc: FakeDiscord
) -> None:
    chatter = dc.post(SUPPORT, "7", "wen moon frens")
    question = dc.post(SUPPORT, "7", f"{MENTION} when is the NOVA airdrop?")
    (answer,) = await dc.wait_sent(1, channel_id=SUPPORT)
    await settled(bot, "discord", SUPPORT, chatter["id"], question["id"])
    assert len(dc.sent(SUPPORT)) == 1  # the chatter got nothing
    assert str(answer["message_reference"]["message_id"]) == question["id"]
    assert "NOVA" in answer["content"] and MENTION not in answer["content"]
    assert answer["allowed_mentions"]["parse"] == ["users"]  # never @everyone or roles


async def test_a_slash_command_is_acknowledged_at_once_and_then_answered(
    bot: App, dc: FakeDiscord
) -> None:
    assert {c["name"] for c in dc.commands[GUILD]} == {
        "help",
        "ticket",
        "lang",
        "subscribe",
        "unsubscribe",
        "verify",
        "link",
    }
    lang = next(c for c in dc.commands[GUILD] if c["name"] == "lang")
    assert lang["description_localizations"]["de"] == "Antwortsprache wählen"
    interaction = dc.slash(SUPPORT, "7", "help")
    (answer,) = await dc.wait_sent(1, channel_id=SUPPORT)
    # deferred within Discord's window ("thinking..."), then the deferred answer completed
    assert dc.interactions[interaction].answered == 5
    assert answer.get("interaction_id") == interaction
    assert "/lang" in answer["content"]


async def test_without_servers_configured_the_slash_commands_are_global(
    tmp_path: Path, dc: FakeDiscord
) -> None:
    app = await start_bot(tmp_path, dc, guild_ids=[])
    try:
        assert GUILD not in dc.commands
        assert {c["name"] for c in dc.commands["global"]} >= {"help", "ticket", "link"}
        dc.dm("42", "/help")
        (answer,) = await dc.wait_sent(1, channel_id=dc.dm_channel("42"))
        assert "/lang" in answer["content"]
    finally:
        await app.stop()


async def test_buttons_are_acknowledged_and_their_choice_applied(bot: App, dc: FakeDiscord) -> None:
    dc.dm("42", "/lang")
    channel = dc.dm_channel("42")
    (menu,) = await dc.wait_sent(1, channel_id=channel)
    buttons = [b for row in menu["components"] for b in row["components"]]
    assert [b["label"] for b in buttons] == ["English", "简体中文", "Tiếng Việt", "Deutsch"]
    vietnamese = next(b for b in buttons if b["label"] == "Tiếng Việt")
    pressed = dc.press(channel, "42", vietnamese["custom_id"], menu["id"])
    sent = await dc.wait_sent(2, channel_id=channel)
    assert dc.interactions[pressed].answered == 6  # deferred update: no "failed" notice
    assert "tiếng Việt" in sent[1]["content"]


async def test_a_ticket_asked_for_in_public_opens_a_private_thread(
    bot: App, dc: FakeDiscord
) -> None:
    interaction = dc.slash(SUPPORT, "7", "ticket", {"details": "my withdrawal is stuck"})
    (invite,) = await dc.wait_sent(1, channel_id=SUPPORT)
    assert dc.interactions[interaction].answered == 5
    (thread_id, thread) = next(iter(dc.threads.items()))
    assert thread["type"] == 12 and thread["thread_metadata"]["invitable"] is False
    assert dc.thread_members[thread_id] == {"7"}  # only the user (and the bot) see it
    (button,) = invite["components"][0]["components"]
    assert button["url"] == f"https://discord.com/channels/{GUILD}/{thread_id}"
    # the request continues in the thread: acknowledged there, not asked again
    ack, intake = (await dc.wait_sent(2, channel_id=thread_id))[:2]
    assert "Ticket #1" in ack["content"]
    assert intake["components"]  # the intake's first question, with buttons
    assert bot.tickets is not None
    ticket = await bot.tickets.get(1)
    assert ticket is not None and ticket.chat_id == thread_id
    assert ticket.summary == "my withdrawal is stuck"
    dc.post(thread_id, "7", "it was 2 BTC, sent yesterday")  # no mention needed there
    store = bot.store
    assert store is not None

    async def transcript_of_thread() -> list[str]:
        return [m.text for m in await store.messages("in") if m.chat_id == thread_id]

    transcript = await eventually(transcript_of_thread, lambda t: len(t) >= 2)
    assert "it was 2 BTC, sent yesterday" in transcript


async def test_where_threads_are_not_allowed_the_ticket_moves_to_a_dm(
    bot: App, dc: FakeDiscord
) -> None:
    dc.post(NO_THREADS, "8", f"{MENTION} /ticket my deposit never arrived")
    (invite,) = await dc.wait_sent(1, channel_id=NO_THREADS)
    dm = dc.dm_channel("8")
    assert invite["components"][0]["components"][0]["url"].endswith(f"/@me/{dm}")
    ack = (await dc.wait_sent(1, channel_id=dm))[0]
    assert "Ticket #1" in ack["content"]


async def test_a_scam_message_is_deleted_and_its_sender_timed_out(
    bot: App, dc: FakeDiscord
) -> None:
    posted = dc.post(SUPPORT, "13", "🎁 Claim your bonus at https://examp1e-airdrop.com/claim")
    (notice,) = await dc.wait_sent(1, channel_id=SUPPORT)
    assert "removed" in notice["content"]
    assert dc.deleted == [(SUPPORT, posted["id"])]
    assert dc.timeouts["13"] is not None  # communication disabled until a set time
    (staff,) = await dc.wait_sent(1, channel_id=STAFF)
    assert "phishing_link" in staff["content"] and "examp1e-airdrop.com" in staff["content"]


async def test_a_member_renamed_into_staff_is_reported(bot: App, dc: FakeDiscord) -> None:
    dc.join("31", "newcomer")
    await asyncio.sleep(0.3)
    assert dc.sent(STAFF) == []  # an ordinary name: nothing to say
    dc.rename("31", "newcomer", "Example Exchange Support")
    (alert,) = await dc.wait_sent(1, channel_id=STAFF)
    assert "impersonator" in alert["content"] and "Example Exchange Support" in alert["content"]


async def test_429s_are_waited_out_and_lose_nothing(bot: App, dc: FakeDiscord) -> None:
    dc.rate_limit_next = 2
    channel = dc.dm_channel("42")
    asked = [dc.dm("42", text) for text in ("/help", "/lang", "hello")]
    await dc.wait_sent(3, channel_id=channel, within=15)
    await settled(bot, "discord", channel, *(m["id"] for m in asked))
    assert len(dc.sent(channel)) == 3
    assert sum(1 for c in dc.calls if c.status == 429) >= 2


async def test_a_dropped_gateway_resumes_and_loses_no_message(bot: App, dc: FakeDiscord) -> None:
    await dc.drop_gateway()
    dc.dm("42", "/help")  # written while the bot is away
    dc.dm("43", "/help")
    await dc.wait_sent(1, channel_id=dc.dm_channel("42"), within=20)
    await dc.wait_sent(1, channel_id=dc.dm_channel("43"), within=10)
    assert dc.resumes == 1 and dc.identifies == 1  # resumed, not a new session
    await asyncio.sleep(0.3)
    assert len(dc.sent(dc.dm_channel("42"))) == 1


async def test_injected_500s_still_deliver_every_reply_once(bot: App, dc: FakeDiscord) -> None:
    dc.fail_rate = 0.3
    users = [str(u) for u in range(100, 110)]
    for user in users:
        dc.dm(user, "/help")
    for user in users:
        await dc.wait_sent(1, channel_id=dc.dm_channel(user), within=30)
    dc.fail_rate = 0.0
    await sent_everything(bot)  # every DM was answered, so all are handled
    assert all(len(dc.sent(dc.dm_channel(user))) == 1 for user in users)
    assert any(c.status == 500 for c in dc.calls)  # the faults really happened


async def test_a_send_that_hangs_is_given_up_and_retried(tmp_path: Path, dc: FakeDiscord) -> None:
    app = await start_bot(tmp_path, dc, request_timeout=0.5)
    try:
        dc.stall_next = 1
        dc.dm("42", "/help")
        channel = dc.dm_channel("42")
        await dc.wait_sent(1, channel_id=channel, within=20)
        held = next(c for c in dc.calls if c.route.endswith("/messages"))
        # the held request ends too (the fake then answers it 499), and must not count twice
        await wait_until(lambda: held.status != 0, 10, lambda: "the held send never ended")
        assert len(dc.sent(channel)) == 1
        assert held.status == 499
    finally:
        await app.stop()


async def test_closed_dms_are_recorded_as_undeliverable(bot: App, dc: FakeDiscord) -> None:
    dc.blocked.add("55")
    dc.dm("55", "/help")
    assert bot.store is not None
    failed = await eventually(lambda: bot.store.outbox("failed"), bool)
    assert failed and "forbidden" in (failed[0].last_error or "")


async def test_long_input_and_replies_fit_discords_limit(bot: App, dc: FakeDiscord) -> None:
    from channels.base import Reply

    dc.dm("42", "my deposit " + "is missing " * 360)  # a 4,000-character DM
    channel = dc.dm_channel("42")
    await dc.wait_sent(1, channel_id=channel)
    assert bot.pipeline is not None and bot.store is not None and bot.sender is not None
    await bot.sender.idle()  # the bot's reply to the DM (a handover sends two)
    before = len(await dc.wait_sent(1, channel_id=channel))
    text = "Withdrawals resume at 14:00 UTC. " * 140  # 4,620 characters
    rows = bot.pipeline.outbound([Reply(chat_id=channel, text=text)], "discord")
    await bot.store.enqueue(rows, bot.clock())
    bot.sender.wake()
    sent = (await dc.wait_sent(before + 3, channel_id=channel))[before:]
    assert len(sent) == 3 and all(len(s["content"]) <= 2000 for s in sent)
    assert "".join(s["content"] for s in sent).replace(" ", "") == text.replace(" ", "")


async def test_attachments_only_and_other_bots_are_handled_quietly(
    bot: App, dc: FakeDiscord
) -> None:
    picture = {"id": "1", "filename": "proof.png", "size": 10, "url": "u", "proxy_url": "u"}
    picture["content_type"] = "image/png"
    dc.dm("42", "", attachments=[picture])
    other_bot = {**dc.user("77", "otherbot"), "bot": True}
    dc._message_create(dc.dm_channel("77"), None, other_bot, "/help", {})
    assert bot.store is not None
    await eventually(lambda: bot.store.messages("in"), bool)
    await asyncio.sleep(0.3)
    assert [m.sender_id for m in await bot.store.messages("in")] == ["42"]
    assert dc.sent(dc.dm_channel("77")) == []  # never a conversation between bots


async def test_a_rejected_token_or_missing_intents_stop_the_start_with_a_clear_error(
    tmp_path: Path, dc: FakeDiscord, monkeypatch: pytest.MonkeyPatch
) -> None:
    from channels.base import ChannelStartError

    monkeypatch.setenv("SOCIALDESK_DISCORD_TOKEN", "not-the-token")
    with pytest.raises(ChannelStartError, match="SOCIALDESK_DISCORD_TOKEN"):
        async with App(config(tmp_path, dc)):
            pass
    monkeypatch.setenv("SOCIALDESK_DISCORD_TOKEN", "discord-test-token")
    dc.privileged_intents_enabled = False
    with pytest.raises(ChannelStartError, match="Message Content and Server Members"):
        async with App(config(tmp_path, dc)):
            pass


async def test_other_mentions_read_as_names_and_a_deleted_reference_is_no_obstacle(
    bot: App, dc: FakeDiscord
) -> None:
    bob = dc.user("555", "bob")
    dc.post(SUPPORT, "7", f"{MENTION} is <@555> an admin?", mentions=[BOT, bob])
    await dc.wait_sent(1, channel_id=SUPPORT)
    gone = {"message_id": "1234567890", "channel_id": SUPPORT, "guild_id": GUILD}
    reply = dc.post(
        SUPPORT,
        "7",
        f"{MENTION} when is the NOVA airdrop?",
        message_reference=gone,
        referenced_message=None,
    )
    sent = await dc.wait_sent(2, channel_id=SUPPORT)
    assert "NOVA" in sent[1]["content"]
    assert str(sent[1]["message_reference"]["message_id"]) == reply["id"]
    assert bot.store is not None
    texts = [m.text for m in await bot.store.messages("in") if m.chat_id == SUPPORT]
    assert texts[0] == "is @bob an admin?"
