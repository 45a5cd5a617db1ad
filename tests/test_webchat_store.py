"""The web chat's storage on both engines: history in order, one signing key."""

from __future__ import annotations

import asyncio

from handlers.pipeline import envelope
from storage.store import Store
from storage.webchat import WebChatStore
from tests.builders import message


async def test_history_puts_each_reply_after_the_message_it_followed(store: Store, clock) -> None:
    chat = WebChatStore(store)
    for number, text in enumerate(["first", "second"], start=1):
        said = message(text, chat_id="s1", sender_id="s1", platform_message_id=f"in-m{number}")
        await store.record_inbound(envelope(said), text, clock())
        await chat.keep_reply("s1", f"answer to {text}", [], clock())
    await chat.keep_reply(
        "s1", "a notice", [[{"label": "Read", "url": "https://x.example"}]], clock()
    )
    await chat.keep_reply("other", "not theirs", [], clock())
    lines = await chat.history("s1", 10)
    assert [(line.id, line.mine, line.text) for line in lines] == [
        ("m1", True, "first"),
        ("out-1", False, "answer to first"),
        ("m2", True, "second"),
        ("out-2", False, "answer to second"),
        ("out-3", False, "a notice"),
    ]
    assert lines[-1].buttons == [[{"label": "Read", "url": "https://x.example"}]]
    assert [line.text for line in await chat.history("s1", 2)] == ["answer to second", "a notice"]


async def test_processes_starting_together_share_one_signing_key(store: Store) -> None:
    keys = await asyncio.gather(*(WebChatStore(store).signing_key() for _ in range(4)))
    assert len(set(keys)) == 1 and len(keys[0]) >= 32
    assert await WebChatStore(store).signing_key() == keys[0]
