"""Leave one development set out: the whole guard on a set its classifier never saw.

The classifier (``classifier.npz``) is trained on the development sets, so
``bench/scam.py`` on any of them is an upper bound: a change that costs recall on
messages written elsewhere (the blind sets) looks free there. Here, for each fold (one
of ``scam.jsonl``, ``scam_dev2``, ``scam_dev3``, ``scam_dev4``, ``scam_dev5`` and
``scam_dev6`` when present), the
semantic layer is refitted on the other sets, the hand-written rows
(``scam_written.jsonl``), the hard negatives (``scam_clean_train.jsonl``, with
``clean_train``) and the anchors; rows of the training sets that repeat a held-out
message (same text, same template, or a vector at least ``scam_rows.NEAR`` close) are
left out. The regularization C is chosen inside the training sets (each of them held
out in turn, the fewest misses plus false positives at ``intent.FLAG_AT``); the
screen (``screen.py``) is refitted on the same rows with its shipped band and C. Then
every message of the held-out set goes through ``detect.inspect_many`` with that set's
brand, exactly as ``bench/scam.py`` reads it, and the figures are the guard's:
recall by kind and false positives.

What is still not held out: the anchors (``anchors.toml``) and the rules were written
beside all the development sets, and the hard negatives after reading their false
positives; a fold's figure is therefore still optimistic, but far less than the
shipped classifier's on its own training data.

``without`` switches rules off for the whole run (training rows' gate included):
``bystander``, ``support``, ``pitches``; ``screen`` lets e5 read every message.
``classifier`` evaluates a fixed ``classifier.npz`` (e.g. one from git history)
instead of refitting.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from bench.scam import CACHE, CLEAN_TRAIN, DEV, DEV2, DEV3, DEV4, DEV5, DEV6, DEV_META, load
from bench.scam_rows import NEAR, NEITHER, REPORT_KINDS, WRITTEN, _Recorder, anchor_rows
from bench.scam_rows import cached_vectors as embed
from handlers.scam import detect
from handlers.scam import intent as semantic
from handlers.scam import screen as screening
from handlers.scam.links import BlockList
from handlers.scam.normalize import readable
from handlers.understanding.cache import VectorCache
from handlers.understanding.engine import Engine

ROOT = Path(__file__).resolve().parents[1]
VECTORS = ROOT / "var" / "scam_holdout_vectors.npz"
CS = (1.0, 3.0, 10.0, 30.0, 100.0, 300.0, 1000.0)
REPORT_C = 1000.0  # as shipped (classifier.json); it names the kind, not the verdict
SCREEN_C, SCREEN_REPORT_C = 30.0, 20.0  # as shipped (classifier.json, "screen")


def sets() -> dict[str, tuple[Path, dict]]:
    """The development sets by name, each with its brand's settings."""
    out = {"dev": (DEV, DEV_META), "dev2": (DEV2, DEV_META)}
    for name, path in (("dev3", DEV3), ("dev4", DEV4), ("dev5", DEV5), ("dev6", DEV6)):
        if path.exists():
            out[name] = (path, json.loads((path.parent / "meta.json").read_text("utf-8")))
    return out


@dataclass
class Row:
    """One labelled message of a set, what the rules and gate make of it, its vectors."""

    text: str
    scam: bool
    kind: str
    source: str  # a set's name, "written", "train" (hard negatives) or "anchor"
    meta: dict
    rules: bool = False
    reached: bool = True
    cues: int = 1

    @property
    def report(self) -> bool:
        return self.kind in REPORT_KINDS

    @property
    def family(self) -> bool:
        return self.scam and self.kind not in NEITHER

    @property
    def read(self) -> str:
        """What the models read: the gist (an anchor as written)."""
        if self.source == "anchor":
            return self.text
        return semantic.gist(self.text, tuple(self.meta["official_domains"]))


def options(meta: dict) -> dict:
    """``detect.inspect``'s brand arguments for a set."""
    return {
        "official_domains": tuple(meta["official_domains"]),
        "official_contracts": dict(meta.get("official_contracts") or {}),
        "official_handles": tuple(meta.get("official_handles") or ()),
        "brand": meta.get("brand", ""),
    }


def gate(rows: list[Row]) -> None:
    """Whether the rules flag each row, or the gate keeps it from the model."""
    blocklist = BlockList()
    for row in rows:
        if row.source == "anchor":
            continue
        recorder = _Recorder()
        found = detect.inspect(row.text, blocklist=blocklist, intent=recorder, **options(row.meta))  # type: ignore[arg-type]
        row.rules, row.reached = bool(found), recorder.cues is not None
        row.cues = recorder.cues or 1


def everything(clean_train: bool) -> list[Row]:
    """Every set's rows, the written and hard-negative rows, the anchors; gated."""
    rows: list[Row] = []
    for name, (path, meta) in sets().items():
        rows += [
            Row(r["text"], r["label"] == "scam", r.get("category", "?"), name, meta)
            for r in load(path)
        ]
    extra = [("written", WRITTEN)] + ([("train", CLEAN_TRAIN)] if clean_train else [])
    for name, path in extra:
        rows += [
            Row(r["text"], r["label"] == "scam", r.get("category", "?"), name, DEV_META)
            for r in load(path)
        ]
    rows += [
        Row(a.text, a.scam, a.kind, "anchor", DEV_META)
        for a in anchor_rows(semantic.load_anchors())
    ]
    gate(rows)
    return rows


def template(text: str) -> str:
    key = re.sub(r"(?:https?://)?(?:[\w-]+\.)+[a-z]{2,24}\S*", " ", readable(text))
    return re.sub(r"[\W\d_]+", "", key)


def fit(x: np.ndarray, y: np.ndarray, c: float) -> LogisticRegression:
    return LogisticRegression(C=c, max_iter=10_000, tol=1e-6).fit(x, y)


def margins(x: np.ndarray, anchors: np.ndarray, ordinary: np.ndarray) -> np.ndarray:
    sims = x @ anchors.T
    return sims[:, ~ordinary].max(axis=1) - sims[:, ordinary].max(axis=1)


@dataclass
class Figures:
    """The guard on one held-out set."""

    caught: Counter[str] = field(default_factory=Counter)
    scams: Counter[str] = field(default_factory=Counter)
    flagged: int = 0
    ordinary: int = 0
    shown: list[str] = field(default_factory=list)

    def line(self) -> str:
        s, c = sum(self.scams.values()), sum(self.caught.values())
        worst = min(self.scams, key=lambda k: self.caught[k] / self.scams[k])
        return (
            f"recall {c / s:6.1%} ({c}/{s}), false positives {self.flagged / self.ordinary:5.2%} "
            f"({self.flagged}/{self.ordinary}); weakest kind {worst} "
            f"{self.caught[worst]}/{self.scams[worst]}"
        )


class Holdout:
    """The rows and vectors of every set, and the guard refitted without one."""

    def __init__(self, engine: Engine, *, clean_train: bool, rows: str = "reached") -> None:
        self.engine = engine
        self.rows = everything(clean_train)
        self.every_row = rows == "all"
        self.x = embed(engine, [r.read for r in self.rows], VECTORS)
        self.source = np.array([r.source for r in self.rows])
        self.y = np.array([r.scam for r in self.rows], dtype=int)
        self.anchor = self.source == "anchor"
        ordinary = np.array([r.kind == semantic.LEGIT for r in self.rows])[self.anchor]
        self.ordinary_anchor = ordinary
        self.margin = margins(self.x, self.x[self.anchor], ordinary)
        self.anchor_z = np.array(
            [semantic.anchor_logit(m, r.cues) for m, r in zip(self.margin, self.rows, strict=True)]
        )
        self.u: np.ndarray | None = None
        if engine.second is not None:
            u = embed(
                engine.second,
                [r.read for r in self.rows],
                VECTORS.with_name("scam_holdout_use.npz"),
            )
            sims = u @ u[self.anchor].T
            at = np.nonzero(self.anchor)[0]
            sims[at, np.arange(len(at))] = -1.0  # an anchor is not its own closest anchor
            m = sims[:, ~ordinary].max(axis=1) - sims[:, ordinary].max(axis=1)
            self.u = screening.features(u, m)
        self.keys = [template(r.text) for r in self.rows]

    def training(self, held: str, among: tuple[str, ...]) -> np.ndarray:
        """Rows to train on without ``held``: the sets ``among``, written/hard negatives
        and anchors, less anything that repeats a held-out message."""
        test = self.source == held
        keep = np.isin(self.source, (*among, "written", "train", "anchor")) & ~test
        if held == "dev":  # scam_written.jsonl is part of scam.jsonl
            keep &= self.source != "written"
        gone = {self.keys[i] for i in np.nonzero(test)[0]}
        keep &= np.array([k not in gone for k in self.keys])
        if test.any():
            near = (self.x[keep] @ self.x[test].T).max(axis=1) >= NEAR
            keep[np.nonzero(keep)[0][near]] = False
        usable = np.array([self.every_row or r.reached for r in self.rows])
        return keep & usable

    def choose_c(self, held: str) -> float:
        """C with the fewest errors on the judged rows of each training set held out in
        turn (inside the training sets only)."""
        inner = [s for s in sets() if s != held]
        errors = dict.fromkeys(CS, 0)
        judged = np.array([r.reached and not r.rules for r in self.rows])
        for out in inner:
            t = self.training(out, tuple(s for s in inner if s != out)) & (self.source != held)
            tested = judged & (self.source == out)
            for c in CS:
                z = fit(self.x[t], self.y[t], c).decision_function(self.x[tested])
                p = 1 / (1 + np.exp(-(z + self.anchor_z[tested]) / 2))
                errors[c] += int(((p >= semantic.FLAG_AT) != self.y[tested].astype(bool)).sum())
        return min(CS, key=lambda c: (errors[c], c))

    def refit(
        self, held: str, c: float | None = None, among: tuple[str, ...] | None = None
    ) -> tuple[semantic.Classifier, screening.Screen | None, float]:
        """The classifier and screen trained without ``held`` (on the sets ``among``)."""
        c = c if c is not None else self.choose_c(held)
        t = self.training(held, among or tuple(s for s in sets() if s != held))
        fam = t & np.array([r.family for r in self.rows])
        rep = np.array([r.report for r in self.rows], dtype=int)
        scam, report = fit(self.x[t], self.y[t], c), fit(self.x[fam], rep[fam], REPORT_C)
        clf = semantic.Classifier(
            np.vstack([scam.coef_[0], report.coef_[0]]).astype(np.float32),
            np.array([scam.intercept_[0], report.intercept_[0]], dtype=np.float32),
            self.engine.name,
        )
        screen = None
        if self.u is not None and self.engine.second is not None:
            shipped = screening.Screen.load()
            s, r = fit(self.u[t], self.y[t], SCREEN_C), fit(self.u[fam], rep[fam], SCREEN_REPORT_C)
            screen = screening.Screen(
                np.vstack([s.coef_[0], r.coef_[0]]).astype(np.float32),
                np.array([s.intercept_[0], r.intercept_[0]], dtype=np.float32),
                self.engine.second.name,
                shipped.clean_below,
                shipped.scam_above,
            )
        return clf, screen, c

    def guard(
        self, held: str, clf: semantic.Classifier, screen: screening.Screen | None
    ) -> Figures:
        """Every message of ``held`` through ``detect.inspect_many`` with this classifier."""
        path, meta = sets()[held]
        rows = load(path)
        check = semantic.IntentCheck(self.engine, VectorCache(CACHE), classifier=clf, screen=screen)
        found = detect.inspect_many(
            [r["text"] for r in rows], blocklist=BlockList(), intent=check, **options(meta)
        )
        f = Figures()
        for row, findings in zip(rows, found, strict=True):
            hit = bool(findings)
            if row["label"] == "scam":
                f.scams[row.get("category", "?")] += 1
                f.caught[row.get("category", "?")] += hit
                if not hit:
                    f.shown.append(
                        f"missed [{row.get('category')}/{row.get('lang')}] {row['text'][:150]}"
                    )
            else:
                f.ordinary += 1
                f.flagged += hit
                if hit:
                    why = ",".join(x.reason + x.evidence.get("score", "") for x in findings)
                    f.shown.append(
                        f"false positive ({why}) [{row.get('lang')}] {row['text'][:150]}"
                    )
        return f
