"""Telegram payloads as socialdesk events (pure: recorded payloads in, events out)."""

from __future__ import annotations

from telegram import Update

from channels.base import ChatKind, MemberEvent
from channels.telegram.convert import to_events

BOT_ID, BOT_NAME = 777000, "example_support_bot"
ALICE = {
    "id": 42,
    "is_bot": False,
    "first_name": "Alice",
    "username": "alice",
    "language_code": "de",
}
GROUP = {"id": -1001, "type": "supergroup", "title": "Community"}


def events(payload: dict):
    return to_events(Update.de_json(payload, None), BOT_ID, BOT_NAME)


def test_a_private_text() -> None:
    (msg,) = events(
        {
            "update_id": 1,
            "message": {
                "message_id": 10,
                "date": 1700000000,
                "chat": {"id": 42, "type": "private"},
                "from": ALICE,
                "text": "hallo",
            },
        }
    )
    assert (msg.channel, msg.chat_id, msg.sender_id, msg.text) == ("telegram", "42", "42", "hallo")
    assert msg.chat_kind is ChatKind.PRIVATE and msg.addressed and msg.language_hint == "de"
    assert msg.platform_message_id == "10" and msg.display_name == "Alice"


def test_group_chatter_is_not_addressed_but_mentions_replies_and_commands_are() -> None:
    def group(text: str, **extra) -> object:
        (msg,) = events(
            {
                "update_id": 2,
                "message": {
                    "message_id": 11,
                    "date": 1700000000,
                    "chat": GROUP,
                    "from": ALICE,
                    "text": text,
                    **extra,
                },
            }
        )
        return msg

    assert not group("wen moon").addressed
    mention = {"entities": [{"type": "mention", "offset": 4, "length": 20}]}
    assert group("hey @example_support_bot help", **mention).addressed
    # the bot's own handle is how the group calls it, not part of the question
    first = {"entities": [{"type": "mention", "offset": 0, "length": 20}]}
    asked = group("@example_support_bot how do I pass KYC?", **first)
    assert asked.addressed and asked.text == "how do I pass KYC?"
    assert group("hey @otherbot help").text == "hey @otherbot help"  # others' handles stay
    own_command = {"entities": [{"type": "bot_command", "offset": 0, "length": 25}]}
    assert group("/help@example_support_bot", **own_command).text == "/help@example_support_bot"
    other = {"entities": [{"type": "mention", "offset": 4, "length": 9}]}
    assert not group("hey @otherbot help", **other).addressed
    command = {"entities": [{"type": "bot_command", "offset": 0, "length": 5}]}
    assert group("/help", **command).addressed
    for_other = {"entities": [{"type": "bot_command", "offset": 0, "length": 14}]}
    assert not group("/help@otherbot", **for_other).addressed
    reply = {
        "reply_to_message": {
            "message_id": 5,
            "date": 1700000000,
            "chat": GROUP,
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "S"},
        }
    }
    replied = group("thanks, and the fee?", **reply)
    assert replied.addressed and replied.reply_to == "5" and replied.chat_kind is ChatKind.GROUP


def test_an_edit_is_a_new_event_for_the_guard() -> None:
    (msg,) = events(
        {
            "update_id": 3,
            "edited_message": {
                "message_id": 12,
                "date": 1700000000,
                "edit_date": 1700000100,
                "chat": GROUP,
                "from": ALICE,
                "text": "now with a link",
            },
        }
    )
    assert msg.edited and msg.platform_message_id == "12:e1700000100"


def test_a_button_press() -> None:
    (msg,) = events(
        {
            "update_id": 4,
            "callback_query": {
                "id": "cb1",
                "from": ALICE,
                "chat_instance": "x",
                "data": "lang:vi",
                "message": {
                    "message_id": 9,
                    "date": 1700000000,
                    "chat": {"id": 42, "type": "private"},
                    "text": "Choose",
                },
            },
        }
    )
    assert msg.callback == "lang:vi" and msg.text == "" and msg.chat_id == "42"
    assert msg.platform_message_id == "cb:cb1"
    assert msg.reply_to == "9"  # the message whose button it was (the staff desk reads it)


def test_media_without_text_and_captions() -> None:
    (sticker,) = events(
        {
            "update_id": 5,
            "message": {
                "message_id": 13,
                "date": 1700000000,
                "chat": {"id": 42, "type": "private"},
                "from": ALICE,
                "sticker": {
                    "file_id": "f",
                    "file_unique_id": "u",
                    "width": 1,
                    "height": 1,
                    "is_animated": False,
                    "is_video": False,
                    "type": "regular",
                },
            },
        }
    )
    assert sticker.text == "" and [a.kind for a in sticker.attachments] == ["sticker"]
    (photo,) = events(
        {
            "update_id": 6,
            "message": {
                "message_id": 14,
                "date": 1700000000,
                "chat": {"id": 42, "type": "private"},
                "from": ALICE,
                "caption": "my deposit screenshot",
                "photo": [{"file_id": "p", "file_unique_id": "q", "width": 1, "height": 1}],
            },
        }
    )
    assert photo.text == "my deposit screenshot"


def test_new_members_become_member_events_and_other_updates_nothing() -> None:
    (joined,) = events(
        {
            "update_id": 7,
            "message": {
                "message_id": 15,
                "date": 1700000000,
                "chat": GROUP,
                "from": ALICE,
                "new_chat_members": [
                    {
                        "id": 99,
                        "is_bot": False,
                        "first_name": "Support",
                        "last_name": "Admin",
                        "username": "exampIe_support",
                    }
                ],
            },
        }
    )
    assert isinstance(joined, MemberEvent)
    assert (joined.user_id, joined.display_name, joined.kind) == ("99", "Support Admin", "join")
    assert (
        events(
            {
                "update_id": 8,
                "channel_post": {
                    "message_id": 1,
                    "date": 1700000000,
                    "chat": {"id": -100, "type": "channel"},
                    "text": "news",
                },
            }
        )
        == []
    )
    assert events({"update_id": 9, "future_update_kind": {"anything": 1}}) == []


def _member(old: dict, new: dict) -> dict:
    return {
        "update_id": 9,
        "chat_member": {
            "chat": GROUP,
            "from": ALICE,
            "date": 1700000000,
            "old_chat_member": {"user": ALICE, **old},
            "new_chat_member": {"user": ALICE, **new},
        },
    }


def test_a_chat_member_update_that_brings_someone_in_is_a_join() -> None:
    (joined,) = events(_member({"status": "left"}, {"status": "member"}))
    assert isinstance(joined, MemberEvent) and joined.kind == "join"
    assert (joined.chat_id, joined.user_id, joined.display_name) == ("-1001", "42", "Alice")
    # a promotion or a departure brings nobody in
    assert events(_member({"status": "member"}, {"status": "administrator", **ADMIN})) == []
    assert events(_member({"status": "member"}, {"status": "left"})) == []


ADMIN = {
    "can_be_edited": False,
    "is_anonymous": False,
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": False,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_change_info": False,
    "can_invite_users": True,
    "can_post_stories": False,
    "can_edit_stories": False,
    "can_delete_stories": False,
}


def test_a_channel_post_is_read_but_not_addressed() -> None:
    channel = {"id": -1009, "type": "channel", "title": "Example news"}
    (post,) = events(
        {
            "update_id": 3,
            "channel_post": {
                "message_id": 5,
                "date": 1700000000,
                "chat": channel,
                "sender_chat": channel,
                "text": "NOVA lists today",
            },
        }
    )
    assert post.chat_kind is ChatKind.CHANNEL and not post.addressed
    assert (post.sender_id, post.display_name, post.text) == (
        "-1009",
        "Example news",
        "NOVA lists today",
    )
