"""What a question asks about an entry: its status, eligibility, how to join...

The cue words live in ``cues.toml`` beside this module, per language, so that adding a
phrasing is a data change. They only steer which facts come first in an answer and
whether a question is personal; they never choose the entry.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

from handlers.answers.matcher import normalize

CUES_FILE = Path(__file__).with_name("cues.toml")


class Cues:
    """The aspects a question mentions, found by whole words or dense-script substrings."""

    def __init__(self, table: dict[str, dict[str, list[str]]]) -> None:
        self._words: dict[str, set[str]] = {}
        self._dense: dict[str, set[str]] = {}
        for aspect, by_language in table.items():
            for phrases in by_language.values():
                for phrase in phrases:
                    norm = normalize(phrase)
                    if not norm:
                        continue
                    if norm.isascii() or all(not _dense(ch) for ch in norm):
                        self._words.setdefault(aspect, set()).add(f" {norm} ")
                    else:
                        self._dense.setdefault(aspect, set()).add(norm.replace(" ", ""))

    def find(self, text: str) -> frozenset[str]:
        """Every aspect ``text`` mentions."""
        norm = normalize(text)
        padded = f" {norm} "
        compact = norm.replace(" ", "")
        found = {a for a, words in self._words.items() if any(w in padded for w in words)}
        found |= {a for a, parts in self._dense.items() if any(p in compact for p in parts)}
        return frozenset(found)


def _dense(ch: str) -> bool:
    return "\u3040" <= ch <= "\u30ff" or "\u3400" <= ch <= "\u9fff" or "\uac00" <= ch <= "\ud7af"


@cache
def default_cues() -> Cues:
    with CUES_FILE.open("rb") as fh:
        return Cues(tomllib.load(fh))
