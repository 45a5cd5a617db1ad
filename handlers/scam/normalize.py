"""Undoing the disguises scammers put on words before matching them.

"Ｃｌａｉｍ", "cl@im", "c.l.a.i.m", "clаim" (with a Cyrillic а) and "c\u200blaim" all
read "claim" to a person; matching works on what a person reads. The homoglyph table
covers the look-alikes seen in crypto scams (Cyrillic and Greek letters, digits and
symbols for Latin letters); the result is for comparison only, never shown.
"""

from __future__ import annotations

import re
import unicodedata

# zero-width characters, bidi controls, soft hyphen, variation selectors
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\ufe00-\ufe0f]")
_HOMOGLYPHS = str.maketrans(
    {
        "а": "a",
        "е": "e",
        "о": "o",
        "р": "p",
        "с": "c",
        "х": "x",
        "у": "y",
        "і": "i",
        "ј": "j",
        "ѕ": "s",
        "ԁ": "d",
        "ɡ": "g",
        "һ": "h",
        "ӏ": "l",
        "ո": "n",
        "ս": "u",
        "α": "a",
        "ε": "e",
        "ο": "o",
        "ρ": "p",
        "ν": "v",
        "τ": "t",
        "κ": "k",
        "ι": "i",
        "ı": "i",
        "ℓ": "l",
    }
)
_LEET = str.maketrans(
    {"0": "o", "1": "l", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "€": "e"}
)
# letters spaced or dotted apart: "c l a i m", "c.l.a.i.m", "c-l-a-i-m"; digits are left
# alone ("s e n d 0.1 E T H" reads "send 0.1 eth", not "send01eth")
_SPACED = re.compile(r"(?<!\w)(?:[^\W\d_][ .\-_*·]){2,}[^\W\d_](?!\w)")
_NON_WORD_RUN = re.compile(r"[^\w\s]+")
_SPACES = re.compile(r"[^\S\n]{2,}")
# links written so that chat clients do not make them clickable (the way threat reports
# "defang" them): "hxxps://", "example[.]com", "example(.)com", "example[dot]com"; only
# after a name with a letter in it and before a letter, so "1.5 (dot) two" or
# "(see above)" are left as they are
_SCHEME = re.compile(r"\bh[tx]{2}p(s?)(?:\[:\]|:)//", re.IGNORECASE)
_DOT = re.compile(r"(?<=[\w-])\s?[\[({]\s?(?:\.|dot)\s?[\])}]\s?(?=[^\W\d_])", re.I)
_NAME_BEFORE = re.compile(r"[\w-]{1,63}$")  # the label before a defanged dot
# a link with a space after every character: "h t t p s : / / e x a m p l e . c o m"
_SPACED_LINK = re.compile(r"(?<!\S)(?:\S ){5,}\S(?!\S)")
_LINK_SHAPE = re.compile(r"(?:https?://)?(?:[\w-]+\.)+[^\W\d_]{2,24}(?:/\S*)?", re.IGNORECASE)


def unhidden(text: str) -> str:
    """NFKC without invisible characters; case kept (addresses are case-sensitive)."""
    return _INVISIBLE.sub("", unicodedata.normalize("NFKC", text))


def visible(text: str) -> str:
    """NFKC, case-folded, without invisible characters."""
    return unhidden(text).casefold()


def skeleton(text: str) -> str:
    """What ``text`` looks like: accents dropped, homoglyphs and leetspeak mapped to
    Latin letters ("exámple", "ехample", "examp1e" all give "example")."""
    text = visible(text).translate(_HOMOGLYPHS).translate(_LEET)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


_LATIN = re.compile("[a-z]")
# Cyrillic letters no Latin letter passes for (the word is Russian, not disguised English)
_ONLY_CYRILLIC = re.compile("[бвгдёжзийлнптфцчшщъыьэюя]")
_WORD = re.compile(r"\w+")
_TIMES = re.compile(r"[хХ]\d{1,3}|\d{1,3}[хХ]")
_X = str.maketrans("хХ", "xx")
# Latin letters that pass for Cyrillic ones: "Пpeдлaгаю paбoтy" hides Russian words
# from word lists the way "clаim" hides an English one
_TO_CYRILLIC = str.maketrans(
    {
        "a": "а",
        "e": "е",
        "o": "о",
        "p": "р",
        "c": "с",
        "x": "х",
        "y": "у",
        "k": "к",
        "m": "м",
        "t": "т",
        "h": "н",
        "b": "в",
    }
)


def _unmix(word: re.Match[str]) -> str:
    """A word mixing scripts is read in the script it is written in: "clаim" (one
    Cyrillic а, all its letters Latin-looking) as Latin, "Отпрaвь" (a Latin a among
    letters only Cyrillic has) as Cyrillic; a word in one script alone is a real word of
    that language and stays as it is."""
    text = word.group()
    if not _LATIN.search(text):
        # "х2", "2Х": a Cyrillic х beside a number is the multiplication sign
        return text.translate(_X) if _TIMES.fullmatch(text) else text
    if _ONLY_CYRILLIC.search(text):
        mapped = text.translate(_TO_CYRILLIC)
        if not _LATIN.search(mapped):
            return mapped
    return text.translate(_HOMOGLYPHS)


def unspaced(text: str) -> str:
    """Visible text with spaced-apart letters joined and look-alike letters read as
    Latin; punctuation and amounts kept ("0,1 ETH"). Bounded: first 20,000 chars."""
    text = _WORD.sub(_unmix, visible(text[:20_000]))
    return _SPACED.sub(lambda m: re.sub(r"[ .\-_*·]", "", m.group()), text)


# "qorvex . support / verify", "decentralize. sbs/solutionweb. com/": a space beside the
# dot of a link, before a path; a suffix that is also a word ("slow. Support / help")
# only with a space on both sides of the dot
_SPACED_DOT = re.compile(
    r"\b([a-z0-9-]{2,63})((?: \.|\. | \. )(?:com|net|org|io|xyz|sbs|top|vip|icu|cfd|buzz|cc)|"
    r" \. (?:support|help|online|site|app|live|click))( ?/)",
    re.IGNORECASE,
)


def refanged(text: str) -> str:
    """``text`` with defanged and letter-spaced links written as links again, for the
    link detectors; everything else as it was (bounded: first 100,000 chars)."""
    text = _SCHEME.sub(lambda m: f"http{m.group(1)}://", text[:100_000])
    text = _DOT.sub(_dot, text)
    text = _SPACED_DOT.sub(lambda m: f"{m.group(1)}.{m.group(2).strip(' .')}{m.group(3)}", text)
    return _SPACED_LINK.sub(_join_link, text)


def _dot(match: re.Match[str]) -> str:
    """A defanged dot, written as a dot when the name before it has a letter ("1.5
    (dot) 2" is no link); the look-behind keeps the work linear in the text's length."""
    before = _NAME_BEFORE.search(match.string, max(0, match.start() - 63), match.start())
    named = before is not None and any(ch.isalpha() for ch in before.group())
    return "." if named else match.group()


def _join_link(match: re.Match[str]) -> str:
    """Single characters spaced apart, joined when they spell a link ("a b c" stays)."""
    joined = match.group().replace(" ", "")
    return joined if "." in joined and _LINK_SHAPE.fullmatch(joined) else match.group()


def readable(text: str) -> str:
    """The text as a person reads it, for phrase matching (bounded: first 20,000 chars)."""
    text = unspaced(text)
    text = "".join(ch if not unicodedata.category(ch).startswith("S") else " " for ch in text)
    # one space between words, however many symbols stood there ("connect 🔗 wallet")
    return _SPACES.sub(" ", _NON_WORD_RUN.sub(" ", text))
