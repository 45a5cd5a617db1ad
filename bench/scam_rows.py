"""The labelled rows the scam classifier learns from, their vectors and their templates.

``bench/train_scam_classifier.py`` trains and measures on these: the development set
(``bench/data/scam.jsonl``, which already holds ``scam_written.jsonl``), the second
development set (``bench/data/scam_dev2``) and the anchor sentences, each distinct
text once, with what the guard's rules and gate make of each message (a row the rules
flag, or the gate keeps from the model, is never judged by it). The blind set is not
read here.
"""

from __future__ import annotations

import re
import subprocess
import tomllib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.scam import CLEAN_TRAIN, DEV, DEV2, DEV_META, load
from handlers.scam import intent as semantic
from handlers.scam.detect import inspect
from handlers.scam.links import BlockList
from handlers.scam.normalize import readable
from handlers.understanding.engine import Engine

ROOT = Path(__file__).resolve().parents[1]
WRITTEN = ROOT / "bench" / "data" / "scam_written.jsonl"
VECTORS = ROOT / "var" / "scam_classifier_vectors.npz"
DOMAINS = tuple(DEV_META["official_domains"])
NEAR = 0.95  # vectors this close are one template (numbers, disguises, one word changed)
# a user telling about a scam (warned, helped, never timed out), by data set's kind
REPORT_KINDS = frozenset({"report", "user_report", "already_paid", *semantic.REPORTS})
# scams that are neither a scammer's message nor a report: a user's own secret posted, a
# deposit about to go to the wrong network (the rules judge them)
NEITHER = frozenset({"secret", "wrong_network"})


@dataclass
class Row:
    """One labelled text and what the guard's rules and gate make of it."""

    text: str
    scam: bool  # a scam or a user's report of one: the guard warns
    kind: str  # the data set's category, or an anchor's label
    source: str  # "dev", "dev2", "train" (written for training only) or "anchor"
    rules: bool = False  # a rule flagged it: the model's answer does not matter
    reached: bool = False  # the gate let it through to the model
    cues: int = 1  # what the guard passes to judge: the kinds of cue, at least one

    @property
    def judged(self) -> bool:
        """The semantic layer's verdict decides this message."""
        return self.reached and not self.rules

    @property
    def report(self) -> bool:
        return self.kind in REPORT_KINDS


class _Recorder:
    """Stands in for IntentCheck in ``inspect``: notes what reaches the model."""

    def __init__(self) -> None:
        self.cues: int | None = None

    def judge(self, text: str, official_domains: tuple[str, ...] = (), cues: int = 1):
        self.cues = cues
        return semantic.Judgement(semantic.LEGIT, "", 0.0, "", 0.0)


def corpus(clean_train: bool = False) -> list[Row]:
    """Development and second development messages, each distinct text once; with
    ``clean_train``, the ordinary messages written as training data only (source
    "train": trained on in every protocol, never measured on)."""
    dev, written, dev2 = load(DEV), load(WRITTEN), load(DEV2)
    train = load(CLEAN_TRAIN) if clean_train else []
    texts = {r["text"] for r in dev}
    missing = [r for r in written if r["text"] not in texts]
    out: list[Row] = []
    seen: dict[str, bool] = {}
    for source, data in (("dev", dev + missing), ("dev2", dev2), ("train", train)):
        for r in data:
            scam = r["label"] == "scam"
            if r["text"] in seen:
                if seen[r["text"]] != scam:
                    raise SystemExit(f"conflicting labels for {r['text']!r}")
                continue
            seen[r["text"]] = scam
            out.append(Row(r["text"], scam, r.get("category", "?"), source))
    blocklist, contracts = BlockList(), dict(DEV_META["official_contracts"])
    for row in out:
        recorder = _Recorder()
        found = inspect(
            row.text,
            official_domains=DOMAINS,
            blocklist=blocklist,
            official_contracts=contracts,
            intent=recorder,  # type: ignore[arg-type]
            official_handles=tuple(DEV_META["official_handles"]),
            brand=DEV_META["brand"],
        )
        row.rules, row.reached = bool(found), recorder.cues is not None
        row.cues = recorder.cues or 1
    counts = Counter(r.source for r in out)
    print(
        f"{DEV.name}: {len(dev)} rows, {len(texts)} distinct; {WRITTEN.name}: "
        f"{len(written) - len(missing)} of {len(written)} already in it; {DEV2.parent.name}: "
        f"{len(dev2)} rows, {len(dev2) - counts['dev2']} also in the development set; "
        f"{CLEAN_TRAIN.name}: {counts['train']} of {len(train)} used"
    )
    return out


def anchor_rows(anchors: Mapping[str, Sequence[str]]) -> list[Row]:
    """Anchor sentences as rows, in the anchor set's order (labels sorted)."""
    return [
        Row(text, label != semantic.LEGIT, label, "anchor", reached=True)
        for label in sorted(anchors)
        for text in anchors[label]
    ]


def anchors_at(commit: str) -> dict[str, list[str]] | None:
    """``anchors.toml`` as it was at ``commit``; ``None`` without the git history."""
    try:
        text = subprocess.run(
            ["git", "show", f"{commit}:handlers/scam/anchors.toml"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    data = tomllib.loads(text)
    return {label: [t for ts in langs.values() for t in ts] for label, langs in data.items()}


def embed(engine: Engine, data: list[Row], path: Path = VECTORS) -> np.ndarray:
    """What the guard embeds: a message's gist, an anchor as it is; kept in ``path``
    (one file per model) by text, so a second run embeds only what changed."""
    texts = [r.text if r.source == "anchor" else semantic.gist(r.text, DOMAINS) for r in data]
    return cached_vectors(engine, texts, path)


def cached_vectors(engine: Engine, texts: list[str], path: Path) -> np.ndarray:
    """Vectors of ``texts``, kept in ``path`` by text (for ``engine``'s model only), so
    that a second run embeds none of them."""
    known: dict[str, np.ndarray] = {}
    if path.exists():
        with np.load(path) as saved:
            if str(saved["model"]) == engine.name:
                known = dict(zip(saved["texts"].tolist(), saved["vectors"], strict=True))
    missing = list(dict.fromkeys(t for t in texts if t not in known))
    for start in range(0, len(missing), 32):
        batch = missing[start : start + 32]
        known.update(zip(batch, engine.queries(batch), strict=True))
    if missing:
        path.parent.mkdir(parents=True, exist_ok=True)
        keys = list(known)
        vectors = np.stack([known[k] for k in keys])
        np.savez(path, model=np.array(engine.name), texts=np.array(keys), vectors=vectors)
    return np.stack([known[t] for t in texts]).astype(np.float32)


def groups(data: list[Row], vectors: np.ndarray) -> np.ndarray:
    """Union-find over templated near-duplicates: one template key (the text without
    links, digits and punctuation, disguises undone), or vectors at least ``NEAR``."""
    parent = list(range(len(data)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[str, int] = {}
    for i, row in enumerate(data):
        key = re.sub(r"(?:https?://)?(?:[\w-]+\.)+[a-z]{2,24}\S*", " ", readable(row.text))
        key = re.sub(r"[\W\d_]+", "", key)
        parent[find(i)] = find(first.setdefault(key, i))
    for i, j in zip(*np.nonzero(np.triu(vectors @ vectors.T >= NEAR, 1)), strict=True):
        parent[find(int(i))] = find(int(j))
    return np.array([find(i) for i in range(len(data))])


def anchor_judgements(
    data: list[Row], vectors: np.ndarray, anchors: list[Row], anchor_vectors: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """With the given anchor sentences, for each row: the anchor curve's log-odds
    (``intent.anchor_logit``) and whether its closest scam or report anchor is a report."""
    labels = np.array([r.kind for r in anchors])
    sims = vectors @ anchor_vectors.T
    others = labels != semantic.LEGIT
    margin = sims[:, others].max(axis=1) - sims[:, ~others].max(axis=1)
    closest = labels[others][sims[:, others].argmax(axis=1)]
    z = np.array([semantic.anchor_logit(m, r.cues) for m, r in zip(margin, data, strict=True)])
    return z, np.isin(closest, list(semantic.REPORTS))
