"""Measuring a knowledge base on labelled questions: ``socialdesk kb test`` and the bench.

An exchange that brings its own base should know how it will be answered before its
users find out. Each question line is ``{"text", "language", "expected"}`` with
``expected`` an entry ref (``faq:deposit-not-arrived``) or ``"none"`` (the base does
not hold the answer: the bot must not answer with an entry), and optionally
``"status"`` (the phase the answer must state: ``running``, ``delayed``, ...) and
``"date"`` (``YYYY-MM-DD``, a date the answer must state). A clarifying question or a
handover names no entry: it is not right, and not wrong either; a confident answer with
another entry is what harms users, so it is counted apart.
"""

from __future__ import annotations

import io
import json
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from string import Formatter
from typing import Any

from bots.ask import Asker, AskError
from handlers.texts import Texts

# the sentence of each phase an answer opens with (handlers/locales/answers.*.toml)
PHASE_KEYS = {
    "not_started": "answers.activity.upcoming",
    "running": "answers.activity.running",
    "ended": "answers.activity.ended",
    "before_snapshot": "answers.airdrop.before_snapshot",
    "after_snapshot": "answers.airdrop.after_snapshot",
    "being_processed": "answers.airdrop.due",
    "distributing": "answers.airdrop.distributing",
    "distributed": "answers.airdrop.distributed",
    "delayed": "answers.airdrop.delayed",
    "cancelled": "answers.airdrop.cancelled",
}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class QuestionsError(Exception):
    """A questions file that cannot be used; ``str()`` names the line and field."""


@dataclass(slots=True)
class Report:
    """What went right and wrong, overall and by language."""

    total: int = 0
    right: int = 0
    wrong_confident: int = 0
    right_language: int = 0
    status_asked: int = 0
    status_right: int = 0
    seconds: float = 0.0
    by_language: Counter[str] = field(default_factory=Counter)
    right_by_language: Counter[str] = field(default_factory=Counter)
    misses: list[str] = field(default_factory=list)

    def share(self, part: int, whole: int | None = None) -> float:
        whole = self.total if whole is None else whole
        return part / whole if whole else 0.0

    def lines(self) -> list[str]:
        out = [
            f"questions:        {self.total} in {len(self.by_language)} languages",
            f"right entry:      {self.share(self.right):6.1%}",
            f"wrong confident:  {self.share(self.wrong_confident):6.1%}"
            f"  ({self.wrong_confident} answered with another entry)",
            f"right language:   {self.share(self.right_language):6.1%}",
        ]
        if self.status_asked:
            out.append(
                f"status facts:     {self.share(self.status_right, self.status_asked):6.1%}"
                f"  (of {self.status_asked} answers that state a phase or date)"
            )
        out.append(f"questions/s:      {self.total / self.seconds if self.seconds else 0:6.0f}")
        out.append(
            "right by language: "
            + ", ".join(
                f"{lang} {self.right_by_language[lang] / n:.0%} ({n})"
                for lang, n in sorted(self.by_language.items())
            )
        )
        return out

    def as_json(self) -> dict[str, Any]:
        return {
            "questions": self.total,
            "right": self.share(self.right),
            "wrong_confident": self.share(self.wrong_confident),
            "right_language": self.share(self.right_language),
            "status_facts": self.share(self.status_right, self.status_asked),
            "questions_per_second": self.total / self.seconds if self.seconds else 0.0,
            "by_language": {
                lang: self.right_by_language[lang] / n for lang, n in self.by_language.items()
            },
            "misses": self.misses,
        }


def read_questions(raw: bytes, refs: set[str], source: str) -> list[dict[str, Any]]:
    """Validated question lines; raises :class:`QuestionsError` naming the line."""
    items = []
    for number, line in enumerate(raw.decode("utf-8", errors="replace").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise QuestionsError(f"{source}:{number}: not JSON ({exc.msg})") from None
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            raise QuestionsError(f"{source}:{number}: text: a string is required")
        expected = item.get("expected")
        if expected != "none" and expected not in refs:
            raise QuestionsError(
                f"{source}:{number}: expected: {expected!r} is not an entry of the base"
                " (write an entry ref such as faq:<id>, or none)"
            )
        if "status" in item and item["status"] not in PHASE_KEYS:
            raise QuestionsError(
                f"{source}:{number}: status: {item['status']!r} is not one of "
                + ", ".join(PHASE_KEYS)
            )
        if "date" in item and not _DATE.match(str(item["date"])):
            raise QuestionsError(f"{source}:{number}: date: expected YYYY-MM-DD")
        items.append(item)
    return items


async def evaluate(
    asker: Asker,
    items: list[dict[str, Any]],
    at: datetime,
    texts: Texts,
    progress: Callable[[int], None] | None = None,
) -> Report:
    """Ask every question through ``ask --input``'s path and score the decisions."""
    defaults = asker.defaults(channel="web", chat="private", lang=None, at=at.isoformat())
    await asker.one({"text": "warm up"}, defaults)  # language models load once
    decisions: list[dict[str, Any]] = []

    def keep(decision: dict[str, Any]) -> None:
        decisions.append(decision)
        if progress is not None:
            progress(len(decisions))

    raw = b"\n".join(json.dumps({"text": i["text"]}).encode() for i in items)
    started = time.perf_counter()
    failures = await asker.many(io.BytesIO(raw), defaults, keep)
    report = Report(seconds=time.perf_counter() - started)
    if failures:
        raise AskError(f"{failures} question(s) could not be asked")
    for item, decision in zip(items, decisions, strict=True):
        score(report, item, decision, texts)
    return report


def score(report: Report, item: dict[str, Any], decision: dict[str, Any], texts: Texts) -> None:
    expected = [] if item["expected"] == "none" else [item["expected"]]
    refs = decision.get("refs") or []
    language = item.get("language", "")
    got = decision.get("language")
    report.total += 1
    report.by_language[language] += 1
    right = refs[:1] == expected
    report.right += right
    report.right_by_language[language] += right
    report.right_language += got == language
    wrong = bool(refs) and refs[:1] != expected
    report.wrong_confident += wrong
    reply = decision.get("reply") or ""
    facts_ok = True
    if right and expected and ("status" in item or "date" in item):
        report.status_asked += 1
        facts_ok = states_phase(reply, item.get("status"), str(got), texts) and (
            "date" not in item or item["date"] in reply
        )
        report.status_right += facts_ok
    if not right or got != language or not facts_ok:
        what = (
            "WRONG"
            if wrong
            else "miss"
            if not right
            else "language"
            if got != language
            else "facts"
        )
        report.misses.append(
            f"{what} [{language}->{got}] {item['text']!r}: expected {item['expected']}"
            f"{' ' + item['status'] if 'status' in item else ''}"
            f"{' ' + item['date'] if 'date' in item else ''}, got {refs or decision.get('intent')}"
            + (f" | {reply[:160]!r}" if not facts_ok else "")
        )


def states_phase(reply: str, status: str | None, language: str, texts: Texts) -> bool:
    """Whether ``reply`` says the phase: the longest fixed part of that phase's sentence
    in the reply's language is in it."""
    if status is None:
        return True
    template = texts.get(PHASE_KEYS[status], language)
    pieces = [literal.strip(" :.,;()") for literal, *_ in Formatter().parse(template)]
    longest = max(pieces, key=len, default="")
    return not longest or longest in reply


def load_items(path: Path, refs: set[str]) -> list[dict[str, Any]]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise QuestionsError(f"{path}: cannot read: {exc.strerror or exc}") from None
    return read_questions(raw, refs, str(path))
