"""The message contract: actions survive the outbox, long text is split, never cut."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from channels.base import (
    Button,
    Capabilities,
    ChatKind,
    Delete,
    InvitePrivate,
    RateRule,
    Reply,
    Restrict,
    Unpin,
    action_from_dict,
    action_to_dict,
    split_text,
)


@pytest.mark.parametrize(
    "action",
    [
        Reply(chat_id="42", text="hi", buttons=((Button(label="A", data="a"),),), reply_to="7"),
        InvitePrivate(
            chat_id="-100", user_id="5", text="go private", button_label="Open", topic="t"
        ),
        Delete(chat_id="-100", message_id="9"),
        Restrict(
            chat_id="-100", user_id="5", until=datetime(2026, 1, 1, tzinfo=UTC), reason="scam"
        ),
        Unpin(chat_id="-100", message_id="9"),
    ],
)
def test_every_action_survives_a_trip_through_the_outbox(action) -> None:
    assert action_from_dict(action_to_dict(action)) == action


def test_an_unknown_action_is_refused() -> None:
    with pytest.raises(ValidationError):
        action_from_dict({"type": "launch_rocket", "chat_id": "1"})


@pytest.mark.parametrize(
    "request_",
    [{"type": "alert_staff", "text": "look"}, {"type": "open_ticket", "category": "other"}],
)
def test_a_stage_request_is_no_action_an_adapter_would_perform(request_) -> None:
    # staff alerts and ticket requests are settled inside the handlers, never queued
    with pytest.raises(ValidationError):
        action_from_dict(request_)


def test_public_chat_kinds() -> None:
    assert not ChatKind.PRIVATE.is_public
    assert all(k.is_public for k in ChatKind if k is not ChatKind.PRIVATE)


def test_a_long_reply_is_split_at_word_boundaries_within_the_limit() -> None:
    caps = Capabilities(max_length=50)
    text = " ".join(f"word{i}" for i in range(100))
    parts = split_text(text, caps)
    assert len(parts) > 1
    assert all(len(p) <= 50 for p in parts)
    assert " ".join(parts) == text  # nothing lost, no word cut


def test_telegram_counts_emoji_as_two_units() -> None:
    caps = Capabilities(max_length=4096, length_unit="utf16")
    text = "😀" * 3000  # 6000 UTF-16 units, 3000 code points
    parts = split_text(text, caps)
    assert len(parts) == 2
    assert all(caps.measure(p) <= 4096 for p in parts)
    assert "".join(parts) == text


def test_a_paragraph_break_is_preferred() -> None:
    caps = Capabilities(max_length=60)
    text = "First paragraph is here.\n\n" + "Second one is long " * 3
    assert split_text(text, caps)[0] == "First paragraph is here."


@given(st.text(min_size=1, max_size=3000), st.integers(min_value=2, max_value=300))
def test_split_never_loses_a_character(text: str, limit: int) -> None:
    caps = Capabilities(max_length=limit, length_unit="utf16")
    parts = split_text(text, caps)
    assert all(caps.measure(p) <= limit for p in parts)
    squeeze = lambda s: "".join(s.split())  # noqa: E731 - whitespace at a break may go
    assert squeeze("".join(parts)) == squeeze(text)


def test_rate_rules_select_chats_by_prefix() -> None:
    groups = RateRule(scope="chat", rate=20, period=60, chat_prefix="-")
    assert groups.applies_to("-100123") and not groups.applies_to("42")
    assert RateRule(scope="global", rate=30, period=1).applies_to("42")
