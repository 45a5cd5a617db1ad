"""Notices without I/O: limits, rendering, recipients, the report."""

from __future__ import annotations

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

TEXTS = Texts.load()


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
        {"channel": "telegram", "chat_id": "1", "language": "de"},
        {"channel": "telegram", "chat_id": "2", "language": "en"},  # not a German speaker
        {"channel": "discord", "chat_id": "3", "language": "de"},  # not on Telegram
        {"channel": "telegram", "chat_id": "-100", "language": "de"},  # the channel again
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
        {
            "channel": "telegram",
            "chat_id": "1",
            "language": "en",
            "status": "delivered",
            "last_error": None,
        },
        {
            "channel": "telegram",
            "chat_id": "1",
            "language": "en",
            "status": "failed",
            "last_error": "bad request: x",
        },
        {
            "channel": "telegram",
            "chat_id": "2",
            "language": "de",
            "status": "delivered",
            "last_error": None,
        },
        {
            "channel": "telegram",
            "chat_id": "3",
            "language": "de",
            "status": "failed",
            "last_error": "forbidden: blocked",
        },
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
