"""What a new user meets first: the greeting, the texts, and the bot's own words."""

from __future__ import annotations

import logging
import re

import pytest

from bots.app import build_router
from bots.config import load_config
from handlers.context import Brand, Context
from handlers.texts import Texts
from tests.builders import message

LANGUAGES = ("en", "zh", "vi", "de", "es", "ru", "tr", "id", "pt", "fr", "ja", "ko")
TEXTS = Texts.load()


@pytest.mark.parametrize("language", LANGUAGES)
async def test_the_greeting_says_how_to_reach_a_person(language: str) -> None:
    brand = Brand(languages=LANGUAGES)
    ctx = Context(now=message().received_at, language=language, texts=TEXTS, brand=brand)
    router = build_router(load_config(None, environ={}))
    decision = await router.route(message("/help", language_hint=language), ctx)
    assert "/ticket" in decision.reply and "/lang" in decision.reply


def test_no_english_sentence_puts_a_before_a_brand_that_starts_with_a_vowel() -> None:
    """The article belongs to the sentence of each language, not to the brand's name."""
    wrong = []
    for key in TEXTS.keys("en"):
        names = TEXTS.placeholders(key, "en")
        values = {name: "x" for name in names} | {"brand": "Example Exchange"}
        text = TEXTS.get(key, "en", **values) if names else TEXTS.get(key, "en")
        if re.search(r"\ba Example\b", text):
            wrong.append(key)
    assert wrong == []


@pytest.mark.parametrize(
    ("item", "official"),
    [
        ("https://t.me/example", True),
        ("t.me/Example_Support", True),
        ("https://t.me/s/example", True),
        ("https://x.com/example/status/1234", True),
        ("https://twitter.com/example", True),
        ("https://discord.gg/ExAmPlE", True),
        ("https://discord.com/invite/ExAmPlE", True),
        ("https://discord.gg/example", False),  # invite codes are case-sensitive
        ("https://t.me/examp1e", False),
        ("https://t.me.example-support.io/example", False),  # a look-alike host
        ("@example", True),
        ("https://example.com/login", True),
    ],
)
async def test_verify_reads_a_platform_link_as_the_handle_it_names(
    item: str, official: bool
) -> None:
    brand = Brand(
        official_domains=("example.com",),
        official_handles=("@example", "@example_support", "https://discord.gg/ExAmPlE"),
    )
    ctx = Context(now=message().received_at, language="en", texts=TEXTS, brand=brand)
    router = build_router(load_config(None, environ={}))
    decision = await router.route(message(f"/verify {item}"), ctx)
    assert decision.intent == "verify"
    assert ("NOT official" not in decision.reply) is official, decision.reply


async def test_a_start_logs_no_scheduler_chatter_and_names_a_missing_staff_chat_once(
    tmp_path, caplog: pytest.LogCaptureFixture
) -> None:
    from bots.app import App
    from tests.builders import bot_config

    caplog.set_level(logging.INFO)
    async with App(bot_config(tmp_path)) as bot:
        assert bot.pipeline is not None
        for user in ("u1", "u2", "u3"):
            await bot.pipeline.dispatch(message("/ticket", chat_id=user, sender_id=user))
    lines = [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO]
    assert not [line for line in lines if "tentatively" in line or "Added job" in line]
    assert any("scheduler: running 4 job(s)" in line for line in lines)
    assert len([line for line in lines if "no staff chat configured" in line]) == 1


def test_the_front_doors_sentences_exist_in_every_language_with_their_values() -> None:
    keys = [k for k in TEXTS.keys("en") if k.startswith("frontdoor.") and "staff_" not in k]
    assert len(keys) >= 4
    for language in LANGUAGES:
        for key in keys:
            assert TEXTS.has(key, language), (language, key)
            assert TEXTS.placeholders(key, language) == TEXTS.placeholders(key, "en")
