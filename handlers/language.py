"""Choosing the language of a reply.

The user's own ``/lang`` choice wins; then the language the message is written in, when
the detector is sure; then the platform's hint (the language of the user's app); then
the brand's default. Short texts ("hi", "ok") say little about a language, so the
detector must be sure before it overrides the hint.
"""

from __future__ import annotations

import unicodedata
from functools import cached_property

from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

# The UI languages socialdesk speaks, as ISO 639-1 codes.
UI_LANGUAGES = ("en", "zh", "vi", "de", "es", "ru", "tr", "id", "pt", "fr", "ja", "ko")
MIN_CONFIDENCE = 0.75


class LanguageDetector:
    """Detects the language of a text among the UI languages.

    lingua ships its models inside the package, so nothing is downloaded at run time.
    The detector is built lazily, once, because loading models takes a moment.
    """

    def __init__(self, languages: tuple[str, ...] = UI_LANGUAGES) -> None:
        self.languages = languages

    @cached_property
    def _detector(self):  # type: ignore[no-untyped-def]
        langs = [
            Language.from_iso_code_639_1(getattr(IsoCode639_1, c.upper())) for c in self.languages
        ]
        return (
            LanguageDetectorBuilder.from_languages(*langs).with_preloaded_language_models().build()
        )

    def detect(self, text: str) -> tuple[str, float] | None:
        """The most likely language and its confidence, or ``None`` for no letters."""
        by_script = _script_language(text)
        if by_script is not None:
            return by_script, 1.0
        letters = sum(1 for ch in text if ch.isalpha())
        if letters < 2:
            return None
        values = self._detector.compute_language_confidence_values(text[:2000])
        if not values:
            return None
        best = values[0]
        return best.language.iso_code_639_1.name.lower(), best.value


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
    if kana:
        return "ja"
    if hangul:
        return "ko"
    if han:
        return "zh"
    if cyrillic:
        return "ru"
    return None


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
    hint: str | None,
    supported: tuple[str, ...] | list[str],
    default: str,
    detector: LanguageDetector,
) -> str:
    """The reply language for one message (see the module docstring for the order)."""
    chosen = normalize_code(chosen)
    if chosen in supported:
        return chosen
    detected = detector.detect(unicodedata.normalize("NFC", text))
    words = len(text.split())
    if detected is not None:
        code, confidence = detected
        sure = confidence >= 1.0 or (confidence >= MIN_CONFIDENCE and words >= 2)
        if sure and code in supported:
            return code
    hinted = normalize_code(hint)
    if hinted in supported:
        return hinted
    if detected is not None and detected[0] in supported and detected[1] >= MIN_CONFIDENCE:
        return detected[0]
    return default
