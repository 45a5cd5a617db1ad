"""What a new user meets first: the greeting, the texts, and the bot's own words."""

from __future__ import annotations

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
