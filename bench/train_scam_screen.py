"""Train the semantic layer's screen (``handlers/scam/screen.py``) and choose its band.

The screen is a logistic regression on the second model's vector (USE-multilingual,
``Engine.second``) of the same gist e5 reads and its anchor margin in that model's
vectors (``screen.features``); where it is sure the guard takes its
verdict and e5 is not run. How sure is sure is chosen held out, the two development
sets against each other: trained on the development set (``bench/data/scam.jsonl``)
and the anchors, tested on ``bench/data/scam_dev2``, and the reverse. For each
regularization C and each band (log-odds under ``clean_below`` say clean, over
``scam_above`` flagged), the messages the model judges are counted: how many the screen
decides wrong (a scam it calls clean, an ordinary message it flags) and how many it
leaves to e5. The band shipped is the one no message outside it was decided wrong in
either direction that leaves e5 the fewest; the row saying a report from a scammer's
message takes the C with the fewest wrong families. Beside it, the whole cascade
against e5 alone, held out (e5 as ``bench/train_scam_classifier.py`` trains it).

``--write`` fits both rows on both sets and the anchors and writes
``handlers/scam/screen.npz`` (weights, bias, model name, band) and the "screen" part of
``classifier.json`` (date, data files' sha256, held-out figures). The blind sets are
never read.

    PYTHONPATH=. python bench/train_scam_screen.py [--write]
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import sys
from itertools import product
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
from sklearn.linear_model import LogisticRegression

from bench.scam import DEV, DEV2
from bench.scam_rows import NEITHER, ROOT, WRITTEN, anchor_judgements, anchor_rows, corpus, embed
from handlers.scam import intent as semantic
from handlers.scam import screen as screening
from handlers.understanding.engine import shared_engine

SCREEN_VECTORS = ROOT / "var" / "scam_screen_vectors.npz"
CS = (3.0, 5.0, 10.0, 20.0, 30.0)
LOWS = (-5.0, -4.5, -4.0, -3.5, -3.0, -2.5, -2.0, -1.5)
HIGHS = (2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 5.5, 6.0)
E5_C = 100.0  # as classifier.json says the shipped e5 rows were fitted
DIRECTIONS = (("dev", "dev2"), ("dev2", "dev"))


def fit(x: np.ndarray, y: np.ndarray, c: float) -> LogisticRegression:
    return LogisticRegression(C=c, max_iter=10_000, tol=1e-6).fit(x, y)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="fit on everything and write")
    args = parser.parse_args()
    status = shared_engine()
    if status.engine is None or status.engine.second is None:
        raise SystemExit("bench/train_scam_screen.py: needs e5 and the second model loaded")
    engine, second = status.engine, status.engine.second
    anchors = anchor_rows(semantic.load_anchors())
    data = corpus() + anchors
    x, u = embed(engine, data), embed(second, data, SCREEN_VECTORS)
    y = np.array([r.scam for r in data])
    rep = np.array([r.report for r in data])
    source = np.array([r.source for r in data])
    judged = np.array([r.judged for r in data])
    usable = np.array([r.reached for r in data])
    family = np.array([r.scam and r.kind not in NEITHER for r in data])
    anchor_z, _ = anchor_judgements(data, x, anchors, x[source == "anchor"])
    u = screening.features(u, screen_margins(u, source, anchors))

    def trained(name: str) -> np.ndarray:
        return np.isin(source, (name, "anchor"))

    print("\n== the screen's band: trained on one development set, tested on the other")
    wrong: dict[tuple[float, float, float], int] = {}
    sent: dict[tuple[float, float, float], int] = {}
    report_wrong: dict[float, int] = {}
    for c in CS:
        report_wrong[c] = 0
        for train, test in DIRECTIONS:
            z = fit(u[usable & trained(train)], y[usable & trained(train)], c).decision_function(u)
            t = family & trained(train)
            zr = fit(u[t], rep[t], c).decision_function(u)
            tested = judged & (source == test)
            report_wrong[c] += int((family & tested & ((zr >= 0) != rep)).sum())
            for low, high in product(LOWS, HIGHS):
                key = (c, low, high)
                inside = tested & (z >= low) & (z <= high)
                decided = tested & ~inside
                wrong[key] = wrong.get(key, 0) + int((decided & ((z > high) != y)).sum())
                sent[key] = sent.get(key, 0) + int(inside.sum())
    safe = [k for k in wrong if wrong[k] == 0]
    c, low, high = min(safe, key=lambda k: (sent[k], k[1], -k[2]))
    c_report = min(CS, key=lambda c: (report_wrong[c], c))
    total = int((judged & np.isin(source, ("dev", "dev2"))).sum())
    for k in sorted(safe, key=lambda k: sent[k])[:5]:
        print(f"  C={k[0]:<5} band [{k[1]}, {k[2]}]: {sent[k]} of {total} to e5, none wrong")
    print(f"  chosen: C={c}, band [{low}, {high}]; report row C={c_report}")
    print(f"  report or scammer wrong, both directions: {report_wrong}")

    print("\n== the cascade against e5 alone, held out (misses / false positives, judged)")
    held: dict[str, str] = {}
    for train, test in DIRECTIONS:
        m = usable & trained(train)
        e5 = 1 / (1 + np.exp(-(fit(x[m], y[m], E5_C).decision_function(x) + anchor_z) / 2))
        flag_e5 = e5 >= semantic.FLAG_AT
        z = fit(u[m], y[m], c).decision_function(u)
        inside = (z >= low) & (z <= high)
        flag = np.where(inside, flag_e5, z > high)
        tested = judged & (source == test)
        line = (
            f"e5 alone {int((tested & y & ~flag_e5).sum())} / {int((tested & ~y & flag_e5).sum())}"
            f"; cascade {int((tested & y & ~flag).sum())} / {int((tested & ~y & flag).sum())}"
            f", e5 reads {int((tested & inside).sum())} of {int(tested.sum())}"
        )
        held[f"{train} -> {test}"] = line
        print(f"  {train} -> {test}: {line}")
    held["band chosen"] = f"C {c}, [{low}, {high}], none of {total} decided wrong held out"
    if args.write:
        scam, report = fit(u[usable], y[usable], c), fit(u[family], rep[family], c_report)
        write(second.name, scam, report, (low, high), held)
    return 0


def screen_margins(u: np.ndarray, source: np.ndarray, anchors: list) -> np.ndarray:
    """Each row's anchor margin in the second model's vectors (``intent.margin_of``);
    an anchor sentence is not its own closest anchor."""
    at = np.nonzero(source == "anchor")[0]
    sims = u @ u[at].T
    sims[at, np.arange(len(at))] = -1.0
    ordinary = np.array([r.kind == semantic.LEGIT for r in anchors])
    return sims[:, ~ordinary].max(axis=1) - sims[:, ordinary].max(axis=1)


def write(model: str, scam, report, band: tuple[float, float], held: dict[str, str]) -> None:
    out = screening.SCREEN
    weights = np.vstack([scam.coef_[0], report.coef_[0]]).astype(np.float32)
    bias = np.array([scam.intercept_[0], report.intercept_[0]], dtype=np.float32)
    np.savez(out, weights=weights, bias=bias, model=np.array(model), band=np.array(band))
    side = semantic.CLASSIFIER.with_suffix(".json")
    meta = json.loads(side.read_text(encoding="utf-8"))
    files = (DEV, WRITTEN, DEV2, semantic.ANCHORS)
    meta["screen"] = {
        "file": str(out.relative_to(ROOT)),
        "written": datetime.date.today().isoformat(),
        "by": "bench/train_scam_screen.py --write",
        "model": model,
        "features": "the second model's vector of intent.gist(text) (anchor sentences as "
        "written), then screen.MARGIN_SCALE times its anchor margin in that model's vectors "
        f"(intent.margin_of; scale {screening.MARGIN_SCALE})",
        "used_as": "scam log-odds < clean_below: clean; > scam_above: flagged, p = sigmoid of "
        "them, kind from the report row and the closest anchor; otherwise e5 judges",
        "band": {"clean_below": band[0], "scam_above": band[1]},
        "regularization_C": {"scam": scam.C, "report": report.C},
        "trained_on": {str(p.relative_to(ROOT)): _sha256(p) for p in files},
        "held_out": held,
        "never_read": "bench/data/blind/, bench/data/blind2/",
    }
    side.write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {out.relative_to(ROOT)} and the screen part of {side.relative_to(ROOT)}")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


if __name__ == "__main__":
    sys.exit(main())
