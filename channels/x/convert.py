"""X API v2 payloads as socialdesk messages: pure functions, no I/O.

Chat ids carry what a reply needs: ``dm:<user id>`` is the private conversation with
that user (a DM is sent to a participant), ``post:<tweet id>`` the public thread whose
root is that post (an answer without a post to reply to goes under the root). Posts by
the bot's own account give no message, so it never answers itself.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Required

from pydantic import TypeAdapter
from typing_extensions import TypedDict

from channels.base import Attachment, ChatKind, Message

CHANNEL = "x"
DM_PREFIX = "dm:"
POST_PREFIX = "post:"
# what a mention or DM poll asks X to include, so the converters find their fields
TWEET_FIELDS = ["author_id", "conversation_id", "created_at", "lang", "referenced_tweets"]
DM_FIELDS = ["id", "event_type", "text", "sender_id", "dm_conversation_id", "created_at"]
USER_FIELDS = ["username", "name"]
_LEADING_HANDLES = re.compile(r"^(?:@\w+\s+)+")
_NO_LANGUAGE = {"und", "qme", "qht", "qam", "zxx", "art"}

Json = Mapping[str, Any]
_Id = str | int


# The parts of an Account Activity delivery the converter reads, with their types:
# a delivery of another shape is refused whole (ValueError) instead of failing part-way.
class _V1User(TypedDict, total=False):
    id_str: _Id
    name: str | None
    screen_name: str | None


class _MessageData(TypedDict, total=False):
    text: str


class _MessageCreate(TypedDict, total=False):
    sender_id: _Id
    message_data: _MessageData


class _DmEvent(TypedDict, total=False):
    type: str
    id: Required[_Id]
    created_timestamp: _Id
    message_create: _MessageCreate


class _Mentioned(TypedDict, total=False):
    id_str: _Id | None


class _Entities(TypedDict, total=False):
    user_mentions: list[_Mentioned]


class _Extended(TypedDict, total=False):
    full_text: str


class _TweetEvent(TypedDict, total=False):
    id_str: Required[_Id]
    text: str
    user: _V1User
    entities: _Entities
    extended_tweet: _Extended
    in_reply_to_status_id_str: _Id | None
    created_at: str
    lang: str | None


class _Activity(TypedDict, total=False):
    for_user_id: _Id
    users: dict[str, _V1User]
    direct_message_events: list[_DmEvent]
    tweet_create_events: list[_TweetEvent]


_ACTIVITY = TypeAdapter(_Activity)


def users_by_id(users: Iterable[Json]) -> dict[str, Json]:
    """``includes.users`` keyed by id, for the converters' display names."""
    return {str(u["id"]): u for u in users}


def mention_to_message(tweet: Json, users: Mapping[str, Json], own_id: str) -> Message | None:
    """A post that mentions the bot; ``None`` for the bot's own posts and reposts."""
    author = str(tweet.get("author_id", ""))
    if not author or author == own_id or _is_repost(tweet):
        return None
    user = users.get(author, {})
    tweet_id = str(tweet["id"])
    root = str(tweet.get("conversation_id") or tweet_id)
    replied = next(
        (str(r["id"]) for r in tweet.get("referenced_tweets", ()) if r.get("type") == "replied_to"),
        None,
    )
    return Message(
        channel=CHANNEL,
        chat_id=POST_PREFIX + root,
        chat_kind=ChatKind.MENTION,
        sender_id=author,
        text=_LEADING_HANDLES.sub("", html.unescape(str(tweet.get("text", "")))),
        platform_message_id=tweet_id,
        received_at=_when(tweet.get("created_at")),
        display_name=str(user.get("name", "")),
        username=user.get("username"),
        language_hint=_language(tweet.get("lang")),
        reply_to=replied,
        addressed=True,
        raw=tweet,
    )


def dm_to_message(event: Json, users: Mapping[str, Json], own_id: str) -> Message | None:
    """A direct message to the bot; ``None`` for what the bot sent and for non-messages."""
    sender = str(event.get("sender_id", ""))
    if event.get("event_type") != "MessageCreate" or not sender or sender == own_id:
        return None
    user = users.get(sender, {})
    media = event.get("attachments", {}).get("media_keys", ())
    return Message(
        channel=CHANNEL,
        chat_id=DM_PREFIX + sender,
        chat_kind=ChatKind.PRIVATE,
        sender_id=sender,
        text=str(event.get("text", "")),
        platform_message_id=str(event["id"]),
        received_at=_when(event.get("created_at")),
        display_name=str(user.get("name", "")),
        username=user.get("username"),
        attachments=tuple(Attachment(kind="media") for _ in media),
        addressed=True,
        raw=event,
    )


def activity_to_messages(payload: Json, own_id: str) -> list[Message]:
    """Messages in one Account Activity webhook delivery (v1.1-style objects); raises
    ``ValueError`` (pydantic's ``ValidationError``) for a delivery of another shape."""
    _ACTIVITY.validate_python(payload)
    messages: list[Message] = []
    users = payload.get("users", {})
    for event in payload.get("direct_message_events", ()):
        create = event.get("message_create", {})
        if event.get("type") != "message_create":
            continue
        sender = str(create.get("sender_id", ""))
        found = dm_to_message(
            {
                "id": event["id"],
                "event_type": "MessageCreate",
                "text": create.get("message_data", {}).get("text", ""),
                "sender_id": sender,
                "created_at": _from_millis(event.get("created_timestamp")),
            },
            {sender: _v1_user(users.get(sender, {}))},
            own_id,
        )
        if found is not None:
            messages.append(found)
    for tweet in payload.get("tweet_create_events", ()):
        user = tweet.get("user", {})
        handles = tweet.get("entities", {}).get("user_mentions", ())
        mentioned = {str(m.get("id_str")) for m in handles}
        if own_id not in mentioned:
            continue  # a post by or about the account that does not address it
        text = tweet.get("extended_tweet", {}).get("full_text") or tweet.get("text", "")
        replied = tweet.get("in_reply_to_status_id_str")
        found = mention_to_message(
            {
                "id": tweet["id_str"],
                "text": text,
                "author_id": user.get("id_str", ""),
                "conversation_id": replied or tweet["id_str"],
                "created_at": _from_v1_date(tweet.get("created_at")),
                "lang": tweet.get("lang"),
                "referenced_tweets": [{"type": "replied_to", "id": replied}] if replied else [],
                **({"retweeted": True} if "retweeted_status" in tweet else {}),
            },
            {str(user.get("id_str", "")): _v1_user(user)},
            own_id,
        )
        if found is not None:
            messages.append(found)
    return messages


def _v1_user(user: Json) -> Json:
    return {"name": user.get("name", ""), "username": user.get("screen_name")}


def _is_repost(tweet: Json) -> bool:
    if tweet.get("retweeted"):
        return True
    return any(r.get("type") == "retweeted" for r in tweet.get("referenced_tweets", ()))


def _language(code: Any) -> str | None:
    if not isinstance(code, str) or not code or code in _NO_LANGUAGE:
        return None
    return code


def _when(stamp: Any) -> datetime:
    if isinstance(stamp, str) and stamp:
        try:
            moment = datetime.fromisoformat(stamp)
        except ValueError:
            return datetime.now(UTC)
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return datetime.now(UTC)


def _from_millis(stamp: Any) -> str | None:
    try:
        return datetime.fromtimestamp(int(stamp) / 1000, UTC).isoformat()
    except (TypeError, ValueError):
        return None


def _from_v1_date(stamp: Any) -> str | None:
    try:
        return parsedate_to_datetime(str(stamp)).isoformat()
    except (TypeError, ValueError):
        return None
