"""What an incident says and which questions it answers, as a supervisor writes it.

The same fields come from a TOML file (``socialdesk incident open FILE``) and from the
API's JSON body::

    title = "TRON deposits delayed"
    [text]                       # per language; en required; others fall back to en
    en = "We know: TRON deposits are delayed since 09:40 UTC. Your funds are safe ..."
    [match]
    faqs = ["deposit-not-arrived"]   # knowledge entries whose questions it answers
    networks = ["TRON"]              # optional: only when the message or intake names one
    coins = ["USDT"]                 # optional, likewise

A problem is one :class:`IncidentError` naming the field, so the CLI prints one line
and exits 2 and the API answers 400.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from handlers.language import UI_LANGUAGES
from handlers.toml_file import TomlFileError, read_toml

MAX_TITLE = 200
MAX_TEXT = 4000
MAX_NAMES = 20


class IncidentError(Exception):
    """A bad incident, or an operation that cannot be done; ``kind`` says which (for
    the API's status): ``invalid``, ``missing`` or ``conflict``."""

    def __init__(self, message: str, kind: str = "invalid") -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True, slots=True)
class IncidentSpec:
    """A validated incident: texts by language (``en`` always), FAQ ids, and the
    networks and coins of which a question must name one (empty: any)."""

    title: str
    texts: dict[str, str]
    faqs: tuple[str, ...]
    networks: tuple[str, ...] = ()
    coins: tuple[str, ...] = field(default=())

    def text(self, language: str) -> str:
        """The text in ``language``, or English."""
        return self.texts.get(language) or self.texts["en"]


def load_spec(path: Path, faqs: Collection[str] | None = None) -> IncidentSpec:
    """Read an incident file; ``faqs``: the ids the knowledge base holds."""
    try:
        data = read_toml(path)
    except TomlFileError as exc:
        raise IncidentError(str(exc)) from None
    return parse_spec(data, label=str(path), faqs=faqs)


def parse_spec(
    data: Any, *, label: str = "incident", faqs: Collection[str] | None = None
) -> IncidentSpec:
    """Validate an incident's fields; raises :class:`IncidentError` naming the first
    bad one (``label: field: problem``)."""

    def fail(where: str, problem: str) -> IncidentError:
        return IncidentError(f"{label}: {where}: {problem}")

    if not isinstance(data, dict):
        raise IncidentError(f"{label}: an incident is a table (object) of fields")
    unknown = sorted(set(data) - {"title", "text", "match"})
    if unknown:
        raise fail(unknown[0], "unknown field; give title, text and match")
    title = data.get("title")
    if not isinstance(title, str) or not title.strip() or len(title) > MAX_TITLE:
        raise fail("title", f"required, text of 1 to {MAX_TITLE} characters")
    texts = data.get("text")
    if not isinstance(texts, dict) or not isinstance(texts.get("en"), str):
        raise fail("text.en", "required: the English text (other languages fall back to it)")
    for code, value in texts.items():
        if code not in UI_LANGUAGES:
            raise fail(f"text.{code}", f"unknown language; known: {', '.join(UI_LANGUAGES)}")
        if not isinstance(value, str) or not value.strip() or len(value) > MAX_TEXT:
            raise fail(f"text.{code}", f"text of 1 to {MAX_TEXT} characters")
    match = data.get("match")
    if not isinstance(match, dict):
        raise fail("match", "required: a table with faqs (and optional networks, coins)")
    unknown = sorted(set(match) - {"faqs", "networks", "coins"})
    if unknown:
        raise fail(f"match.{unknown[0]}", "unknown field; give faqs, networks or coins")
    ids = _names(match.get("faqs"), "match.faqs", fail, required=True)
    if faqs is not None:
        missing = [i for i in ids if i not in faqs]
        if missing:
            raise fail("match.faqs", f"no FAQ {missing[0]!r} in the knowledge base")
    return IncidentSpec(
        title=title.strip(),
        texts={code: value.strip() for code, value in texts.items()},
        faqs=ids,
        networks=_names(match.get("networks"), "match.networks", fail),
        coins=_names(match.get("coins"), "match.coins", fail),
    )


def _names(value: Any, where: str, fail: Any, *, required: bool = False) -> tuple[str, ...]:
    if value is None and not required:
        return ()
    if (
        not isinstance(value, list)
        or not 1 <= len(value) <= MAX_NAMES
        or not all(isinstance(v, str) and 1 <= len(v.strip()) <= 64 for v in value)
    ):
        raise fail(where, f"a list of 1 to {MAX_NAMES} names (text of 1 to 64 characters)")
    return tuple(dict.fromkeys(v.strip() for v in value))
