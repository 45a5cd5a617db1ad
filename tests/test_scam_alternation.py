"""The guard's word lists find exactly what their case-blind patterns find, quick test or not.

The quick test in front of each alternation (``handlers.scam.alternation``) may only
skip a search that could not match: a scam word written with letters the engine takes
for the same ("KİLİT", "ſeed", the Kelvin sign) must still be found, at the same place.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from handlers.scam import cues, doubling, phrases
from handlers.scam.alternation import CASED_END, FOLD, Alternation, folded
from handlers.scam.normalize import readable

DATA = Path(__file__).resolve().parent.parent / "bench" / "data"
# the development sets (never the blind ones): scams and ordinary messages in 12 languages
DEV_SETS = (DATA / "scam.jsonl", DATA / "scam_dev2" / "messages.jsonl")

ALTERNATIONS = {
    **{f"cues.{k}": v for k, v in cues._FAMILIES.items()},
    **{f"phrases.{k}": v for k, v in vars(phrases).items() if isinstance(v, Alternation)},
    **{f"doubling.{k}": v for k, v in vars(doubling).items() if isinstance(v, Alternation)},
}
TRICKY = [
    "Hesabım KİLİTLENDİ, kılıt açmak için ödeme yap",
    "send your ſeed phraſe to the ſupport",
    "SEED PHRASE",
    "ＳＥＥＤ ＰＨＲＡＳＥ",
    "DOUBLE YOUR BTC, SEND 0.1 GET 0.2",
    "ΣΤΕΙΛΕ ΤΟ ΚΛΕΙΔΙ",
    "ПРИШЛИТЕ СИД-ФРАЗУ В ЛИЧКУ",
    "ŞİFRENİ GÖNDER",
    "\u212aEY (the Kelvin sign)",
    "Straße, STRASSE, ǅ ǈ ǋ",
    "ι ͅ ι Ι",
    "I ı İ i",
    "DOUBLE-CHECK the address; the network fee suddenly doubled",
    "CONNECT YOUR METAMASK AND SIGN THE PERMISSION; MetaMaskを接続して署名",
]


def dev_texts(every: int = 4) -> list[str]:
    """Every ``every``-th distinct text of the development sets (the real patterns are
    the slow part: all of them would take a minute)."""
    lines = [line for p in DEV_SETS for line in p.read_text("utf-8").splitlines() if line]
    texts = sorted({json.loads(line).get("text", "") for line in lines} - {""})
    return texts[::every]


DEV_TEXTS = dev_texts()


def _same(a: re.Match[str] | None, b: re.Match[str] | None) -> bool:
    return (a and (a.span(), a.group())) == (b and (b.span(), b.group()))


def test_every_guard_alternation_has_a_quick_test() -> None:
    """(otherwise the rules cost what they did before: nothing here would fail)"""
    assert ALTERNATIONS and all(a._quick for a in ALTERNATIONS.values())


@pytest.mark.parametrize("name", sorted(ALTERNATIONS))
def test_finds_what_the_case_blind_pattern_finds(name: str) -> None:
    alternation = ALTERNATIONS[name]
    tricky = [form for t in TRICKY for form in (t, t.lower(), t.title(), readable(t))]
    forms = [*tricky, *DEV_TEXTS, *(readable(t) for t in DEV_TEXTS)]
    found = 0
    for text in forms:
        mine, real = alternation.search(text), alternation.pattern.search(text)
        assert _same(mine, real), (name, text)
        assert alternation.sub("#", text) == alternation.pattern.sub("#", text)
        mine_all = [(m.span(), m.group()) for m in alternation.finditer(text)]
        assert mine_all == [(m.span(), m.group()) for m in alternation.pattern.finditer(text)]
        assert alternation.findall(text) == alternation.pattern.findall(text)
        found += real is not None
    assert found  # the texts do hold some of these words


def test_look_alike_letters_are_still_found() -> None:
    """What the engine's case-blind matching reads as the cue word, the gate does too."""
    assert cues.PROMISE.search("hesabım kılıtlendi") is not None  # "kilit", dotless ı
    assert cues.SECRET.search("send the ſeed") is not None  # "\bseed", long s
    assert cues.SECRET.search("your \u212aEYS") is not None  # "\bkeys?\b", Kelvin sign


def test_every_letter_the_engine_takes_for_a_word_letter_folds_the_same() -> None:
    """The property the quick test rests on, over all of Unicode: whatever character a
    case-blind literal of the word lists matches, the folded text has its folding."""
    everything = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    letters = {
        ch
        for a in ALTERNATIONS.values()
        for ch in a.pattern.pattern
        if ch.lower() != ch.upper() or ch.casefold() != ch
    }
    assert len(letters) > 100
    for letter in letters:
        want = folded(letter)
        for other in re.findall(re.escape(letter), everything, re.IGNORECASE):
            assert folded(other) == want, (letter, other)


def test_the_fold_keeps_every_text_s_length_and_its_ascii_case() -> None:
    ascii_text = "".join(chr(c) for c in range(128))
    assert folded(ascii_text) == ascii_text.translate(FOLD) == ascii_text.lower()
    wide = "".join(chr(c) for c in range(0x80, 0x3000))
    assert len(folded(wide)) == len(wide)
    assert not any(
        chr(c).lower() != chr(c) or chr(c).upper() != chr(c) for c in range(CASED_END, 0x110000)
    )


def test_syntax_it_cannot_fold_keeps_the_pattern_alone() -> None:
    for words in (["(?i:seed)"], [r"(s)\1"], ["[^a-z]x"], ["[A-Z]+"]):
        alternation = Alternation(words)
        assert alternation._quick is None
        assert _same(alternation.search("SSx seed"), alternation.pattern.search("SSx seed"))
    assert cues.SECRET.fullmatch("SEED") is not None  # the rest of re.Pattern, as it is
