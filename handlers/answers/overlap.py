"""Entries a knowledge base cannot tell apart, found before users find them.

Two FAQs whose phrasings mean the same thing split their questions between them at
random; an FAQ that reads like an activity's name ("referral commission" beside the
"Referral Boost" campaign) gets that activity's questions or gives it its own. Both
are mistakes of the base, not of the user, so ``socialdesk kb check`` names the pairs.

The test is leave-one-out: each phrasing of an FAQ is compared with the other
phrasings of its own FAQ and with every other entry's texts; a phrasing that lands as
close to another entry as to its own is a pair to look at. Without the engine the same
is done with character n-grams, which catches copies but not paraphrases.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np

from handlers.answers.knowledge import Knowledge, ref_of
from handlers.answers.matcher import Matcher
from handlers.answers.schema import Activity, Airdrop
from handlers.understanding.cache import VectorCache
from handlers.understanding.engine import Engine

OUTLIER = 4.0  # robust standard deviations above the base's typical pair
SAME_QUESTION = 0.95  # and at least this cosine between two FAQs' phrasings
NAME_LIKE = 0.88  # or between an FAQ's phrasings and an activity's or airdrop's name


@dataclass(frozen=True, slots=True)
class Overlap:
    """Two entries too close to tell apart, and the text that shows it."""

    first: str
    second: str
    kind: str  # "faqs" or "name"
    example: str
    score: float

    def line(self) -> str:
        what = (
            "FAQs too close to tell apart"
            if self.kind == "faqs"
            else "FAQ that reads like an activity or airdrop"
        )
        return f"{what}: {self.first} and {self.second} ({self.example!r}, {self.score:.2f})"


def overlaps(knowledge: Knowledge, engine: Engine | None, cache: VectorCache) -> list[Overlap]:
    """Every pair worth a look, closest first, each pair once."""
    found = _semantic(knowledge, engine, cache) if engine else _lexical(knowledge)
    best: dict[tuple[str, str], Overlap] = {}
    for item in found:
        key = (min(item.first, item.second), max(item.first, item.second))
        if key not in best or item.score > best[key].score:
            best[key] = item
    return sorted(best.values(), key=lambda o: -o.score)


def _semantic(knowledge: Knowledge, engine: Engine, cache: VectorCache) -> list[Overlap]:
    """Pairs that stand out: every FAQ is its English phrasings' mean vector (every FAQ
    has English, so languages do not tilt the comparison), every activity and airdrop
    its English name; a pair is flagged when its cosine lies far above the spread of
    all pairs of the same kind in this base."""
    faqs = [f for f in knowledge.faqs if f.questions.get("en")]
    if len(faqs) < 2:
        return []
    texts = [q for f in faqs for q in f.questions["en"]]
    owner = np.array([i for i, f in enumerate(faqs) for _ in f.questions["en"]])
    vectors = cache.vectors(engine, texts, passage=False)
    means = np.stack([vectors[owner == i].mean(axis=0) for i in range(len(faqs))])
    means /= np.linalg.norm(means, axis=1, keepdims=True)
    example = {i: f.questions["en"][0] for i, f in enumerate(faqs)}
    out: list[Overlap] = []
    pairs = means @ means.T
    upper = pairs[np.triu_indices(len(faqs), k=1)]
    for i, j in combinations(range(len(faqs)), 2):
        if _stands_out(pairs[i, j], upper, SAME_QUESTION):
            out.append(Overlap(ref_of(faqs[i]), ref_of(faqs[j]), "faqs", example[i], pairs[i, j]))
    entries: list[Activity | Airdrop] = [*knowledge.activities, *knowledge.airdrops]
    if entries:
        named = cache.vectors(engine, [e.name["en"] for e in entries], passage=False)
        closeness = means @ named.T
        for i, j in np.ndindex(closeness.shape):
            if _stands_out(closeness[i, j], closeness.ravel(), NAME_LIKE):
                out.append(
                    Overlap(
                        ref_of(faqs[i]),
                        ref_of(entries[j]),
                        "name",
                        f"{example[i]} / {entries[j].name['en']}",
                        float(closeness[i, j]),
                    )
                )
    return out


def _stands_out(value: float, population: np.ndarray, floor: float) -> bool:
    """Robust: median and median absolute deviation, so that in a small base the pair
    being judged does not widen the spread it is judged by."""
    median = float(np.median(population))
    spread = 1.4826 * float(np.median(np.abs(population - median))) or 1e-6
    return value >= floor and (value - median) / spread >= OUTLIER


def _lexical(knowledge: Knowledge) -> list[Overlap]:
    """Without the engine: phrasings that score another FAQ as high as their own."""
    matcher = Matcher(knowledge)
    out: list[Overlap] = []
    for faq in knowledge.faqs:
        ref = ref_of(faq)
        for phrasings in faq.questions.values():
            for text in phrasings:
                ranked = matcher.faqs(text, limit=2)
                if len(ranked) == 2 and ranked[1].score >= 0.9:
                    other = ranked[0].ref if ranked[0].ref != ref else ranked[1].ref
                    out.append(Overlap(ref, other, "faqs", text, ranked[1].score))
                for name in matcher.names(text):
                    if name.score >= 0.85 and isinstance(
                        knowledge.by_ref[name.ref], Activity | Airdrop
                    ):
                        out.append(Overlap(ref, name.ref, "name", text, name.score))
    return out
