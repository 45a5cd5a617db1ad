"""Case-blind alternations of many word patterns, with a quick test in front.

The gate and the phrase rules are alternations of hundreds of words, case-blind
(``re.IGNORECASE``). Python's engine tries every word at every position of a text, and
with case-blind words it cannot skip ahead to the positions where one of them could
begin: the four cue families of the gate cost ~0.4 ms a message, more than all the
other rules together, although most messages hold no word of most families.

So each alternation first runs, case-sensitively, on a folded copy of the text: every
character mapped by the engine's own case-blind mapping (its simple lowercase) to one
representative of the letters it takes for the same ("ı" and "i", "ſ" and "s", "ς" and
"σ"), the words folded the same way, a word's leading ``\\b`` left out and the words
that start with a plain character apart from the others, so the engine skips to the
positions where one of their first characters stands. Whatever the real pattern matches, the quick
one matches in the folded text, so no match of it means none of the real pattern; when
it matches, the real pattern runs as before. Every result is the real pattern's
(``tests/test_scam_alternation.py``). A word using syntax the folding does not cover
(inline flags, back-references, negated or letter-spanning classes, letters whose
case-blind equals differ in being word characters) keeps its alternation on the real
pattern alone.
"""

from __future__ import annotations

import importlib
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from functools import lru_cache
from typing import Any

CASED_END = 0x1F000  # no character at or past this has a case (tests check)
ESCAPES = frozenset("bBdDwWsS")  # escapes that mean the same whatever the case
SPECIAL = frozenset("\\()[].^$*+?{}|")


def _engine_case() -> tuple[Callable[[int], int], Mapping[int, tuple[int, ...]]] | None:
    """The engine's own case mapping and its extra equivalences (CPython 3.11+), or
    ``None`` on another engine (every search then runs on the real pattern alone)."""
    try:
        sre = importlib.import_module("_sre")
        casefix = importlib.import_module("re._casefix")
        return sre.unicode_tolower, casefix._EXTRA_CASES
    except (ImportError, AttributeError):
        return None


def _folding() -> tuple[dict[int, int], frozenset[int]]:
    """Code -> its representative (only where they differ), and the codes left
    unfolded because their group mixes word and non-word characters."""
    case = _engine_case()
    if case is None:
        return {}, frozenset()
    tolower, extra = case
    members: dict[int, list[int]] = {}
    for code in range(CASED_END):
        low = tolower(code)
        if low == code and code not in extra:
            continue  # its own representative (joined by the codes that map to it)
        rep = min((low, *extra.get(low, ())))
        members.setdefault(rep, []).append(code)
    table: dict[int, int] = {}
    unsafe: set[int] = set()
    for rep, codes in members.items():
        if len({_is_word(c) for c in (rep, *codes)}) > 1:
            unsafe.update((rep, *codes))
            continue
        table.update((c, rep) for c in codes if c != rep)
    return table, frozenset(unsafe)


def _is_word(code: int) -> bool:
    ch = chr(code)
    return ch.isalnum() or ch == "_"


FOLD, UNSAFE = _folding()
QUICK = bool(FOLD)  # False on an engine without the case tables: no quick test


@lru_cache(maxsize=16)
def folded(text: str) -> str:
    """``text`` with each character replaced by its case-blind representative (the
    rules search one text with many patterns: it is folded once)."""
    if text.isascii():
        return text.lower()
    return text.translate(FOLD)


class Alternation:
    """``search``/``sub`` as ``re.compile("|".join(words), re.IGNORECASE)`` would,
    with the quick test in front; ``pattern`` is that real pattern."""

    def __init__(
        self, words: tuple[str, ...] | list[str], *, bare: bool = True, bare_min: int = 4
    ) -> None:
        self.pattern = re.compile("|".join(words), re.IGNORECASE)
        self._quick = _quick(words) if QUICK else None
        # the words as they are typed without accents ("tai khoan", "zurueck", "cekim"),
        # searched only in a text typed that way (``search_typed``)
        # (a word shorter than ``bare_min`` letters without its accents is another
        # word: "ví" wallet / "vi", "quà" gift / "qua" past; unless the caller reads
        # it beside stronger evidence, as the doubling rule does beside two amounts)
        changed = [
            u
            for u in (unmarked_source(w) for w in words)
            if u is not None and len(re.sub(r"\\.|[^\w]", "", u)) >= bare_min
        ]
        self._bare = Alternation(changed, bare=False) if bare and changed else None

    def __repr__(self) -> str:
        return f"Alternation({self.pattern.pattern[:40]!r}…)"

    def possible(self, text: str) -> bool:
        """False only when the real pattern cannot match ``text``."""
        if self._quick is None:
            return True
        fold = folded(text)
        return any(quick.search(fold) is not None for quick in self._quick)

    def search(self, text: str) -> re.Match[str] | None:
        return self.pattern.search(text) if self.possible(text) else None

    def search_typed(self, text: str) -> re.Match[str] | None:
        """``search``, and in a text whose Latin letters carry no accent at all (typed
        on a keyboard without them: "tai khoan", "zurueck", "cekim") the words written
        with accents also as typed without them."""
        found = self.search(text)
        if found is None and self._bare is not None and _MARKED.search(text) is None:
            return self._bare.search(text)
        return found

    def sub(self, repl: str | Callable[[re.Match[str]], str], text: str) -> str:
        return self.pattern.sub(repl, text) if self.possible(text) else text

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        return self.pattern.finditer(text) if self.possible(text) else iter(())

    def findall(self, text: str) -> list[Any]:
        return self.pattern.findall(text) if self.possible(text) else []

    def __getattr__(self, name: str) -> Any:
        """Anything else (``match``, ``fullmatch``, ``split``, ``flags``) is the real
        pattern's, without the quick test."""
        if name.startswith("_") or name == "pattern":  # (copy, pickle: not yet built)
            raise AttributeError(name)
        return getattr(self.pattern, name)


def _quick(words: tuple[str, ...] | list[str]) -> list[re.Pattern[str]] | None:
    """The quick patterns: words that start with a plain character, then the others; ``None``
    when a word cannot be folded."""
    lead: list[str] = []
    rest: list[str] = []
    for word in words:
        for branch in _branches(word):
            quick = _fold_source(branch.removeprefix("\\b"))
            if quick is None:
                return None
            starts = quick[:1] not in SPECIAL and quick[1:2] not in ("?", "*", "+", "{")
            (lead if quick and starts else rest).append(quick)
    return [re.compile("|".join(part)) for part in (lead, rest) if part]


def _branches(source: str) -> list[str]:
    """A pattern split at its top-level ``|``."""
    out, depth, start, i, in_class = [], 0, 0, 0, False
    while i < len(source):
        ch = source[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
            if source[i + 1 : i + 2] == "]":
                i += 1  # "[]...]": the first "]" is a member
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            out.append(source[start:i])
            start = i + 1
        i += 1
    out.append(source[start:])
    return out


def _fold_source(source: str) -> str | None:
    """``source`` with its literal characters folded, or ``None`` when it uses syntax
    whose case-blind meaning folding would not keep."""
    out: list[str] = []
    i, in_class = 0, False
    while i < len(source):
        ch = source[i]
        if ch == "\\":
            escaped = source[i + 1 : i + 2]
            if escaped.isalnum() and escaped not in ESCAPES:
                return None  # \1, \x41, \N{...}, \A: not folded here
            out.append(source[i : i + 2])
            i += 2
            continue
        if ord(ch) in UNSAFE:
            return None
        if in_class:
            if ch == "]":
                in_class = False
            elif ch == "-" and out[-1] != "[" and source[i + 1 : i + 2] not in ("]", ""):
                low, high = out[-1], source[i + 1]
                if not (("0" <= low <= high <= "9") or ("a" <= low <= high <= "z")):
                    return None  # a range of letters beyond a-z: members not folded
        elif ch == "[":
            if source[i + 1 : i + 2] in ("^", "]"):
                return None
            in_class = True
        elif ch == "(" and source[i + 1 : i + 2] == "?":
            kind = source[i + 2 : i + 3]
            if kind not in (":", "=", "!") and source[i + 2 : i + 4] not in ("<=", "<!"):
                return None  # inline flags, named groups, conditionals
        out.append(chr(FOLD.get(ord(ch), ord(ch))))
        i += 1
    return "".join(out)


# a Latin letter with an accent: a text holding one was typed with them
_MARKED = re.compile("[\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff]")
# letters that keyboards without them write as plain letters or two ("ü" as "ue")
_PLAIN = {"đ": "d", "Đ": "D", "ı": "i", "ł": "l", "ø": "o", "ß": "s", "æ": "a", "œ": "o"}
_TWO = {"ä": "(?:ae|a)", "ö": "(?:oe|o)", "ü": "(?:ue|u)", "ß": "(?:ss|s)"}


def unmarked_source(source: str) -> str | None:
    """A word pattern as typed without accents ("gửi" -> "gui", "zurück" ->
    "zur(?:ue|u)ck"), or ``None`` when it has no accented Latin letter. Other scripts
    (Cyrillic "й", kana with dakuten) are left as they are."""
    out: list[str] = []
    i, in_class, changed = 0, False, False
    while i < len(source):
        ch = source[i]
        if ch == "\\":
            out.append(source[i : i + 2])
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        if _MARKED.fullmatch(ch) or ch in _PLAIN:
            changed = True
            if not in_class and ch.lower() in _TWO:
                out.append(_TWO[ch.lower()])
            else:
                plain = _PLAIN.get(ch) or unicodedata.normalize("NFD", ch)[0]
                out.append(plain)
        else:
            out.append(ch)
        i += 1
    return "".join(out) if changed else None
