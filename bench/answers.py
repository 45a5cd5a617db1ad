"""Answer quality and speed: the development set and the blind set, reported apart.

- **dev**: ``bench/data/questions.jsonl`` against the example base
  (``docs/knowledge/example.toml``), written alongside the code: an upper bound.
- **dev2**: ``bench/data/dev2/``: a second exchange's base in help-centre style (English
  phrasings, a few Chinese) and questions in twelve languages, written by a helper who
  had read only ``docs/knowledge.md``; a development set all the same (tuned on).
- **dev3**: ``bench/data/dev3/``: a third exchange's base and questions, written the
  same way by another helper; the calibration is fitted on it too.
- **dev5**: ``bench/data/dev5/``: a seventh exchange's base (Brisora, 40 FAQs) and 598
  questions, written on 2026-12-04 by another helper from ``docs/knowledge.md`` only;
  first run with main as it stood, then a held-out check, now fitted on too.
- **dev6**: ``bench/data/dev6/``: a ninth exchange's base (Quillbay) and 556 questions,
  heavy in Korean, Vietnamese and Turkish, written on 2026-12-04 by another helper from
  ``docs/knowledge.md`` only; first run with main as it stood, counts only, then the
  check that the day's second round of answer changes carries to a new writer.
- **dev7**: ``bench/data/dev7/``: a tenth exchange's base and questions, written on
  2026-12-04 by another helper from ``docs/knowledge.md`` only; first run with main as
  it stood (counts only), then the check that the third round carries over.
- **blind**: ``bench/data/blind/answers/``: another exchange's base (``kb.toml``) and
  questions in twelve languages (``questions.jsonl``), written by someone who had read
  only ``docs/knowledge.md``, frozen after its first run (``meta.json`` holds the
  instant they are asked at). Nothing is tuned on it.
- **blind2**: ``bench/data/blind2/answers/``: a fourth exchange's base and questions,
  written the same way on 2026-12-02 by another helper, run once with the code of that
  day and frozen (the first blind set had been run nine times by then).
- **blind3**: ``bench/data/blind3/answers/``: a fifth exchange's base and questions,
  written the same way on 2026-12-03 by another helper (its status words mapped to the
  phases ``kb test`` names before the first run, ``meta.json`` says how), frozen after
  its first run.
- **blind4**: ``bench/data/blind4/answers/``: a sixth exchange's base (Halcyra, 37 FAQs)
  and 401 questions, written the same way on 2026-12-03 by another helper with the
  phases' own words, frozen after its first run.
- **blind5**: ``bench/data/blind5/answers/``: an eighth exchange's base (Brumelle, 38
  FAQs) and 552 questions, written the same way on 2026-12-04, frozen after its first run.

Each question goes through ``socialdesk ask --input``'s code path in one process, with
every UI language enabled; scoring is ``socialdesk kb test``'s (``bots/kbtest.py``).
Printed per set: right entry, wrong confident answers, right reply language, status
facts, questions/s, right entry by language, and with ``--show-misses`` every miss.

    PYTHONPATH=. python bench/answers.py [--set dev|dev2|dev3|dev5|dev6|dev7|blind|blind2|
        blind3|blind4|blind5|all]
        [--show-misses] [--confidence P]
"""

from __future__ import annotations

import argparse
import asyncio
import json
from datetime import datetime
from pathlib import Path

from bots.ask import Asker
from bots.config import Config, parse_config
from bots.kbtest import evaluate, load_items
from handlers.answers.knowledge import Knowledge, load_file
from handlers.language import UI_LANGUAGES
from handlers.texts import Texts

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "bench" / "data"
BLIND_SETS = ("blind", "blind2", "blind3", "blind4", "blind5")


def _written(folder: Path) -> tuple[Path, Path, None, None]:
    """A set as the helpers write one: ``kb.toml`` and ``questions.jsonl`` in ``folder``,
    the instant and brand in its ``meta.json``."""
    return folder / "kb.toml", folder / "questions.jsonl", None, None


SETS: dict[str, tuple[Path, Path, str | None, str | None]] = {
    "dev": (
        ROOT / "docs" / "knowledge" / "example.toml",
        DATA / "questions.jsonl",
        "2026-11-23T12:00:00+00:00",
        "Example Exchange",
    ),
    **{name: _written(DATA / name) for name in ("dev2", "dev3", "dev5", "dev6", "dev7")},
    **{name: _written(DATA / name / "answers") for name in BLIND_SETS},
}


def bench_config(
    base: Path, brand: str = "Example Exchange", confidence: float | None = None
) -> Config:
    """The defaults, speaking every UI language, answering from ``base``."""
    knowledge: dict[str, object] = {"paths": [str(base)]}
    if confidence is not None:
        knowledge["confidence_threshold"] = confidence
    return parse_config(
        {"bot": {"brand": brand, "languages": list(UI_LANGUAGES)}, "knowledge": knowledge}
    )


async def run(name: str, show_misses: bool, confidence: float | None = None) -> None:
    base, questions, at, brand = SETS[name]
    if at is None:
        meta = json.loads((questions.parent / "meta.json").read_text())
        at, brand = meta["at"], meta["brand"]
    knowledge = Knowledge.merge([load_file(base)])
    items = load_items(questions, set(knowledge.by_ref))
    moment = datetime.fromisoformat(str(at).replace("Z", "+00:00"))
    config = bench_config(base, str(brand), confidence)
    report = await evaluate(Asker(config), items, moment, Texts.load())
    print(f"== {name}: {questions.relative_to(ROOT)} against {base.relative_to(ROOT)}")
    print(f"   asked as of {moment.isoformat()}")
    for line in report.lines():
        print("  ", line)
    if show_misses:
        for miss in report.misses:
            print("     ", miss)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=[*SETS, "all"], default="all")
    parser.add_argument("--show-misses", action="store_true")
    parser.add_argument(
        "--confidence",
        type=float,
        metavar="P",
        help="[knowledge] confidence_threshold to answer at (default: the configured one)",
    )
    args = parser.parse_args()
    for name in SETS if args.set == "all" else (args.set,):
        asyncio.run(run(name, args.show_misses, args.confidence))


if __name__ == "__main__":
    main()
