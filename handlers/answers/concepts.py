"""Which exchange concepts a text speaks of (deposit, withdrawal, identity, fees...).

The model confuses FAQ siblings across languages: a Korean or Chinese question about a
withdrawal that arrived nowhere lands as close to "deposit not credited" as to
"withdrawal not received", because both say "not arrived". The words for "deposit"
and "withdrawal" are few and fixed in every language, so they are looked up instead
(``concepts.toml``): an entry is about the concepts its own phrasings and names name,
a question about those it names, and the calibration reads how many of the question's
concepts the candidate shares.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import numpy as np

from handlers.answers.knowledge import Knowledge, ref_of
from handlers.answers.matcher import normalize

CONCEPTS_FILE = Path(__file__).with_name("concepts.toml")
SHORT = 3  # a word this short matches only whole ("wd", "ag", "phi")
KEY = 3  # words are indexed by this many first letters


class Concepts:
    """Concept words per concept: Latin and Cyrillic ones at a word's start (whole when
    short), Chinese, Japanese and Korean ones anywhere.

    Words are looked up from each word start of the normalized text by their first
    letters, not with one regular expression per concept: a question costs tens of
    microseconds, not half a millisecond."""

    def __init__(self, table: dict[str, dict[str, list[str]]]) -> None:
        self.names = tuple(table)
        self._dense: list[tuple[str, str]] = []  # (word, concept)
        # by the first KEY letters of a word: (word, whole word only, concept)
        self._latin: dict[str, list[tuple[str, bool, str]]] = {}
        for concept, by_language in table.items():
            for words in by_language.values():
                for word in words:
                    norm = normalize(word)
                    if not norm:
                        continue
                    if any(_dense(ch) for ch in norm):
                        self._dense.append((norm, concept))
                    else:
                        entry = (norm, len(norm) <= SHORT, concept)
                        self._latin.setdefault(norm[:KEY], []).append(entry)

    def find(self, text: str) -> frozenset[str]:
        """Every concept ``text`` names."""
        norm = normalize(text)
        found = {concept for word, concept in self._dense if word in norm}
        start = 0
        while start < len(norm):
            for size in range(1, KEY + 1):
                for word, whole, concept in self._latin.get(norm[start : start + size], ()):
                    if concept in found or not norm.startswith(word, start):
                        continue
                    after = start + len(word)
                    if not whole or after == len(norm) or norm[after] == " ":
                        found.add(concept)
            space = norm.find(" ", start)
            start = len(norm) if space < 0 else space + 1
        return frozenset(found)

    def __repr__(self) -> str:
        return f"Concepts({len(self.names)})"


def shared(question: frozenset[str], entry: frozenset[str]) -> float:
    """The share of the question's concepts that the entry names too (0 without any)."""
    return len(question & entry) / len(question) if question else 0.0


def boosts(
    refs: Sequence[str], asked: frozenset[str], entries: dict[str, frozenset[str]], weight: float
) -> np.ndarray | None:
    """Per ref, ``weight`` times the share of the question's concepts its entry names
    (an FAQ's phrasings); None when the question names no concept."""
    if not asked:
        return None
    return np.array(
        [weight * shared(asked, entries.get(ref, frozenset())) for ref in refs],
        dtype=np.float32,
    )


def entry_concepts(knowledge: Knowledge, concepts: Concepts) -> dict[str, frozenset[str]]:
    """Per FAQ ref, the concepts its phrasings name. Answers are left out (an answer
    speaks of everything around its question: "if your deposit is late, check the
    network"), and so are activities and airdrops: a "Deposit Festival" is no answer to
    a deposit that has not arrived, though its name says deposit."""
    out = {}
    for faq in knowledge.faqs:
        found: frozenset[str] = frozenset()
        for phrasings in faq.questions.values():
            for text in phrasings:
                found |= concepts.find(text)
        out[ref_of(faq)] = found
    return out


def _dense(ch: str) -> bool:
    return "\u3040" <= ch <= "\u30ff" or "\u3400" <= ch <= "\u9fff" or "\uac00" <= ch <= "\ud7af"


@cache
def default_concepts() -> Concepts:
    with CONCEPTS_FILE.open("rb") as fh:
        return Concepts(tomllib.load(fh))
