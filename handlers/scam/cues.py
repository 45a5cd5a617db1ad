"""The gate in front of the semantic layer: does a message touch anything a scam touches?

One embedding costs ~12 ms and a busy group sends hundreds of messages a second, so
the model only sees messages that name a secret or a wallet, promise or threaten
something, bring in a third party, a team or a private channel, say money is already
gone, or carry a link that is not official. The cue words (``cues.toml``, the twelve
languages) are wide on purpose (recall first: a message the gate drops is never
judged) and plain alternations behind a quick test (``alternation``), so the gate
costs microseconds. It runs on
``normalize.readable`` text, where spaced, dotted and look-alike letters are joined.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from handlers.scam.alternation import Alternation

CUES = Path(__file__).with_name("cues.toml")


def _load(path: Path = CUES) -> dict[str, Alternation]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return {name: Alternation(words) for name, words in data.items()}


_FAMILIES = _load()
SECRET = _FAMILIES["secret"]
PROMISE = _FAMILIES["promise"]
CONTACT = _FAMILIES["contact"]
GONE = _FAMILIES["gone"]


def cue_count(readable_text: str, *, has_link: bool) -> int:
    """How many kinds of cue a message carries (a link counts as one): 0 keeps it from
    the model; more kinds together make a scam likelier (``intent`` weighs them)."""
    found = sum(
        cue.search_typed(readable_text) is not None for cue in (SECRET, PROMISE, CONTACT, GONE)
    )
    return found + has_link


def worth_a_look(readable_text: str, *, has_link: bool) -> bool:
    """Whether the semantic layer should read this message at all."""
    return has_link or cue_count(readable_text, has_link=False) > 0
