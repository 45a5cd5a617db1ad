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
from handlers.answers.semantic import CJK, unmarked_vietnamese

CONCEPTS_FILE = Path(__file__).with_name("concepts.toml")
SHORT = 3  # a word this short matches only whole ("wd", "ag", "phi")
KEY = 3  # words are indexed by this many first letters
# A concept whose words, beside another's, mean something else: in "the price never
# reached my liquidation price" (価格に届いてないのに清算, 没到强平价) nothing failed to arrive
MASKS = {"liquidation": "not_arrived"}
# Added to e5's score of an FAQ in proportion to the share of the question's concepts
# its phrasings name (resolve): e5 puts "출금 수수료 얼마에요?" (withdrawal fee) outside
# its first eight. Ranked first right on dev2 / dev3 at 0.02: 83% -> 90% / 82% -> 88%.
CONCEPT_BOOST = 0.02
# ... in Chinese, Japanese or Korean script, where e5 scores the base's FAQs closer
# together: ranked first right, Korean at 0.02 / 0.03 / 0.04, dev2 (design) 24 / 25 / 25
# of 31, dev3 20 / 22 / 22 of 25, dev5 30 / 30 / 31 of 32; Chinese and Japanese
# 57 / 58 / 57 of 63, 67 / 68 / 68 of 73, 66 / 68 / 68 of 76
CJK_BOOST = 0.03
# ... for Vietnamese typed without its marks, which e5 barely reads ("quen mat khau dang
# nhap", forgot password: a red-packet activity first, the FAQ not in the eight). Ranked
# first right at 0.02 / 0.05 / 0.07 / 0.1: dev3 2 / 4 / 9 / 9 of 10, dev5 4 / 6 / 9 / 13 of 20
UNMARKED_BOOST = 0.07


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
                    norm = _fold(word)
                    if not norm:
                        continue
                    if any(_dense(ch) for ch in norm):
                        self._dense.append((norm, concept))
                    else:
                        entry = (norm, len(norm) <= SHORT, concept)
                        self._latin.setdefault(norm[:KEY], []).append(entry)

    def find(self, text: str) -> frozenset[str]:
        """Every concept ``text`` names."""
        norm = _fold(text)
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
        found -= {masked for concept, masked in MASKS.items() if concept in found}
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


def boost_weight(text: str) -> float:
    """How much the concepts move e5's ranking of ``text`` (:func:`boosts`)."""
    if unmarked_vietnamese(text):
        return UNMARKED_BOOST
    return CJK_BOOST if CJK.search(text) else CONCEPT_BOOST


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


def _fold(text: str) -> str:
    """The normalized text with Turkish dotless i as i: a user typing without Turkish
    letters writes "yatirdim" for "yatırdım", "cekimi" for "çekimi" (ç, ğ, ö, ş, ü lose
    their marks in normalize already)."""
    return normalize(text).replace("ı", "i")


def _dense(ch: str) -> bool:
    return "\u3040" <= ch <= "\u30ff" or "\u3400" <= ch <= "\u9fff" or "\uac00" <= ch <= "\ud7af"


@cache
def default_concepts() -> Concepts:
    with CONCEPTS_FILE.open("rb") as fh:
        return Concepts(tomllib.load(fh))
