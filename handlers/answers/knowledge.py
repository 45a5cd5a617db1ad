"""The knowledge base: TOML files validated, merged and kept current.

Each file keeps its last good version: a broken edit is reported once, as one line
naming the file, line and field, and the previous version goes on answering, so a typo
by a community manager never takes answers down. ``refresh`` is cheap (a ``stat`` per
file) and is what the reloader calls on a timer.
"""

from __future__ import annotations

import logging
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from handlers.answers.schema import Activity, Airdrop, Faq, KnowledgeFile

log = logging.getLogger(__name__)

Entry = Activity | Airdrop | Faq
KINDS = {"activities": "activity", "airdrops": "airdrop", "faqs": "faq"}
_WORDING = {"extra_forbidden": "unknown field", "missing": "missing field"}


class KnowledgeError(Exception):
    """A file that cannot be used; ``str()`` is one line: ``file:line: field: problem``."""


@dataclass(frozen=True, slots=True)
class Knowledge:
    """One consistent version of the whole base, merged from every good file."""

    activities: tuple[Activity, ...] = ()
    airdrops: tuple[Airdrop, ...] = ()
    faqs: tuple[Faq, ...] = ()
    by_ref: dict[str, Entry] = field(default_factory=dict)

    @classmethod
    def merge(cls, files: Sequence[KnowledgeFile]) -> Knowledge:
        activities = tuple(a for f in files for a in f.activities)
        airdrops = tuple(a for f in files for a in f.airdrops)
        faqs = tuple(q for f in files for q in f.faqs)
        by_ref: dict[str, Entry] = {}
        for kind, entries in (("activity", activities), ("airdrop", airdrops), ("faq", faqs)):
            for entry in entries:
                by_ref.setdefault(f"{kind}:{entry.id}", entry)
        return cls(activities, airdrops, faqs, by_ref)

    def official_contracts(self) -> dict[str, str]:
        """``{token_symbol: contract_address}`` for the scam guard's comparisons."""
        return {a.token.upper(): a.official_contract for a in self.airdrops if a.official_contract}


def ref_of(entry: Entry) -> str:
    """The stable reference of an entry, as ``ask`` reports it: ``airdrop:abc-launch``."""
    kind = (
        "activity"
        if isinstance(entry, Activity)
        else "airdrop"
        if isinstance(entry, Airdrop)
        else "faq"
    )
    return f"{kind}:{entry.id}"


def load_file(path: Path) -> KnowledgeFile:
    """Read and validate one file; raises :class:`KnowledgeError` with a one-line reason."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise KnowledgeError(f"{path}: cannot read: {exc.strerror or exc}") from None
    text = raw.decode("utf-8", errors="replace")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"line (\d+)", str(exc))
        line = found.group(1) if found else "?"
        reason = re.sub(r"\s*\(at .*?\)$", "", str(exc))
        raise KnowledgeError(f"{path}:{line}: TOML syntax: {reason}") from None
    try:
        parsed = KnowledgeFile.model_validate(data)
    except ValidationError as exc:
        # A misspelt field also makes the right one "missing": name the misspelling.
        first = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")[0]
        loc = tuple(first["loc"])
        message = _WORDING.get(first["type"], first["msg"].removeprefix("Value error, "))
        raise KnowledgeError(f"{path}:{_line_of(text, loc)}: {_dotted(loc)}: {message}") from None
    _check_unique(path, text, parsed)
    return parsed


def _check_unique(path: Path, text: str, parsed: KnowledgeFile) -> None:
    for section in KINDS:
        seen: set[str] = set()
        for index, entry in enumerate(getattr(parsed, section)):
            if entry.id in seen:
                line = _line_of(text, (section, index, "id"))
                raise KnowledgeError(
                    f"{path}:{line}: {section}[{index}].id: duplicate id {entry.id!r}"
                )
            seen.add(entry.id)


def _dotted(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _line_of(text: str, loc: tuple[Any, ...]) -> int:
    """Best-effort line of a validation error: the field's line inside the N-th
    ``[[section]]`` block, else that block's header, else 1 (tomllib keeps no lines)."""
    lines = text.splitlines()
    if len(loc) < 2 or not isinstance(loc[1], int):
        return 1
    header = re.compile(rf"^\s*\[\[\s*{re.escape(str(loc[0]))}\s*\]\]")
    starts = [i for i, line in enumerate(lines) if header.match(line)]
    if loc[1] >= len(starts):
        return 1
    start = starts[loc[1]]
    if len(loc) >= 3 and isinstance(loc[2], str):
        key = re.compile(rf"^\s*{re.escape(loc[2])}\s*=")
        for i in range(start + 1, len(lines)):
            if lines[i].lstrip().startswith("["):
                break
            if key.match(lines[i]):
                return i + 1
    return start + 1


@dataclass(slots=True)
class _FileState:
    stamp: tuple[int, int] | None = None
    seen: tuple[int, int] | None = None  # the stamp at the last look, loaded or not
    good: KnowledgeFile | None = None
    error: str | None = None


class KnowledgeBase:
    """The live base: the current :class:`Knowledge` plus what is needed to refresh it.

    Readers take ``current`` once per question and use that one version throughout, so
    a reload in between never mixes two versions in one answer.
    """

    def __init__(self, paths: Sequence[Path | str]) -> None:
        self.paths = [Path(p) for p in paths]
        self._files = {p: _FileState() for p in self.paths}
        self.current = Knowledge()
        self.version = 0

    def __repr__(self) -> str:
        k = self.current
        return (
            f"<KnowledgeBase v{self.version}: {len(k.activities)} activities, "
            f"{len(k.airdrops)} airdrops, {len(k.faqs)} faqs>"
        )

    @property
    def errors(self) -> list[str]:
        """The one-line reason of every file currently rejected."""
        return [s.error for s in self._files.values() if s.error]

    def refresh(self, *, settle: bool = False) -> bool:
        """Reload the files that changed since the last look; ``True`` if the base changed.

        With ``settle`` (the periodic reloader) a changed file is read only once it has
        stood still between two looks, so a file caught half-written is never loaded.

        A file that fails keeps its last good version in service; its error is logged
        once per change of the file and kept in :attr:`errors`.
        """
        changed = False
        for path, state in self._files.items():
            try:
                st = path.stat()
                stamp: tuple[int, int] | None = (st.st_mtime_ns, st.st_size)
            except OSError:
                stamp = None
            if stamp == state.stamp and state.stamp is not None:
                continue
            if settle and state.stamp is not None and stamp != state.seen:
                # changed since the last look: maybe still being written; read it once
                # it has stood still for one interval, not half-written
                state.seen = stamp
                continue
            state.stamp = state.seen = stamp
            try:
                state.good = load_file(path)
                state.error = None
                changed = True
            except KnowledgeError as exc:
                state.error = str(exc)
                log.error("knowledge file rejected, last good version kept: %s", exc)
        if changed:
            self.current = Knowledge.merge([s.good for s in self._files.values() if s.good])
            self.version += 1
            log.info("knowledge loaded: %r", self)
        return changed

    def official_contracts(self) -> dict[str, str]:
        """``{token_symbol: contract_address}`` of the current version (scam guard)."""
        return self.current.official_contracts()
