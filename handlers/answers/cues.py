"""What a question asks about an entry: its status, eligibility, how to join...

The cue words live in ``cues.toml`` beside this module, per language, so that adding a
phrasing is a data change. They only steer which facts come first in an answer and
whether a question is personal; they never choose the entry.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache, cached_property
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

    @cached_property
    def _patterns(self) -> tuple[dict[str, re.Pattern[str]], dict[str, re.Pattern[str]]]:
        """One alternation per aspect: the scan runs in the regex engine, not in Python."""

        def compile_all(table: dict[str, set[str]]) -> dict[str, re.Pattern[str]]:
            return {
                aspect: re.compile("|".join(re.escape(p) for p in sorted(phrases, key=len)))
                for aspect, phrases in table.items()
            }

        return compile_all(self._words), compile_all(self._dense)

    def find(self, text: str) -> frozenset[str]:
        """Every aspect ``text`` mentions."""
        norm = normalize(text)
        padded = f" {norm} "
        compact = norm.replace(" ", "")
        words, dense = self._patterns
        found = {a for a, pattern in words.items() if pattern.search(padded)}
        found |= {a for a, pattern in dense.items() if pattern.search(compact)}
        return frozenset(found)


def _dense(ch: str) -> bool:
    return "\u3040" <= ch <= "\u30ff" or "\u3400" <= ch <= "\u9fff" or "\uac00" <= ch <= "\ud7af"


@cache
def default_cues() -> Cues:
    with CUES_FILE.open("rb") as fh:
        return Cues(tomllib.load(fh))
