"""Notices without I/O: limits, rendering, recipients, the report."""

from __future__ import annotations

from datetime import UTC, datetime

from channels import registry
from channels.discord import DiscordAdapter
from channels.discord.settings import DiscordSettings
from channels.telegram import TelegramAdapter
from channels.telegram.settings import TelegramSettings
from channels.x.posts import DM_LIMIT, POST_LIMIT
from handlers.broadcasts.notice import capabilities, parse_notice
from handlers.broadcasts.plan import destinations, recipient_rows, render
from handlers.broadcasts.report import build_report
from handlers.texts import Texts
from storage.broadcast_records import RecipientOutcome
from storage.subscriptions import Subscriber

TEXTS = Texts.load()
NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def subscriber(id: int, channel: str, chat_id: str, language: str) -> Subscriber:
    return Subscriber(id, channel, chat_id, language, identity_id=id, created_at=NOW)


def test_the_limits_notices_are_checked_against_are_the_adapters_own() -> None:
    telegram = TelegramAdapter(TelegramSettings(), "123456:TEST").capabilities
    discord = DiscordAdapter(DiscordSettings(), "token").capabilities
    for name, caps in (("telegram", telegram), ("discord", discord)):
        ours = registry.spec(name).capabilities
        assert (ours.max_length, ours.length_unit) == (caps.max_length, caps.length_unit)
    assert capabilities("x", "post").max_length == POST_LIMIT
    assert capabilities("x", "dm").max_length == DM_LIMIT


def test_each_chat_is_planned_once_and_subscribers_are_filtered() -> None:
    notice = parse_notice(
        {
            "title": "t",
            "text": {"en": "Hello", "de": "Hallo"},
            "targets": {
                "telegram": [{"chat": "-100"}, {"chat": "-100", "language": "de"}],
                "subscribers": {"channels": ["telegram"], "languages": ["de"]},
            },
        }
    )
    subscribers = [
        subscriber(1, "telegram", "1", "de"),
        subscriber(2, "telegram", "2", "en"),  # not a German speaker
        subscriber(3, "discord", "3", "de"),  # not on Telegram
        subscriber(4, "telegram", "-100", "de"),  # the channel again
    ]
    places = destinations(notice, subscribers)
    assert [(p.chat_id, p.language, p.kind) for p in places] == [
        ("-100", "en", "chat"),
        ("1", "de", "dm"),
    ]
    rows = recipient_rows(notice, "N-ABCDEF", places, TEXTS)
    assert rows[1].action["text"] == render(notice, "de", "N-ABCDEF", TEXTS)
    assert rows[1].action["text"].startswith("Hallo\n\nOffizielle Mitteilung N-ABCDEF")


def test_a_recipient_counts_as_delivered_only_when_every_part_was() -> None:
    rows = [
        RecipientOutcome("telegram", "1", "en", "delivered", None),
        RecipientOutcome("telegram", "1", "en", "failed", "bad request: x", part=1),
        RecipientOutcome("telegram", "2", "de", "delivered", None),
        RecipientOutcome("telegram", "3", "de", "failed", "forbidden: blocked"),
    ]
    report = build_report(rows)
    assert report.total == 3
    assert (
        report.outcomes["delivered"],
        report.outcomes["failed"],
        report.outcomes["blocked"],
    ) == (1, 1, 1)
    assert report.reasons == {"bad request": 1}
    assert report.by_place[("telegram", "de")]["blocked"] == 1
