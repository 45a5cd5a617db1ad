"""Handles that imitate the exchange: in member names and inside messages.

A scammer's account borrows an official handle with one letter swapped ("@exampIe",
a capital I for the l; "@ехample" with Cyrillic letters) or the brand dressed as staff
("@example_jp_official", "Example Support"). Compared by skeleton
(``normalize.skeleton``): what the name looks like, not how it is spelled.
"""

from __future__ import annotations

import re
import unicodedata

from handlers.scam.normalize import skeleton, unhidden

STAFF_WORDS = (
    "admin",
    "support",
    "official",
    "team",
    "mod",
    "help",
    "service",
    # the same words in the other languages, as handles spell them
    "soporte",
    "suporte",
    "oficial",
    "officiel",
    "offiziell",
    "destek",
    "resmi",
    "hotro",
    "kefu",
)
OFFICIAL_ACCOUNT = "the official account"
# "@name" in running text; not the middle of an e-mail address ("me@example.com")
_HANDLE = re.compile(r"(?<![\w@.])@(\w{3,32})")
# an account or server named by its chat link: "t.me/ExampleOfficial_New",
# "discord.gg/example-help" (the official ones are configured in the same form)
_CHAT_LINK = re.compile(
    r"(?<![\w.])(?:https?://)?(?:www\.)?((?:t|telegram)\.me/|discord\.gg/|discord\.com/invite/)"
    r"([\w-]{3,32})",
    re.IGNORECASE,
)


def _compact(name: str) -> str:
    # a capital I where an official handle has a lowercase l looks the same in most fonts
    return "".join(ch for ch in skeleton(name.replace("I", "l")) if ch.isalnum())


def imitates(name: str, official_handles: tuple[str, ...], brand: str) -> tuple[str, bool] | None:
    """What ``name`` imitates (an official handle, or "<brand> staff") and whether it
    looks exactly like one; ``None`` when it imitates nothing. A member whose display
    name is an official handle imitates it; whether a handle written in a message *is*
    the official account is :func:`foreign_handles`' question."""
    name = account_of(name)  # a chat link names its account by its path
    if not name:
        return None
    compact = _compact(name)
    for handle in official_handles:
        official = _compact(handle)
        if official and compact == official:
            return handle, True
        if official and official in compact and len(official) >= 5:
            return handle, False
    brand_compact = skeleton(brand).replace(" ", "")
    brand_words = [w for w in skeleton(brand).split() if len(w) >= 4]
    staffish = any(word in compact for word in STAFF_WORDS)
    if brand and staffish and (brand_compact in compact or any(w in compact for w in brand_words)):
        return f"{brand} staff", False
    return None


def foreign_handles(text: str, official_handles: tuple[str, ...]) -> list[str]:
    """The ``@handles`` written in ``text`` that are not official ones (in any case),
    in order, each once; and the accounts and servers named by chat links, as written
    ("t.me/ExampleOfficial_New": its path is the account, :func:`account_of`)."""
    own = {h.lstrip("@").casefold() for h in official_handles}
    seen: dict[str, None] = {}
    plain = unhidden(text[:20_000])
    for match in _HANDLE.finditer(plain):
        if match.group(1).casefold() not in own:
            seen.setdefault("@" + match.group(1), None)
    for link in _CHAT_LINK.finditer(plain):
        prefix, name = link.group(1).casefold(), link.group(2)
        telegram = prefix.endswith(".me/")
        if (name.casefold() if telegram else "discord.gg/" + name.casefold()) not in own:
            seen.setdefault(link.group(1) + name, None)
    return list(seen)


def account_of(handle: str) -> str:
    """The ``@name`` a handle or chat link names, for comparing it with the brand's."""
    return "@" + handle.rsplit("/", 1)[1] if "/" in handle else handle


def without_official(text: str, official_handles: tuple[str, ...]) -> str:
    """``text`` with the official handles written in it called "the official account":
    "I asked @example_support" names the real account, so its "support" is no
    stranger's claim to be staff (the model reads official links the same way)."""
    own = {h.lstrip("@").casefold() for h in official_handles}
    if not own or "@" not in text:
        return text
    return _HANDLE.sub(
        lambda m: OFFICIAL_ACCOUNT if m.group(1).casefold() in own else m.group(), text
    )


# the words of a brand name worth matching ("Example Exchange": "example")
_GENERIC = frozenset({"exchange", "crypto", "official", "global", "wallet", "markets", "trade"})
_LETTERS = re.compile(r"[^\W\d_]{4,}")
_LINKISH = re.compile(r"\S*[./@]\S*")


def disguised_brand(text: str, brand: str) -> str | None:
    """The brand's name written with letters of another script ("Ԛоrvех Exchange
    official", a Cyrillic о, е and х among Latin ones), or ``None``. Nobody types the
    name of the exchange they write to that way but someone who wants a filter that
    reads the name, or a reader who checks it, to miss it. A name in Latin letters
    alone, accents or a letter off included, is typed, not disguised; a name
    transliterated into another script ("Корвекс") does not look like the brand."""
    names = [str(w) for w in _LETTERS.findall(brand.casefold()) if w not in _GENERIC]
    if not names:
        return None
    # links and handles have rules of their own (look-alike domains, fake handles)
    prose = _LINKISH.sub(" ", unhidden(text[:20_000]))
    for found in _LETTERS.finditer(prose):
        word = found.group()
        if word.isascii() or all(unicodedata.name(c, "").startswith("LATIN") for c in word):
            continue  # plain or accented Latin ("Qörvex"): typed, not disguised
        seen = skeleton(word)
        for name in names:
            if len(seen) == len(name) and sum(a != b for a, b in zip(seen, name, strict=True)) <= 1:
                return word
    return None
