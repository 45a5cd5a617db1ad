"""A Discord send whose answer was lost, retried: each message goes with its outbox
row's key as nonce and ``enforce_nonce``, so Discord (here the fake, which keeps
nonces as Discord does) hands back the message it posted on the first try instead of
posting it again. Another reply, even one with the same words, is a row of its own
and is posted."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bots.app import App
from channels.base import DeliveryError, Reply
from channels.discord import DiscordAdapter
from handlers.outbox import send_key
from storage.models import OutboxItem
from storage.store import OutboundWork, Store
from tests.builders import eventually
from tests.discord.test_e2e import config
from tests.fakes.discord import SUPPORT, FakeDiscord


def send_calls(dc: FakeDiscord, channel: str) -> list[dict[str, object]]:
    """Every send the bot asked for in ``channel``, posted or handed back."""
    route = f"channels/{channel}/messages"
    return [c.body for c in dc.calls if c.method == "POST" and c.route == route]


async def test_a_retry_with_the_same_key_gets_the_first_message_back(
    adapter: DiscordAdapter, dc: FakeDiscord
) -> None:
    reply = Reply(chat_id=SUPPORT, text="your deposit arrived", idempotency_key="17.abc")
    dc.lose_answers(SUPPORT)
    with pytest.raises(DeliveryError) as raised:
        await adapter.perform(reply)
    assert raised.value.maybe_delivered
    (posted,) = dc.sent(SUPPORT)
    assert await adapter.perform(reply) == posted["id"]  # the message the user has
    assert dc.texts(SUPPORT) == ["your deposit arrived"]
    calls = send_calls(dc, SUPPORT)
    assert [(c["nonce"], c["enforce_nonce"]) for c in calls] == [("17.abc", True)] * 2


async def test_the_same_words_under_another_key_are_posted(
    adapter: DiscordAdapter, dc: FakeDiscord
) -> None:
    for key in ("17.abc", "18.abc"):
        await adapter.perform(Reply(chat_id=SUPPORT, text="thanks!", idempotency_key=key))
    assert dc.texts(SUPPORT) == ["thanks!", "thanks!"]


async def test_past_discords_window_a_key_no_longer_holds(
    adapter: DiscordAdapter, dc: FakeDiscord
) -> None:
    """What the README says: a retry later than Discord's few minutes posts again."""
    dc.nonce_window = 0.0
    reply = Reply(chat_id=SUPPORT, text="late retry", idempotency_key="17.abc")
    await adapter.perform(reply)
    await adapter.perform(reply)
    assert dc.texts(SUPPORT) == ["late retry", "late retry"]


async def test_a_retry_of_a_message_deleted_meanwhile_is_not_posted_again(
    adapter: DiscordAdapter, dc: FakeDiscord
) -> None:
    reply = Reply(chat_id=SUPPORT, text="removed by a moderator", idempotency_key="17.abc")
    dc.lose_answers(SUPPORT)
    with pytest.raises(DeliveryError):
        await adapter.perform(reply)
    (posted,) = dc.sent(SUPPORT)
    dc.deleted.append((SUPPORT, posted["id"]))
    with pytest.raises(DeliveryError) as raised:
        await adapter.perform(reply)
    assert raised.value.permanent and dc.texts(SUPPORT) == ["removed by a moderator"]


async def delivered(store: Store, count: int) -> list[OutboxItem]:
    async def rows() -> list[OutboxItem]:
        return await store.outbox("delivered")

    return await eventually(rows, lambda found: len(found) >= count, within=10.0)


async def test_the_outbox_retry_after_a_lost_answer_leaves_one_message(
    tmp_path: Path, dc: FakeDiscord
) -> None:
    async with App(config(tmp_path, dc, outbox={"unanswered_retry_delay": 0})) as bot:
        assert bot.store is not None
        channel = dc.dm_channel("42")
        dc.lose_answers(channel)
        dc.dm("42", "/help")
        (row,) = await delivered(bot.store, 1)
        assert row.attempts == 2  # the first try lost its answer
        (reply,) = dc.sent(channel)
        assert row.platform_message_id == reply["id"]  # the one message, recorded
        assert len(send_calls(dc, channel)) == 2  # the retry went, and was handed back

        dc.dm("42", "Wann kommt der NOVA Airdrop?")  # another reply to the same user
        first, second = await dc.wait_sent(2, channel_id=channel)
        assert first["id"] == reply["id"] and "NOVA" in second["content"]
        assert len({c["nonce"] for c in send_calls(dc, channel)}) == 2
        assert len(await delivered(bot.store, 2)) == 2


async def test_each_part_of_a_long_reply_has_its_own_key(tmp_path: Path, dc: FakeDiscord) -> None:
    async with App(config(tmp_path, dc, outbox={"unanswered_retry_delay": 0})) as bot:
        assert bot.store is not None and bot.outbox is not None
        sentences = " ".join(["Confirm the withdrawal address."] * 45)
        paragraphs = [f"Step {n}: {sentences}" for n in (1, 2, 3)]
        dc.lose_answers(SUPPORT)  # the first part is posted, its answer lost
        await bot.outbox.enqueue([Reply(chat_id=SUPPORT, text="\n\n".join(paragraphs))], "discord")
        rows = await delivered(bot.store, 3)
        assert [r.attempts for r in rows] == [2, 1, 1]
        assert dc.texts(SUPPORT) == paragraphs  # each part once
        nonces = [m["nonce"] for m in dc.sent(SUPPORT)]
        assert len(set(nonces)) == 3 and all(len(n) <= 25 for n in nonces)


def work(row_id: int, text: str) -> OutboundWork:
    action = {"type": "reply", "chat_id": SUPPORT, "text": text}
    return OutboundWork(row_id, "discord", SUPPORT, action, None, attempts=1, owner="a")


def test_a_rows_key_is_the_same_on_every_try_and_fits_a_nonce() -> None:
    first = work(17, "hi")
    later = replace(first, attempts=5, owner="another process")
    assert send_key(first) == send_key(later) and send_key(first).startswith("17.")
    assert len(send_key(work(2**63 - 1, "hi"))) <= 25  # the largest row id still fits
    # another row, or the same id saying something else (a replaced database): another key
    assert len({send_key(first), send_key(work(18, "hi")), send_key(work(17, "bye"))}) == 3
