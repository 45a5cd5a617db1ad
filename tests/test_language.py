"""Choosing the reply language: the user's choice, the text, the platform's hint."""

from __future__ import annotations

import pytest

from handlers.language import UI_LANGUAGES, LanguageDetector, choose_language, normalize_code

SUPPORTED = ("en", "zh", "vi", "de")
DETECTOR = LanguageDetector()


def pick(text: str, chosen: str | None = None, hint: str | None = None) -> str:
    return choose_language(
        text, chosen=chosen, hint=hint, supported=SUPPORTED, default="en", detector=DETECTOR
    )


def test_the_users_own_choice_wins() -> None:
    assert pick("Hallo, wie geht es dir?", chosen="vi") == "vi"


def test_a_clear_text_beats_the_hint() -> None:
    assert pick("Meine Einzahlung ist noch nicht angekommen", hint="en") == "de"


def test_a_short_ambiguous_text_follows_the_hint() -> None:
    assert pick("ok", hint="de-DE") == "de"


def test_scripts_name_their_language() -> None:
    assert pick("充值没到账") == "zh"


def test_unsupported_languages_fall_back_to_the_default() -> None:
    assert pick("Mi depósito no ha llegado todavía", hint="es") == "en"


@pytest.mark.parametrize(
    ("raw", "code"),
    [("zh-Hans", "zh"), ("pt_BR", "pt"), ("EN", "en"), ("", None), ("x!", None), (None, None)],
)
def test_platform_codes_are_normalized(raw, code) -> None:
    assert normalize_code(raw) == code


@pytest.mark.parametrize(
    ("text", "code"), [("hello", "en"), ("bonjour", "fr"), ("merhaba", "tr"), ("Hallo", "en")]
)
def test_one_word_without_a_hint_needs_a_clear_lead_among_all_languages(
    text: str, code: str
) -> None:
    """With every UI language on, a lone "hello" must not come back in Spanish."""
    found = choose_language(
        text, chosen=None, hint=None, supported=UI_LANGUAGES, default="en", detector=DETECTOR
    )
    assert found == code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("la Futures League finit quand", "fr"),
        ("le Red Packet Rain c'est fini ?", "fr"),
        ("Was ist mit dem Tidal Airdrop los", "de"),
        ("no me llego el airdrop de orbix", "es"),
        # English with words other languages also write keeps English
        ("I will die if my deposit is not here by Monday", "en"),
        ("when does the Futures League end, is it still on?", "en"),
    ],
)
def test_a_few_words_around_an_english_name_keep_their_language(text: str, code: str) -> None:
    """A French question about "Futures League" is answered in French, not English."""
    found = choose_language(
        text, chosen=None, hint=None, supported=UI_LANGUAGES, default="en", detector=DETECTOR
    )
    assert found == code
