"""The command line of leave-one-set-out (``bench/scam_holdout.py``), for
``bench/train_scam_classifier.py``: ``--holdout`` runs the whole guard on each set
with a classifier trained without it; ``--every-set C --write`` fits what ships on
every set with the recipe those figures chose."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from bench.scam import CLEAN_TRAIN
from bench.scam_holdout import REPORT_C, WRITTEN, Holdout, fit, sets
from handlers.scam import detect
from handlers.scam import intent as semantic
from handlers.understanding.engine import Engine


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of this protocol."""
    parser.add_argument(
        "--holdout",
        choices=("dev", "dev2", "dev3", "dev4", "dev5", "dev6", "all"),
        help="leave this development set out (all: each in turn) and run the whole guard "
        "on it with a classifier trained without it (bench/scam_holdout.py)",
    )
    parser.add_argument(
        "--without",
        default="",
        help="with --holdout: rules switched off, comma-separated (bystander, support, "
        "pitches, screen)",
    )
    parser.add_argument(
        "--c", default="", help="with --holdout: these C (comma-separated), not chosen inside"
    )
    parser.add_argument(
        "--flag-at", default="", help="with --holdout: these FLAG_AT (comma-separated)"
    )
    parser.add_argument(
        "--among",
        default="",
        help="with --holdout or --every-set: train on these sets only (comma-separated)",
    )
    parser.add_argument(
        "--every-set",
        type=float,
        metavar="C",
        help="with --write: fit on every development set (dev, dev2, dev3, dev4, dev5, dev6) "
        "with this C, the recipe chosen by --holdout all, instead of the protocols below",
    )
    parser.add_argument(
        "--fixed", type=Path, help="with --holdout: evaluate this classifier.npz, no refit"
    )


def dispatch(args: argparse.Namespace, engine: Engine, write: Callable[..., None]) -> bool:
    """Run what the options ask for; ``False`` when they ask for none of it."""
    if args.every_set and args.write:
        among = tuple(a for a in args.among.split(",") if a) or None
        scam, report, files = fit_every_set(
            engine, clean_train=args.clean_train, c=args.every_set, among=among
        )
        print("== leave one set out with this recipe (the figures kept beside the weights)")
        held = run(
            engine,
            list(sets()),
            clean_train=args.clean_train,
            rows=args.rows,
            off=set(),
            cs=(args.every_set,),
        )
        write(engine.name, scam, report, held, args.rows == "all", args.clean_train, files)
        return True
    if args.holdout:
        names = list(sets()) if args.holdout == "all" else [args.holdout]
        off = {w.strip() for w in args.without.split(",") if w.strip()}
        print(f"== held out, the whole guard (without: {', '.join(sorted(off)) or 'nothing'})")
        run(
            engine,
            names,
            clean_train=args.clean_train,
            rows=args.rows,
            off=off,
            fixed=args.fixed,
            cs=tuple(float(c) for c in args.c.split(",") if c) or (None,),
            flag_ats=tuple(float(t) for t in args.flag_at.split(",") if t),
            among=tuple(a for a in args.among.split(",") if a) or None,
            show=args.show,
        )
        return True
    return False


def without(parts: set[str]) -> None:
    """Switch rules off in ``detect`` for this process (an ablation, never shipped)."""
    if "bystander" in parts:
        detect.bystander = lambda read: False  # type: ignore[assignment]
    if "support" in parts:
        detect.support_elsewhere = lambda *a, **k: None  # type: ignore[assignment]
    if "pitches" in parts:
        detect.earning_pitch = lambda read: None  # type: ignore[assignment]
    if "screen" in parts:
        os.environ["SOCIALDESK_GUARD_SCREEN"] = "off"


def run(
    engine: Engine,
    folds: list[str],
    *,
    clean_train: bool,
    rows: str,
    off: set[str],
    fixed: Path | None = None,
    cs: tuple[float | None, ...] = (None,),
    flag_ats: tuple[float, ...] = (),
    among: tuple[str, ...] | None = None,
    show: bool = False,
) -> dict[str, str]:
    """Each fold's figures for each C (``None``: chosen inside) and threshold, printed
    and returned (``fixed``: that classifier, not refitted; ``among``: train on these
    sets only, besides the written rows, hard negatives and anchors)."""
    without(off)
    h = Holdout(engine, clean_train=clean_train, rows=rows)
    out: dict[str, str] = {}
    shipped = semantic.FLAG_AT
    for held in folds:
        for c in cs:
            if fixed is not None:
                clf, screen, chosen = semantic.Classifier.load(fixed), None, "fixed"
            else:
                clf, screen, chosen = h.refit(held, c, among)
            if "screen" in off:
                screen = None
            for at in flag_ats or (shipped,):
                semantic.FLAG_AT = at
                f = h.guard(held, clf, screen)
                key = f"{held}, C {chosen}, flag at {at}"
                out[key] = f.line()
                print(f"  held out {key}: {out[key]}")
                print(
                    "    by kind: "
                    + ", ".join(f"{k} {f.caught[k]}/{n}" for k, n in sorted(f.scams.items()))
                )
                if show:
                    print(*(f"    {s}" for s in f.shown), sep="\n")
    semantic.FLAG_AT = shipped
    return out


def fit_every_set(
    engine: Engine, *, clean_train: bool, c: float, among: tuple[str, ...] | None = None
) -> tuple[LogisticRegression, LogisticRegression, list[Path]]:
    """Both rows fitted on every development set (``among``: these only; each with its
    own brand's gist and gate), the written rows, the hard negatives and the anchors:
    what ships, once the leave-one-set-out figures chose the recipe. Returns the files
    trained on."""
    h = Holdout(engine, clean_train=clean_train)
    chosen = among or tuple(sets())
    t = h.training("", chosen)
    fam = t & np.array([r.family for r in h.rows])
    rep = np.array([r.report for r in h.rows], dtype=int)
    files = [path for name, (path, _) in sets().items() if name in chosen] + [WRITTEN]
    files += [CLEAN_TRAIN] if clean_train else []
    return fit(h.x[t], h.y[t], c), fit(h.x[fam], rep[fam], REPORT_C), files
