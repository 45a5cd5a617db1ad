"""Pure parts of the X channel: payload conversion, thread splitting, webhook checks,
settings. Payloads are shaped as X API v2 and Account Activity deliveries."""

from __future__ import annotations

from pathlib import Path

import pytest

from bots.config import ConfigError, load_config
from channels.base import ChatKind, weighted_length
from channels.x.convert import activity_to_messages, dm_to_message, mention_to_message
from channels.x.posts import POST_LIMIT, dm_link, thread_parts
from channels.x.session import route_of
from channels.x.webhook import crc_response, signature_ok

OWN = "1000"
USERS = {"222": {"id": "222", "name": "Al Ice", "username": "alice"}}


def test_a_mention_keeps_the_question_and_the_thread_to_answer_in() -> None:
    tweet = {
        "id": "1801",
        "text": "@example_support @friend fees &amp; limits for USDT &lt;TRC20&gt;?",
        "author_id": "222",
        "conversation_id": "1790",
        "created_at": "2026-11-23T12:00:00.000Z",
        "lang": "en",
        "referenced_tweets": [{"type": "replied_to", "id": "1795"}],
    }
    message = mention_to_message(tweet, USERS, OWN)
    assert message is not None
    assert message.text == "fees & limits for USDT <TRC20>?"
    assert (message.chat_id, message.chat_kind) == ("post:1790", ChatKind.MENTION)
    assert message.platform_message_id == "1801" and message.reply_to == "1795"
    assert (message.display_name, message.username) == ("Al Ice", "alice")
    assert message.received_at.isoformat() == "2026-11-23T12:00:00+00:00"
    assert message.language_hint == "en"


def test_own_posts_reposts_and_own_dms_are_not_messages() -> None:
    own = {"id": "1", "text": "@example_support hi", "author_id": OWN}
    repost = {
        "id": "2",
        "text": "RT @example_support: hi",
        "author_id": "222",
        "referenced_tweets": [{"type": "retweeted", "id": "1"}],
    }
    assert mention_to_message(own, USERS, OWN) is None
    assert mention_to_message(repost, USERS, OWN) is None
    sent = {"id": "5", "event_type": "MessageCreate", "text": "our answer", "sender_id": OWN}
    joined = {"id": "6", "event_type": "ParticipantsJoin", "sender_id": "222"}
    assert dm_to_message(sent, USERS, OWN) is None
    assert dm_to_message(joined, USERS, OWN) is None


def test_a_dm_is_a_private_message_from_its_sender() -> None:
    event = {
        "id": "5001",
        "event_type": "MessageCreate",
        "text": "my UID is 12345",
        "sender_id": "222",
        "dm_conversation_id": "222-1000",
        "created_at": "2026-11-23T12:00:00.000Z",
        "attachments": {"media_keys": ["3_1"]},
    }
    message = dm_to_message(event, USERS, OWN)
    assert message is not None
    assert (message.chat_id, message.chat_kind, message.sender_id) == ("dm:222", "private", "222")
    assert message.text == "my UID is 12345" and [a.kind for a in message.attachments] == ["media"]


def test_account_activity_deliveries_become_messages() -> None:
    payload = {
        "for_user_id": OWN,
        "direct_message_events": [
            {
                "type": "message_create",
                "id": "7001",
                "created_timestamp": "1764000000000",
                "message_create": {
                    "target": {"recipient_id": OWN},
                    "sender_id": "222",
                    "message_data": {"text": "hi"},
                },
            },
            {
                "type": "message_create",
                "id": "7002",
                "message_create": {"sender_id": OWN, "message_data": {"text": "our reply"}},
            },
        ],
        "tweet_create_events": [
            {
                "id_str": "8001",
                "text": "@example_support is KYC needed?",
                "user": {"id_str": "333", "name": "Bob", "screen_name": "bob"},
                "entities": {"user_mentions": [{"id_str": OWN}]},
                "created_at": "Mon Nov 23 12:00:00 +0000 2026",
            },
            {
                "id_str": "8002",
                "text": "a post about the exchange that does not tag it",
                "user": {"id_str": "333"},
                "entities": {"user_mentions": []},
            },
        ],
        "users": {"222": {"id": "222", "name": "Al", "screen_name": "al"}},
    }
    dm, mention = activity_to_messages(payload, OWN)
    assert (dm.chat_id, dm.text, dm.username) == ("dm:222", "hi", "al")
    assert dm.received_at.year == 2025
    assert (mention.chat_id, mention.text, mention.username) == (
        "post:8001",
        "is KYC needed?",
        "bob",
    )
    assert mention.chat_kind == ChatKind.MENTION


def test_x_weighs_cjk_emoji_and_links() -> None:
    assert weighted_length("hello") == 5
    assert weighted_length("你好") == 4
    assert weighted_length("see https://example.com/a/very/long/path/that/goes/on") == 4 + 23


def test_a_long_cjk_answer_is_a_thread_of_posts_that_each_fit() -> None:
    text = "。".join(["请在充值页面确认网络和备注"] * 40)
    parts = thread_parts(text)
    assert len(parts) > 1
    assert all(weighted_length(p) <= POST_LIMIT for p in parts)
    assert [p.rsplit(" ", 1)[1] for p in parts] == [
        f"({i}/{len(parts)})" for i in range(1, len(parts) + 1)
    ]
    assert thread_parts("short") == ["short"]


def test_a_dm_link_carries_a_command_but_never_the_users_words() -> None:
    assert dm_link("1000", "/ticket my UID is 555") == (
        "https://twitter.com/messages/compose?recipient_id=1000&text=%2Fticket"
    )
    assert dm_link("1000", "my UID is 555") == (
        "https://twitter.com/messages/compose?recipient_id=1000"
    )


def test_the_crc_answer_and_signatures() -> None:
    # computed apart: printf TOKEN | openssl dgst -sha256 -hmac secret -binary | base64
    token = "9b4507b3-9040-4669-9ba0-a1a6b2a4b2a3"
    assert crc_response("secret", token) == {
        "response_token": "sha256=jLGcuRyl77tK0iqEaekc94qJs8ucbsyQHxfapcTppjA="
    }
    body = b'{"for_user_id":"1000"}'
    good = crc_response("secret", body.decode())["response_token"]
    assert signature_ok("secret", body, good)
    assert not signature_ok("secret", body, None)
    assert not signature_ok("secret", body + b" ", good)
    assert not signature_ok("other", body, good)


def test_limits_are_counted_per_endpoint_not_per_id() -> None:
    assert route_of("post", "/2/dm_conversations/with/222/messages") == (
        "POST /2/dm_conversations/with/:id/messages"
    )
    assert route_of("GET", "/2/users/1000/mentions") == "GET /2/users/:id/mentions"
    assert route_of("GET", "/2/dm_events") == "GET /2/dm_events"


def test_the_x_section_needs_its_credentials_and_is_off_by_default(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[x]\nenabled = true\n")
    with pytest.raises(ConfigError, match=r"x\.consumer_key_env: .*SOCIALDESK_X_CONSUMER_KEY"):
        load_config(path, environ={})
    env = {
        "SOCIALDESK_X_CONSUMER_KEY": "k",
        "SOCIALDESK_X_CONSUMER_SECRET": "s",
        "SOCIALDESK_X_ACCESS_TOKEN": "t",
        "SOCIALDESK_X_ACCESS_TOKEN_SECRET": "ts",
    }
    assert load_config(path, environ=env).x.enabled  # the bearer token is optional
    assert not load_config(None, environ={}).x.enabled
    path.write_text("[x]\npoll_min_seconds = 60\npoll_max_seconds = 30\n")
    with pytest.raises(ConfigError, match="poll_min_seconds"):
        load_config(path, environ={})
