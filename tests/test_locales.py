"""Every sentence exists in every UI language, with the same blanks as English.

A part missing in a language, or a key missing from it, shows that language's users an
English sentence in the middle of their own; a placeholder that differs from English
drops a value they need (a ticket without its number) or crashes the reply. Command
descriptions must also fit what the platforms accept, or the menu is refused whole.
"""

from __future__ import annotations

import tomllib
import unicodedata
from pathlib import Path
from string import Formatter

import pytest

from handlers.language import UI_LANGUAGES
from handlers.texts import FALLBACK, LOCALES, Texts, _flatten

PARTS = sorted(path.name.split(".")[0] for path in LOCALES.glob(f"*.{FALLBACK}.toml"))
OTHERS = [code for code in UI_LANGUAGES if code != FALLBACK]
# Telegram's setMyCommands takes descriptions of 1-256 characters; Discord's slash
# commands (described from the same file) take 1-100.
COMMAND_LIMITS = {"Telegram": 256, "Discord": 100}


def _catalog(part: str, language: str) -> dict[str, str]:
    path = LOCALES / f"{part}.{language}.toml"
    with path.open("rb") as fh:
        return dict(_flatten(tomllib.load(fh)))


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(template) if name is not None}


def _symbols(template: str) -> list[str]:
    """Emoji and other pictographs, in order: a warning without its ⚠️ reads as chat."""
    return [c for c in template if unicodedata.category(c) == "So"]


def test_the_parts_are_found() -> None:
    assert {"core", "guard", "answers", "tickets", "commands"} <= set(PARTS)


@pytest.mark.parametrize("language", OTHERS)
@pytest.mark.parametrize("part", PARTS)
def test_every_part_exists_in_every_language(part: str, language: str) -> None:
    path: Path = LOCALES / f"{part}.{language}.toml"
    assert path.is_file(), f"{path.name} is missing: {language} users read {part} in English"


@pytest.mark.parametrize("language", OTHERS)
@pytest.mark.parametrize("part", PARTS)
def test_every_key_matches_english(part: str, language: str) -> None:
    if not (LOCALES / f"{part}.{language}.toml").is_file():
        pytest.fail(f"{part}.{language}.toml is missing")
    english, own = _catalog(part, FALLBACK), _catalog(part, language)
    assert sorted(set(english) - set(own)) == [], f"keys missing in {part}.{language}.toml"
    assert sorted(set(own) - set(english)) == [], f"keys unknown to English in {part}"


@pytest.mark.parametrize("language", OTHERS)
@pytest.mark.parametrize("part", PARTS)
def test_placeholders_and_symbols_match_english(part: str, language: str) -> None:
    if not (LOCALES / f"{part}.{language}.toml").is_file():
        pytest.fail(f"{part}.{language}.toml is missing")
    english, own = _catalog(part, FALLBACK), _catalog(part, language)
    for key in sorted(set(english) & set(own)):
        assert _placeholders(own[key]) == _placeholders(english[key]), f"{language} {key}"
        assert _symbols(own[key]) == _symbols(english[key]), f"{language} {key}"
        values = dict.fromkeys(_placeholders(english[key]), "x")
        own[key].format(**values)  # no stray brace that would crash the reply


@pytest.mark.parametrize("language", UI_LANGUAGES)
def test_command_descriptions_fit_the_platforms(language: str) -> None:
    if not (LOCALES / f"commands.{language}.toml").is_file():
        pytest.fail(f"commands.{language}.toml is missing")
    for key, text in _catalog("commands", language).items():
        for platform, limit in COMMAND_LIMITS.items():
            assert 1 <= len(text.strip()) <= limit, f"{platform} refuses {language} {key}"


def test_the_texts_load_with_every_ui_language() -> None:
    texts = Texts.load()
    assert texts.languages == sorted(UI_LANGUAGES)
    for language in UI_LANGUAGES:
        assert texts.has("language.name", language)
        assert texts.get("tickets.opened", language, number=42, position=3).count("42") == 1
