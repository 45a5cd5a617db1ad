"""Fit the answer calibration (``handlers/answers/calibration.toml``) on development data.

The development questions (``bench/data/questions.jsonl`` and ``holdout.jsonl``) are
asked against the example base three times: as it ships (phrasings in many languages)
and as help centres write bases (only its English and Chinese phrasings; English for
all and Chinese for a third of the FAQs), so the weights
learn what a paraphrase in another language scores, not only a close phrasing; and the
further development sets (``bench/data/dev2``, ``dev3``, ``dev5``: other exchanges' bases in
help-centre style, questions in twelve languages) against their own bases. Every
candidate that reaches the calibrated step is one row (its features; right or not),
and a logistic regression per mode (e5 with the second model's view, e5 alone, the
lexical matcher alone) is written out. The thresholds that follow are printed: wrong
and right answers at each; ``--hold-out dev3`` leaves one set out of the fit (give it
more than once to leave out several), so its figures say how the calibration does on
a base it never saw. ``--answer-at P`` shifts
the written ``both`` intercept so that the default ``confidence_threshold`` answers
where the fitted probability is P (chosen held out: docs/benchmarks.md).

    PYTHONPATH=. python bench/calibrate.py [--hold-out SET ...] [--answer-at P] [--write]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from handlers.answers.calibration import Features
from handlers.answers.knowledge import Knowledge, load_file
from handlers.answers.resolve import Resolver
from handlers.answers.settings import KnowledgeSettings
from handlers.understanding.cache import VectorCache
from handlers.understanding.engine import Engine, shared_engine

ROOT = Path(__file__).resolve().parents[1]
DATA = [ROOT / "bench" / "data" / "questions.jsonl", ROOT / "bench" / "data" / "holdout.jsonl"]
EXAMPLE = ROOT / "docs" / "knowledge" / "example.toml"
# further development sets: another exchange's base each, questions in twelve languages
EXTRA = [ROOT / "bench" / "data" / name for name in ("dev2", "dev3", "dev5")]
OUT = ROOT / "handlers" / "answers" / "calibration.toml"
ANSWER_AT = 0.85  # the fitted probability the held-out bases wanted answered (both mode)


def bases() -> dict[str, Knowledge]:
    """The example base as it ships, and with English and Chinese phrasings only."""
    parsed = load_file(EXAMPLE)
    narrow = parsed.model_copy(
        update={
            "faqs": [
                f.model_copy(
                    update={
                        "questions": {k: v for k, v in f.questions.items() if k in ("en", "zh")}
                    }
                )
                for f in parsed.faqs
            ]
        }
    )
    sparse = parsed.model_copy(
        update={
            "faqs": [
                f.model_copy(update={"questions": _english_and_chinese(f.questions, i % 3 == 0)})
                for i, f in enumerate(parsed.faqs)
            ]
        }
    )
    return {
        "full": Knowledge.merge([parsed]),
        "en+zh": Knowledge.merge([narrow]),
        "en+some zh": Knowledge.merge([sparse]),
    }


def _english_and_chinese(
    questions: dict[str, list[str]], chinese: bool = True
) -> dict[str, list[str]]:
    return {k: v for k, v in questions.items() if k == "en" or (chinese and k == "zh")}


def rows(resolver: Resolver, items: list[dict]) -> list[tuple[dict, dict[str, Features]]]:
    """Each question that reaches the calibrated step, with its candidates' features."""
    asked = []
    for item in items:
        text = item["text"]
        decided, signals = resolver.exact(text)
        if decided is None:
            asked.append((item, resolver.features(text, signals.lexical, signals.names)))
    return asked


def development_sets(
    items: list[dict],
) -> list[tuple[str, Knowledge, list[dict]]]:
    """Every base with its questions: the example base three ways, then each further
    development set (another exchange's base in help-centre style)."""
    sets = [(name, k, items) for name, k in bases().items()]
    for folder in EXTRA:
        questions = [json.loads(x) for x in (folder / "questions.jsonl").read_text().splitlines()]
        knowledge = Knowledge.merge([load_file(folder / "kb.toml")])
        sets.append((folder.name, knowledge, [q for q in questions if q]))
    return sets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"write {OUT.name}")
    parser.add_argument("--out", type=Path, default=OUT, help="where --write writes")
    parser.add_argument(
        "--hold-out",
        metavar="SET",
        action="append",
        default=[],
        choices=[f.name for f in EXTRA],
        help="leave this development set out of the fit: its figures are then held out",
    )
    parser.add_argument(
        "--answer-at",
        type=float,
        default=ANSWER_AT,
        metavar="P",
        help=f"fitted probability at which the both mode answers (default {ANSWER_AT})",
    )
    args = parser.parse_args()
    items = [json.loads(line) for path in DATA for line in path.read_text().splitlines() if line]
    engine = shared_engine().engine
    if engine is None:
        raise SystemExit(shared_engine().reason)
    if engine.second is None:
        raise SystemExit(shared_engine().second_reason)
    alone = Engine(engine.model, engine.name)
    default = KnowledgeSettings().confidence_threshold
    shift = {"both": _logit(default) - _logit(args.answer_at)}
    settings = KnowledgeSettings(paths=[EXAMPLE])
    cache = VectorCache(ROOT / "var" / "embeddings")
    fitted: dict[str, LogisticRegression] = {}
    collected: dict[str, list] = {}
    sets = development_sets(items)
    for mode, first in (("both", engine), ("semantic", alone), ("lexical", None)):
        x_all: list[list[float]] = []
        y_all: list[int] = []
        for name, knowledge, questions in sets:
            resolver = Resolver(knowledge, settings, engine=first, cache=cache)
            asked = rows(resolver, questions)
            if name not in args.hold_out:
                for item, features in asked:
                    for ref, f in features.items():
                        if f.mode != mode:  # a Vietnamese question has no second view
                            continue
                        x_all.append(f.vector())
                        y_all.append(int(ref == item["expected"]))
            collected[f"{mode}/{name}"] = asked
        model = LogisticRegression(C=10.0, max_iter=3000).fit(np.array(x_all), np.array(y_all))
        model.intercept_ = model.intercept_ + shift.get(mode, 0.0)
        fitted[mode] = model
        print(f"{mode}: {len(y_all)} candidates, {sum(y_all)} right; weights {model.coef_[0]}")
    for key, asked in collected.items():
        held = " (held out)" if key.split("/")[1] in args.hold_out else ""
        print(f"\n{key}{held}: {len(asked)} questions reach the calibrated step")
        for threshold in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9):  # shifted for both
            right = wrong = 0
            for item, features in asked:
                refs = list(features)
                if not refs:
                    continue
                # each candidate by its own mode (an FAQ's with the second view, an
                # activity's by e5 alone)
                p = np.array([_probability(fitted, features[r]) for r in refs])
                best = int(np.argmax(p))
                if p[best] >= threshold:
                    right += refs[best] == item["expected"]
                    wrong += refs[best] != item["expected"]
            print(f"  answer at p >= {threshold}: right {right}, wrong {wrong}")
    if args.write:
        lines = ["# Written by bench/calibrate.py; read by handlers/answers/calibration.py."]
        for mode, model in fitted.items():
            coefficients = ", ".join(f"{c:.4f}" for c in model.coef_[0])
            lines += ["", f"[{mode}]", f"intercept = {model.intercept_[0]:.4f}"]
            lines += [f"coefficients = [{coefficients}]"]
        args.out.write_text("\n".join(lines) + "\n")
        print(f"\nwrote {args.out}")


def _probability(fitted: dict[str, LogisticRegression], features: Features) -> float:
    return float(fitted[features.mode].predict_proba([features.vector()])[0, 1])


def _logit(p: float) -> float:
    return math.log(p / (1 - p))


if __name__ == "__main__":
    main()
