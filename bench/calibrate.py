"""Fit the answer calibration (``handlers/answers/calibration.toml``) on development data.

The development questions (``bench/data/questions.jsonl`` and ``holdout.jsonl``) are
asked against the example base three times: as it ships (phrasings in many languages)
and as help centres write bases (only its English and Chinese phrasings; English for
all and Chinese for a third of the FAQs), so the weights
learn what a paraphrase in another language scores, not only a close phrasing; and the
second development set (``bench/data/dev2``: another exchange's base in help-centre
style, questions in twelve languages) against its own base. Every
candidate that reaches the calibrated step is one row (its features; right or not),
and a logistic regression per mode (semantic, lexical alone) is written out. The
thresholds that follow are printed: wrong and right answers at each.

    PYTHONPATH=. python bench/calibrate.py [--write]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from handlers.answers.knowledge import Knowledge, load_file
from handlers.answers.resolve import Resolver
from handlers.answers.settings import KnowledgeSettings
from handlers.understanding.cache import VectorCache
from handlers.understanding.engine import shared_engine

ROOT = Path(__file__).resolve().parents[1]
DATA = [ROOT / "bench" / "data" / "questions.jsonl", ROOT / "bench" / "data" / "holdout.jsonl"]
EXAMPLE = ROOT / "docs" / "knowledge" / "example.toml"
DEV2 = ROOT / "bench" / "data" / "dev2"
OUT = ROOT / "handlers" / "answers" / "calibration.toml"


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


def rows(resolver: Resolver, items: list[dict]) -> tuple[list[list[float]], list[int], list]:
    """Features and labels of every candidate that reaches the calibrated step."""
    x: list[list[float]] = []
    y: list[int] = []
    asked = []
    for item in items:
        text = item["text"]
        decided, signals = resolver.exact(text)
        if decided is not None:
            continue
        lexical, names = signals.lexical, signals.names
        features = resolver.features(text, lexical, names)
        asked.append((item, features))
        for ref, f in features.items():
            x.append(f.vector())
            y.append(int(ref == item["expected"]))
    return x, y, asked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"write {OUT.name}")
    parser.add_argument(
        "--hold-out-dev2",
        action="store_true",
        help="fit on the example base's questions alone; dev2's figures are then held out",
    )
    args = parser.parse_args()
    items = [json.loads(line) for path in DATA for line in path.read_text().splitlines() if line]
    dev2 = [json.loads(x) for x in (DEV2 / "questions.jsonl").read_text().splitlines() if x]
    engine = shared_engine().engine
    if engine is None:
        raise SystemExit(shared_engine().reason)
    settings = KnowledgeSettings(paths=[EXAMPLE])
    cache = VectorCache(ROOT / "var" / "embeddings")
    fitted: dict[str, LogisticRegression] = {}
    collected: dict[str, list] = {}
    for mode, engine_or_none in (("semantic", engine), ("lexical", None)):
        x_all: list[list[float]] = []
        y_all: list[int] = []
        sets = [(name, k, items) for name, k in bases().items()]
        sets.append(("dev2", Knowledge.merge([load_file(DEV2 / "kb.toml")]), dev2))
        for name, knowledge, questions in sets:
            resolver = Resolver(knowledge, settings, engine=engine_or_none, cache=cache)
            x, y, asked = rows(resolver, questions)
            if not (args.hold_out_dev2 and name == "dev2"):
                x_all += x
                y_all += y
            collected[f"{mode}/{name}"] = asked
        model = LogisticRegression(C=10.0, max_iter=1000).fit(np.array(x_all), np.array(y_all))
        fitted[mode] = model
        print(f"{mode}: {len(y_all)} candidates, {sum(y_all)} right; weights {model.coef_[0]}")
    for key, asked in collected.items():
        model = fitted[key.split("/")[0]]
        print(f"\n{key}: {len(asked)} questions reach the calibrated step")
        for threshold in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9):
            right = wrong = 0
            for item, features in asked:
                best = max(
                    features.items(),
                    key=lambda kv: model.predict_proba([kv[1].vector()])[0][1],
                    default=None,
                )
                if best is None:
                    continue
                p = model.predict_proba([best[1].vector()])[0][1]
                if p >= threshold:
                    right += best[0] == item["expected"]
                    wrong += best[0] != item["expected"]
            print(f"  answer at p >= {threshold}: right {right}, wrong {wrong}")
    if args.write:
        lines = ["# Written by bench/calibrate.py; read by handlers/answers/calibration.py."]
        for mode, model in fitted.items():
            coefficients = ", ".join(f"{c:.4f}" for c in model.coef_[0])
            lines += ["", f"[{mode}]", f"intercept = {model.intercept_[0]:.4f}"]
            lines += [f"coefficients = [{coefficients}]"]
        OUT.write_text("\n".join(lines) + "\n")
        print(f"\nwrote {OUT}")


if __name__ == "__main__":
    main()
