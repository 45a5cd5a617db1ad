"""Choosing the language of a reply.

The user's own ``/lang`` choice wins; then the language the message is written in, when
the detector is sure; then the platform's hint (the language of the user's app); then
the brand's default. Short texts ("hi", "ok") say little about a language, so the
detector must be sure before it overrides the hint.

Crypto chat mixes languages: "Wann kommt der NOVA Airdrop?" is German with an English
loanword and a ticker. Words that belong to no language (tickers, loanwords such as
"airdrop", numbers, links) are removed before detection, and so are the brand's own
names (its activities and airdrops, the brand itself) when enough is left; letters that
only one UI language uses (Vietnamese tone marks, Turkish dotless i) decide outright,
as scripts do.
The choices were measured on ``bench/data/questions.jsonl`` (``bench/answers.py``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from functools import cache, lru_cache

import lingua
from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

from handlers.language_words import TYPED_WITHOUT_MARKS

# The UI languages socialdesk speaks, as ISO 639-1 codes.
UI_LANGUAGES = ("en", "zh", "vi", "de", "es", "ru", "tr", "id", "pt", "fr", "ja", "ko")
MIN_CONFIDENCE = 0.75
SURE_CONFIDENCE = 0.45  # with a lead of SURE_MARGIN over the runner-up, on 2+ words
SURE_MARGIN = 0.2
GUESS_CONFIDENCE = 0.35  # with no hint at all, a plausible guess beats the default

# Words every language borrows in crypto chat; they say nothing about the language.
_NEUTRAL = frozenset(
    [
        "airdrop",
        "airdrops",
        "token",
        "tokens",
        "coin",
        "coins",
        "crypto",
        "kyc",
        "p2p",
        "usdt",
        "usdc",
        "btc",
        "eth",
        "bnb",
        "api",
        "2fa",
        "snapshot",
        "memo",
        "txid",
        "tx",
        "hash",
        "txhash",
        "tag",
        "futures",
        "spot",
        "staking",
        "earn",
        "launchpad",
        "listing",
        "wallet",
        "uid",
        "otp",
        "vip",
        "ok",
        "admin",
        "support",
        "sprint",
        "bonanza",
        "grid",
        "bot",
    ]
)
_PUNCTUATION = "?!.,:;¿¡()\"'"
# links, handles, tickers, numbers, and addresses or hashes (long runs of letters mixed
# with digits): none of them says anything about the language around them
_NOISE = re.compile(
    r"https?://\S+|www\.\S+|\S+\.(?:com|io|net|org|app|xyz)\S*|[@#$]\w+|\b[A-Z0-9]{2,}\b"
    r"|\b(?=[^\W\d_]*\d)(?=\d*[^\W\d_])\w{4,}\b|\d+([.,:]\d+)*"
)
_VIETNAMESE = re.compile("[ăđơưĂĐƠƯ\u1ea0-\u1ef9]")
_TURKISH = re.compile("[ğışİĞŞ]")


class LanguageDetector:
    """Detects the language of a text among the UI languages.

    lingua ships its models inside the package, so nothing is downloaded at run time.
    The detector is built lazily, once, because loading models takes a moment.

    ``names`` gives the words of the brand's own names (its activities, airdrops and
    the brand itself, as :func:`neutral_form` writes them): they are English more often
    than not ("o Referral Rally já acabou?"), so lingua reads the text without them
    whenever two telling words remain.
    """

    def __init__(
        self,
        languages: tuple[str, ...] = UI_LANGUAGES,
        names: Callable[[], frozenset[str]] | None = None,
    ) -> None:
        self.languages = tuple(languages)
        self._names = names

    def detect(self, text: str) -> tuple[str, float] | None:
        """The most likely language and its confidence, or ``None`` for no letters."""
        found = self.detect_with_margin(text)
        return None if found is None else found[:2]

    def detect_with_margin(self, text: str) -> tuple[str, float, float] | None:
        """Like :meth:`detect`, plus the lead over the runner-up language.

        The last few results are remembered, as detection is the costliest step of a
        question after the model."""
        names = self._names() if self._names is not None else frozenset()
        return _detect(self.languages, text, names)


@lru_cache(maxsize=64)
def _detect(
    languages: tuple[str, ...], text: str, names: frozenset[str] = frozenset()
) -> tuple[str, float, float] | None:
    by_script = _script_language(text)
    if by_script is not None:
        return by_script, 1.0, 1.0
    words = telling_words(text)
    # distinct words: "la ... la" is one French article twice, not two Vietnamese cues
    folded = {w.casefold().strip(_PUNCTUATION) for w in words}
    for language, cues in TYPED_WITHOUT_MARKS.items():
        if len(folded & cues) >= 2:
            return language, 1.0, 1.0
    if names:
        # the cues above read the names too ("nhiem vu nguoi moi" names a Vietnamese
        # task); lingua reads the text without them when two words are left and it then
        # leads clearly ("refferal end date", a misspelt name left, reads as German)
        unnamed = [w for w in words if neutral_form(w) not in names]
        if len(unnamed) >= 2 and len(unnamed) < len(words):
            found = _statistical(languages, unnamed)
            if found is not None and found[2] >= SURE_MARGIN:
                return found
    return _statistical(languages, words)


def _statistical(languages: tuple[str, ...], words: list[str]) -> tuple[str, float, float] | None:
    cleaned = " ".join(words)
    if sum(1 for ch in cleaned if ch.isalpha()) < 2:
        return None
    values = _lingua(tuple(languages)).compute_language_confidence_values(cleaned)
    if not values:
        return None
    best = values[0]
    runner_up = values[1].value if len(values) > 1 else 0.0
    return best.language.iso_code_639_1.name.lower(), best.value, best.value - runner_up


def neutral_form(word: str) -> str:
    """A word as names are compared with it: case-folded, without punctuation or Latin
    accents ("Fiesta," and "fiésta" are one word)."""
    decomposed = unicodedata.normalize("NFKD", word.casefold().strip(_PUNCTUATION))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def name_words(names: Iterable[str]) -> frozenset[str]:
    """The words of ``names`` that :class:`LanguageDetector` sets aside: Latin-script
    words of three letters or more ("de" and "la" in a name still tell a language)."""
    return frozenset(
        form
        for name in names
        for word in name.split()
        if len(form := neutral_form(word)) >= 3 and form.isascii() and form.isalpha()
    )


def telling_words(text: str) -> list[str]:
    """The words that can say a text's language: no links, tickers, numbers, codes,
    hashes or crypto loanwords ("txid 0xabc, 50 USDT on TRC20" has one: "on")."""
    return [
        w
        for w in _NOISE.sub(" ", text[:2000]).split()
        if w.casefold().strip(_PUNCTUATION) not in _NEUTRAL
    ]


@cache
def _lingua(languages: tuple[str, ...]) -> lingua.LanguageDetector:
    """One lingua detector per set of languages, shared by every LanguageDetector:
    its models are large, and the answering stage re-checks names with its own.

    Models load on first need, not all at build: lingua only ever reads Latin-script
    text here (kana, hangul, han and Cyrillic decide by script before it is asked), so
    the Chinese, Japanese, Korean and Russian models are never loaded, which takes
    a sixth off the first detection of every process (``socialdesk ask``'s start)."""
    langs = [Language.from_iso_code_639_1(getattr(IsoCode639_1, c.upper())) for c in languages]
    return LanguageDetectorBuilder.from_languages(*langs).build()


def is_sure(found: tuple[str, float, float] | None, words: int) -> bool:
    """Whether a detection may override the platform's hint."""
    if found is None:
        return False
    _code, confidence, margin = found
    lead = confidence >= SURE_CONFIDENCE and margin >= SURE_MARGIN
    return confidence >= 1.0 or (words >= 2 and (confidence >= MIN_CONFIDENCE or lead))


def _script_language(text: str) -> str | None:
    """Scripts that name their language outright: kana, hangul, han, cyrillic."""
    han = kana = hangul = cyrillic = 0
    for ch in text[:2000]:
        if "\u3040" <= ch <= "\u30ff":
            kana += 1
        elif "\uac00" <= ch <= "\ud7af" or "\u1100" <= ch <= "\u11ff":
            hangul += 1
        elif "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf":
            han += 1
        elif "\u0400" <= ch <= "\u04ff":
            cyrillic += 1
    if _VIETNAMESE.search(text):
        return "vi"
    if _TURKISH.search(text):
        return "tr"
    if kana:
        return "ja"
    if hangul:
        return "ko"
    if han:
        return "zh"
    if cyrillic:
        return "ru"
    return None


def without_command(text: str) -> str:
    """The words of a message that can say its language: a leading ``/command`` and
    its arguments (codes, handles, links) never do."""
    stripped = text.lstrip()
    if not stripped.startswith("/"):
        return text
    return ""


def normalize_code(code: str | None) -> str | None:
    """``zh-Hans``, ``pt_BR``, ``EN`` → ``zh``, ``pt``, ``en``; junk → ``None``."""
    if not code:
        return None
    base = code.replace("_", "-").split("-")[0].strip().lower()
    if len(base) in (2, 3) and base.isascii() and base.isalpha():
        return base
    return None


def choose_language(
    text: str,
    *,
    chosen: str | None,
    previous: str | None = None,
    hint: str | None,
    supported: tuple[str, ...] | list[str],
    default: str,
    detector: LanguageDetector,
) -> str:
    """The reply language for one message (see the module docstring for the order)."""
    chosen = normalize_code(chosen)
    if chosen is not None and chosen in supported:
        return chosen
    prose = without_command(text)
    found = detector.detect_with_margin(unicodedata.normalize("NFC", prose))
    words = len(telling_words(prose))
    if found is not None and is_sure(found, words) and found[0] in supported:
        return found[0]
    if previous is not None and previous in supported:
        # "/link 4f7k2q9x", "skip", an address: nothing sure about a language of their
        # own; the conversation's goes on
        return previous
    hinted = normalize_code(hint)
    if hinted is not None and hinted in supported:
        return hinted
    if found is not None and found[0] in supported and _plausible(found, words):
        return found[0]
    return default


def _plausible(found: tuple[str, float, float], words: int) -> bool:
    """Whether a guess beats the default when nothing else tells the language. One word
    ("hello" reads as Spanish at 0.41) must also lead the runner-up clearly."""
    _code, confidence, margin = found
    return confidence >= GUESS_CONFIDENCE and (words >= 2 or margin >= SURE_MARGIN)
