"""What a ticket is about, from the user's own words, and whether a message only closes.

The intake asks "what is it about?" with buttons, but people type instead ("KYC审核被拒绝了
怎么办", "phí rút tiền là bao nhiêu"). The cue words in ``topics.toml`` (per language)
name the intake category such a message is about; a knowledge-base entry the answer
stage found says it too (an airdrop is a missing reward, a deposit FAQ a deposit).
"Thanks", "ok" and "hello" after a resolution are courtesy, not a new problem.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from functools import cache
from pathlib import Path

CUES_FILE = Path(__file__).with_name("topics.toml")
_MARKS = re.compile(r"[\u0300-\u036f]")  # Latin combining accents
_TOKEN = re.compile(r"\w+")
# the intake category a knowledge base's FAQ category stands for
FAQ_CATEGORIES = {
    "deposits": "deposit_missing",
    "withdrawals": "withdrawal_delayed",
    "kyc": "account_kyc",
    "account": "account_kyc",
    "security": "account_kyc",
}
# categories that say more precisely what went wrong than the one they refine
REFINES = {"deposit_missing": ("wrong_network", "wrong_coin")}


def normalize(text: str) -> str:
    """Case-folded words without Latin accents ("Đã rút" and "da rut" read alike)."""
    text = unicodedata.normalize("NFKD", text.casefold().replace("đ", "d").replace("ı", "i"))
    text = unicodedata.normalize("NFKC", _MARKS.sub("", text))
    return " ".join(_TOKEN.findall(text))


def _dense(phrase: str) -> bool:
    """Written without spaces between words (Chinese, Japanese, Korean)."""
    return any(
        "\u3040" <= ch <= "\u30ff" or "\u3400" <= ch <= "\u9fff" or "\uac00" <= ch <= "\ud7af"
        for ch in phrase
    )


class _Phrases:
    """Whole-word phrases, and phrases of dense scripts matched anywhere."""

    def __init__(self, phrases: list[str]) -> None:
        words = {f" {normalize(p)} " for p in phrases if normalize(p) and not _dense(p)}
        dense = {normalize(p).replace(" ", "") for p in phrases if _dense(p)}
        self._words = _alternation(words)
        self._dense = _alternation(dense)

    def found_in(self, norm: str) -> bool:
        if self._words is not None and self._words.search(f" {norm} "):
            return True
        return self._dense is not None and bool(self._dense.search(norm.replace(" ", "")))

    def is_all_of(self, norm: str) -> bool:
        """The whole text is one of the phrases."""
        if self._words is not None and self._words.fullmatch(f" {norm} "):
            return True
        return self._dense is not None and bool(self._dense.fullmatch(norm.replace(" ", "")))


def _alternation(phrases: set[str]) -> re.Pattern[str] | None:
    if not phrases:
        return None
    return re.compile("|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True)))


@cache
def _cues() -> tuple[dict[str, _Phrases], _Phrases]:
    with CUES_FILE.open("rb") as fh:
        table = tomllib.load(fh)
    categories = {
        name: _Phrases([p for phrases in by_language.values() for p in phrases])
        for name, by_language in table["categories"].items()
    }
    courtesy = _Phrases([p for phrases in table["courtesy"].values() for p in phrases])
    return categories, courtesy


def category_of(text: str) -> str | None:
    """The intake category ``text`` names, the most specific first; ``None``: none."""
    norm = normalize(text)
    if not norm:
        return None
    categories, _courtesy = _cues()
    return next((name for name, cues in categories.items() if cues.found_in(norm)), None)


def category_of_entry(ref: str, faq_category: str | None, text: str = "") -> str | None:
    """The intake category of a knowledge entry the user's question was about: a missing
    reward for an airdrop or activity; for an FAQ, its category, made precise by the
    question's words or the entry's id (``faq:wrong-network``)."""
    kind, _, entry_id = ref.partition(":")
    if kind in ("airdrop", "activity"):
        return "reward_missing"
    broad = FAQ_CATEGORIES.get(faq_category or "")
    if broad is None:
        return None
    precise = category_of(text) or category_of(entry_id.replace("-", " "))
    return precise if precise in REFINES.get(broad, ()) else broad


def is_courtesy(text: str) -> bool:
    """Only thanks, an "ok" or a hello (emoji and punctuation aside): nothing to act on."""
    norm = normalize(text)
    _categories, courtesy = _cues()
    return not norm or courtesy.is_all_of(norm)


def has_words(text: str) -> bool:
    """Whether ``text`` has a letter or a digit at all ("???" and "👍" have none)."""
    return any(ch.isalnum() for ch in text)
