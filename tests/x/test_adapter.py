"""The X adapter alone: the real tweepy client against the fake X API, with the
messages it hands over collected, and its cursors in a real database."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from channels.base import DeliveryError, InvitePrivate, MemberEvent, Message, Reply
from channels.x import XAdapter, XCredentials, XSettings
from storage.cursors import CursorStore
from storage.migrate import upgrade
from storage.store import Store, is_blocked
from tests.fakes.x import ACCOUNT, CONSUMER_KEY, CONSUMER_SECRET, FakeX

CREDENTIALS = XCredentials(CONSUMER_KEY, CONSUMER_SECRET, "at-test", "ats-test")
DMS = "GET /2/dm_events"
MENTIONS = "GET /2/users/:id/mentions"
SEND_DM = "POST /2/dm_conversations/with/:id/messages"
POST = "POST /2/tweets"


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    upgrade(url)
    s = Store.open(url)
    yield s
    await s.close()


class Collected(list[Message]):
    """What the adapter handed to the pipeline."""

    async def __call__(self, event: Message | MemberEvent) -> None:
        assert isinstance(event, Message)
        self.append(event)

    def texts(self) -> list[str]:
        return [m.text for m in self]


@asynccontextmanager
async def running(x: FakeX, store: Store, **settings: Any) -> AsyncIterator[Collected]:
    """An adapter polling the fake, stopped on exit; returns once both polls ran once,
    so what the test adds next is news, not history."""
    values: dict[str, Any] = {
        "enabled": True,
        "api_base": x.base_url,
        "poll_min_seconds": 0.02,
        "poll_max_seconds": 0.5,
    }
    values.update(settings)
    adapter = XAdapter(XSettings(**values), CREDENTIALS, cursors=CursorStore(store, "x"))
    collected = Collected()
    seen = {r: len([c for c in x.calls_to(r) if c.status == 200]) for r in (DMS, MENTIONS)}
    await adapter.start(collected)
    try:
        for route, before in seen.items():
            await x.wait_until(
                lambda r=route, b=before: len([c for c in x.calls_to(r) if c.status == 200]) > b
            )
        yield collected
    finally:
        await adapter.stop()


async def test_history_before_the_first_start_is_not_answered(x: FakeX, store: Store) -> None:
    x.dm("222", "an old question from last year")
    x.mention("333", "an old mention")
    async with running(x, store) as got:
        x.dm("222", "a new question")
        await x.wait_until(lambda: len(got) >= 1)
        await x.wait_until(lambda: len(x.calls_to(DMS)) >= 4)
    assert got.texts() == ["a new question"]
    assert got[0].chat_id == "dm:222" and got[0].chat_kind == "private"


async def test_dms_are_neither_repeated_nor_missed_across_a_restart(x: FakeX, store: Store) -> None:
    async with running(x, store) as first:
        x.dm("222", "before the restart")
        await x.wait_until(lambda: len(first) == 1)
    x.page_limit = 2  # what came while the bot was down spans several pages
    for n in range(5):
        x.dm("222", f"while down {n}")
    async with running(x, store) as second:
        x.dm("222", "after the restart")
        await x.wait_until(lambda: len(second) >= 6, what="every DM after the restart")
        polls = len(x.calls_to(DMS))
        await x.wait_until(lambda: len(x.calls_to(DMS)) >= polls + 2)
    assert first.texts() == ["before the restart"]
    assert second.texts() == [*(f"while down {n}" for n in range(5)), "after the restart"]
    assert any("pagination_token" in c.params for c in x.calls_to(DMS))


async def test_every_page_of_mentions_is_read_and_handed_over_oldest_first(
    x: FakeX, store: Store
) -> None:
    old = x.mention("333", "answered by the last run")
    async with running(x, store) as got:
        x.page_limit = 2
        sent = [x.mention("333", f"question {n}") for n in range(5)]
        await x.wait_until(lambda: len(got) == 5, what="all five mentions")
    assert got.texts() == [f"question {n}" for n in range(5)]
    assert [m.platform_message_id for m in got] == [t["id"] for t in sent]
    assert got[0].chat_kind == "mention" and got[0].chat_id == f"post:{sent[0]['id']}"
    paged = [c for c in x.calls_to(MENTIONS) if "pagination_token" in c.params]
    assert paged and all(c.params.get("since_id") == old["id"] for c in paged)


async def test_a_restart_does_not_hand_a_mention_over_again(x: FakeX, store: Store) -> None:
    async with running(x, store) as first:
        x.mention("333", "is the NOVA airdrop live?")
        await x.wait_until(lambda: len(first) == 1)
    async with running(x, store) as second:
        polls = len(x.calls_to(MENTIONS))
        await x.wait_until(lambda: len(x.calls_to(MENTIONS)) >= polls + 3)
        x.mention("333", "and when does it end?")
        await x.wait_until(lambda: len(second) == 1)
    assert second.texts() == ["and when does it end?"]


async def test_the_accounts_own_posts_and_dms_are_not_handed_over(x: FakeX, store: Store) -> None:
    async with running(x, store) as got:
        x.mention(ACCOUNT["id"], "a thread we started ourselves")
        x.dm(ACCOUNT["id"], "our own message in a conversation")
        x.mention("333", "a user asks")
        x.dm("222", "a user writes")
        await x.wait_until(lambda: len(got) == 2)
        dms = len(x.calls_to(DMS))
        await x.wait_until(lambda: len(x.calls_to(DMS)) >= dms + 3)
    assert sorted(got.texts()) == ["a user asks", "a user writes"]


async def test_a_429_on_a_poll_waits_for_the_reset_and_loses_nothing(
    x: FakeX, store: Store
) -> None:
    async with running(x, store) as got:
        x.fail_next(DMS, 429, reset_in=2)
        x.dm("222", "sent while the window was spent")
        await x.wait_until(lambda: len(got) == 1, within=15)
    limited = next(c for c in x.calls_to(DMS) if c.status == 429)
    after = [c for c in x.calls_to(DMS) if c.at > limited.at]
    assert after and all(c.at >= limited.reset for c in after)  # no call before the reset
    assert got.texts() == ["sent while the window was spent"]


async def test_steady_polling_keeps_inside_the_window(x: FakeX, store: Store) -> None:
    x.limits = {DMS: (3, 2), MENTIONS: (3, 2)}  # three calls per two seconds
    async with running(x, store, poll_min_seconds=0.01) as got:
        await x.wait_until(lambda: len(x.calls_to(DMS)) >= 7, within=20)
        x.dm("222", "still heard")
        await x.wait_until(lambda: len(got) == 1, within=10)
    assert [c for c in x.calls if c.status == 429] == []


async def test_5xx_on_a_poll_is_retried_and_loses_nothing(x: FakeX, store: Store) -> None:
    async with running(x, store) as got:
        x.fail_next(MENTIONS, 503, count=3)
        x.mention("333", "are you there?")
        await x.wait_until(lambda: len(got) == 1)
    assert [c.status for c in x.calls_to(MENTIONS)].count(503) == 3
    assert got.texts() == ["are you there?"]


async def started(x: FakeX, store: Store) -> XAdapter:
    settings = XSettings(enabled=True, api_base=x.base_url, mode="webhook")
    adapter = XAdapter(settings, CREDENTIALS, cursors=CursorStore(store, "x"))
    await adapter.start(Collected())
    return adapter


async def test_a_dm_reply_is_sent_to_the_user(x: FakeX, store: Store) -> None:
    adapter = await started(x, store)
    try:
        sent_id = await adapter.perform(Reply(chat_id="dm:222", text="Here is how."))
    finally:
        await adapter.stop()
    assert x.dms_sent == [{"id": sent_id, "participant_id": "222", "text": "Here is how."}]
    assert adapter.account_id == ACCOUNT["id"]  # learned from /2/users/me


async def test_a_long_public_answer_becomes_a_numbered_thread_under_the_mention(
    x: FakeX, store: Store
) -> None:
    mention = x.mention("333", "how do withdrawals work?")
    text = " ".join(f"Step {n}: check the network and the memo before you send." for n in range(20))
    reply = Reply(chat_id=f"post:{mention['id']}", text=text, reply_to=mention["id"])
    adapter = await started(x, store)
    try:
        x.fail_next(POST, 503, after=1)  # the thread's second post fails
        with pytest.raises(DeliveryError) as failed:
            await adapter.perform(reply)
        assert not failed.value.permanent and len(x.posts) == 1
        first = await adapter.perform(reply)  # the outbox tries again
    finally:
        await adapter.stop()
    posts = x.posts
    total = len(posts)
    assert total >= 3
    numbers = [p["text"].rsplit(" ", 1)[1] for p in posts]
    assert numbers == [f"({i}/{total})" for i in range(1, total + 1)]
    assert posts[0]["id"] == first and posts[0]["in_reply_to"] == mention["id"]
    assert all(b["in_reply_to"] == a["id"] for a, b in itertools.pairwise(posts))
    assert " ".join(p["text"].rsplit(" ", 1)[0] for p in posts) == text  # nothing lost or doubled


async def test_an_invitation_to_dm_carries_no_personal_details(x: FakeX, store: Store) -> None:
    mention = x.mention("333", "/ticket my withdrawal of 2 BTC to bc1q... is stuck")
    adapter = await started(x, store)
    try:
        await adapter.perform(
            InvitePrivate(
                chat_id=f"post:{mention['id']}",
                user_id="333",
                text="Let's continue in a private chat.",
                button_label="Open private chat",
                topic="/ticket my withdrawal of 2 BTC to bc1q... is stuck",
                reply_to=mention["id"],
            )
        )
    finally:
        await adapter.stop()
    (post,) = x.posts
    assert post["in_reply_to"] == mention["id"]
    assert post["text"] == "Let's continue in a private chat."
    link = post["deep_link"]
    assert link.startswith("https://twitter.com/messages/compose?recipient_id=1000")
    assert "withdrawal" not in link and "BTC" not in link and "text=%2Fticket" in link


async def test_send_failures_tell_the_outbox_what_to_do(x: FakeX, store: Store) -> None:
    adapter = await started(x, store)
    try:
        x.closed_dms.add("444")
        with pytest.raises(DeliveryError) as closed:
            await adapter.perform(Reply(chat_id="dm:444", text="hello"))
        x.fail_next(SEND_DM, 429, reset_in=3)
        with pytest.raises(DeliveryError) as limited:
            await adapter.perform(Reply(chat_id="dm:222", text="hello"))
        with pytest.raises(DeliveryError) as spent:  # the window is known spent: no call
            calls = len(x.calls_to(SEND_DM))
            await adapter.perform(Reply(chat_id="dm:222", text="hello"))
    finally:
        await adapter.stop()
    assert not limited.value.permanent and (limited.value.retry_after or 0) >= 2
    assert closed.value.permanent and is_blocked(closed.value.reason)  # unsubscribes them
    assert spent.value.retry_after and len(x.calls_to(SEND_DM)) == calls
    assert x.dms_sent == []


async def test_a_send_whose_answer_was_lost_may_have_been_delivered(x: FakeX, store: Store) -> None:
    settings = XSettings(enabled=True, api_base=x.base_url, mode="webhook", request_timeout=0.5)
    adapter = XAdapter(settings, CREDENTIALS, cursors=CursorStore(store, "x"))
    await adapter.start(Collected())
    try:
        x.lose_answers(SEND_DM)  # sent, then the connection closed unanswered
        with pytest.raises(DeliveryError) as reset:
            await adapter.perform(Reply(chat_id="dm:222", text="sent, unanswered"))
        x.lose_answers(SEND_DM, unanswered=True)  # sent, and no answer within the timeout
        with pytest.raises(DeliveryError) as timed_out:
            await adapter.perform(Reply(chat_id="dm:223", text="sent, never answered"))
        x.fail_next(SEND_DM, 503)  # X answered: certainly not sent
        with pytest.raises(DeliveryError) as refused:
            await adapter.perform(Reply(chat_id="dm:224", text="refused"))
        assert await adapter.perform(Reply(chat_id="dm:225", text="next"))
    finally:
        await adapter.stop()
    assert reset.value.maybe_delivered and timed_out.value.maybe_delivered
    assert not reset.value.permanent and not timed_out.value.permanent
    assert not refused.value.maybe_delivered and not refused.value.permanent
    assert [d["text"] for d in x.dms_sent] == ["sent, unanswered", "sent, never answered", "next"]
