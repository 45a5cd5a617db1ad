"""What a question means, against one version of the knowledge base.

Help centres phrase each FAQ two or three ways in English; users ask in twelve
languages in their own words. The shared multilingual model
(:mod:`handlers.understanding`) places both in one space, so a Vietnamese paraphrase
lands near the English phrasing it means. Each FAQ is represented by its phrasings
and its answers (an answer often holds the words a user asks with: "memo", "tag",
"recovery"); each activity and airdrop by its names, aliases and what it rewards.

Multilingual models rate two sentences in the same language closer than a sentence
and its translation, so a Chinese question drifts to whichever FAQs have Chinese
phrasings, whatever they are about. Similarities are therefore centred per language:
each language's texts are shifted so that their mean similarity to the question equals
that of the English texts (every entry has English), and only the question's meaning,
not its language, ranks them (measured in docs/benchmarks.md).

A second model (:attr:`Engine.second <handlers.understanding.engine.Engine.second>`)
scores the same entries its own way; e5 alone ranks, and what the second model thinks
of each candidate (its score above its own background, its lead, whether it puts the
candidate first) goes to the calibration beside e5's. USE was not trained on
Vietnamese: a Vietnamese question (with its letters or without) gets no second opinion,
and neither does a base of fewer than :data:`VIEW_ENTRIES` entries; e5's own
calibration decides them.

Vectors of the base's texts come from :class:`~handlers.understanding.cache.VectorCache`,
so an unchanged base costs no model call on a restart or a hot reload.
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from handlers.answers.knowledge import Knowledge, ref_of
from handlers.answers.schema import Activity, Airdrop, Faq
from handlers.language_words import TYPED_WITHOUT_MARKS
from handlers.understanding.cache import VectorCache
from handlers.understanding.engine import Engine

BACKGROUND_FILE = Path(__file__).with_name("background.toml")
TOPICS_FILE = Path(__file__).with_name("exchange_topics.toml")
# A topic is covered by the base when one of the base's phrasings has it as its nearest
# topic at COVERS or above, or when any phrasing says it almost word for word
# (SAME_QUESTION). Multilingual-e5 puts "change my nickname" at 0.90 to "change my
# email", so closeness alone would mark every "How do I change my ..." as covered;
# nearest-of-a-phrasing keeps one topic per phrasing (chosen on bench/data/dev2).
COVERS = 0.88
SAME_QUESTION = 0.97
ANSWER_WEIGHT = 0.5  # an FAQ's answer counts half as much as its best phrasing
CENTRED_GROUP = 5  # a language with fewer texts than this is too small to centre
ENTRY_TEXT = 300  # characters of an activity's or airdrop's description that are embedded
# letters only Vietnamese writes among the twelve languages (USE never learnt Vietnamese)
VIETNAMESE = re.compile("[ăđơưĂĐƠƯ\u1ea0-\u1ef9]")
# ... and Vietnamese typed without them ("nap tien chua ve"): two of the words language
# detection reads it by (handlers.language), so it gets no second view either
VIETNAMESE_WORDS = TYPED_WITHOUT_MARKS["vi"]
WORD = re.compile(r"\w+")
# The second model's view includes how far a candidate stands out of all the entries,
# fitted on bases of 28 to 52 entries; a base smaller than this is decided by e5 alone
# (a 4-FAQ base's best entry cannot stand out of three others)
VIEW_ENTRIES = 12
CJK = re.compile("[\u3040-\u30ff\uac00-\ud7af\u4e00-\u9fff]")


@dataclass(frozen=True, slots=True)
class Ranked:
    """The semantic ranking of one question: refs best first, with their scores."""

    refs: tuple[str, ...]
    scores: tuple[float, ...]
    # per candidate: first by its phrasings alone and by its answers alone (two views
    # that agree are rarely wrong together)
    agree: tuple[bool, ...] = ()
    # how close the question is to sentences about nothing the base answers: a
    # candidate no closer than this is no evidence (small bases have large leads)
    background: float = 0.0
    # how close the question is to the closest exchange topic this base does not cover
    # (exchange_topics.toml): a candidate no closer than that answers something else
    uncovered: float = 0.0
    # per candidate, what the calibration reads besides e5's score when the second
    # model is there (:meth:`SemanticIndex.second_view`); empty without it
    views: tuple[tuple[float, ...], ...] = ()
    # per candidate, the second model's score minus its score of the closest uncovered
    # topic: where both models find an uncovered topic closer, the question is about
    # something the base does not hold; empty without the second model
    second_uncovered: tuple[float, ...] = ()


class SemanticIndex:
    """Built once per version of the base (at load, off the event loop)."""

    def __init__(self, knowledge: Knowledge, engine: Engine, cache: VectorCache) -> None:
        self.engine = engine
        entries: tuple[Faq | Activity | Airdrop, ...] = (
            *knowledge.faqs,
            *knowledge.activities,
            *knowledge.airdrops,
        )
        self.refs = tuple(ref_of(e) for e in entries)
        # phrasings and names first, then answers, each grouped by entry, so that an
        # entry's best text is one segmented maximum (reduceat), whatever the base's size
        texts_of = [_texts_of(e) for e in entries]
        named = [[(t, lang) for t, is_answer, lang in own if not is_answer] for own in texts_of]
        answered = [[(t, lang) for t, is_answer, lang in own if is_answer] for own in texts_of]
        texts = [t for group in (*named, *answered) for t, _ in group]
        languages = [lang for group in (*named, *answered) for _, lang in group]
        self._phrasings = sum(len(g) for g in named)
        self._phrasing_starts = _starts(named)
        self._answer_owners = np.array([i for i, g in enumerate(answered) if g], dtype=np.int64)
        self._answer_starts = _starts([g for g in answered if g]) + self._phrasings
        tags = np.array(languages)
        self._english = tags == "en"
        self._groups = [
            tags == language
            for language in sorted(set(languages) - {"en"})
            if int((tags == language).sum()) >= CENTRED_GROUP
        ]
        self._vectors = cache.vectors(engine, texts, passage=False)
        self._background = cache.vectors(engine, list(background_sentences()), passage=False)
        topics = cache.vectors(engine, list(exchange_topics()), passage=False)
        covered = _covered(topics, self._vectors[: self._phrasings])
        self._uncovered = topics[~covered]
        self.second = engine.second if len(self.refs) >= VIEW_ENTRIES else None
        if self.second is not None:
            # its tokenizer's tables are kept beside the vectors: a restart skips the parse
            engine.keep_in(cache.folder)
        self._faq = np.array([r.startswith("faq:") for r in self.refs])
        if self.second is not None:
            self._second_vectors = cache.vectors(self.second, texts, passage=False)
            self._second_background = cache.vectors(
                self.second, list(background_sentences()), passage=False
            )
            # the topics e5 found uncovered, as the second model sees them
            self._second_uncovered = cache.vectors(
                self.second, list(exchange_topics()), passage=False
            )[~covered]

    def __repr__(self) -> str:
        return f"SemanticIndex({len(self.refs)} entries, {len(self._vectors)} texts)"

    def rank(self, text: str, limit: int = 8, boost: np.ndarray | None = None) -> Ranked:
        """Entries closest to ``text``: per entry, its best phrasing or name, plus half
        its best answer, scaled back to a cosine, plus ``boost`` (per entry, in the
        order of :attr:`refs`: what the exact signals add, concepts.boost_weight)."""
        if not self.refs:
            return Ranked((), ())
        question = self.engine.query(text)
        sims = self._vectors @ question
        background = float(np.sort(self._background @ question)[-3:].mean())
        uncovered = float((self._uncovered @ question).max()) if len(self._uncovered) else 0.0
        if self._groups and self._english.any():
            reference = sims[self._english].mean()
            for group in self._groups:
                sims[group] += reference - sims[group].mean()
        combined, best, answer = self._per_entry(sims)
        if boost is not None:
            combined = combined + boost
        top = min(limit, len(combined))
        order = np.argpartition(-combined, top - 1)[:top]
        order = order[np.argsort(-combined[order])]
        by_phrasing = int(np.argmax(best))
        by_answer = int(np.argmax(answer))
        views: tuple[tuple[float, ...], ...] = ()
        second_uncovered: tuple[float, ...] = ()
        if self.second is not None and not vietnamese(text):
            views, second_uncovered = self.second_view(text, combined, [int(i) for i in order])
        return Ranked(
            tuple(self.refs[i] for i in order),
            tuple(float(combined[i]) for i in order),
            tuple(bool(i == by_phrasing and i == by_answer) for i in order),
            background,
            uncovered,
            views,
            second_uncovered,
        )

    def _per_entry(self, sims: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per entry: its best phrasing or name with half its best answer, scaled back
        to a cosine; its best phrasing; its best answer (-1 without one)."""
        best = np.maximum.reduceat(sims[: self._phrasings], self._phrasing_starts)
        answer = np.full(len(self.refs), -1.0, dtype=np.float32)
        if len(self._answer_owners):
            answer[self._answer_owners] = np.maximum.reduceat(sims, self._answer_starts)[
                : len(self._answer_owners)
            ]
        has_answer = answer > -1.0
        combined = np.where(has_answer, (best + ANSWER_WEIGHT * answer) / (1 + ANSWER_WEIGHT), best)
        return combined, best, answer

    def second_view(
        self, text: str, combined: np.ndarray, order: list[int]
    ) -> tuple[tuple[tuple[float, ...], ...], tuple[float, ...]]:
        """Per candidate in ``order``: how far e5's score stands out of all the
        entries' (a z-score), whether the question is in Chinese, Japanese or Korean
        script and its log length (e5's closeness runs higher on short CJK texts), then
        the second model's score above its background, its lead over the best other
        entry of the same kind (or the background), whether it ranks the candidate
        first. A Vietnamese question gets no view: e5's own calibration decides it."""
        assert self.second is not None
        spread = float(combined.std()) + 1e-6
        mean = float(combined.mean())
        shape = (float(bool(CJK.search(text))), math.log(len(text) + 1))
        question = self.second.query(text)
        scores, _, _ = self._per_entry(self._second_vectors @ question)
        background = float(np.sort(self._second_background @ question)[-3:].mean())
        first = int(np.argmax(scores))
        topic = (
            float((self._second_uncovered @ question).max())
            if len(self._second_uncovered)
            else -1.0
        )
        views = []
        for i in order:
            same = self._faq == self._faq[i]
            same[i] = False
            rival = max(float(scores[same].max()) if same.any() else background, background)
            views.append(
                (
                    (float(combined[i]) - mean) / spread,
                    *shape,
                    float(scores[i]) - background,
                    float(scores[i]) - rival,
                    float(i == first),
                )
            )
        return tuple(views), tuple(float(scores[i]) - topic for i in order)


def vietnamese(text: str) -> bool:
    """Vietnamese, with its letters or without (the second model reads neither)."""
    return bool(VIETNAMESE.search(text)) or unmarked_vietnamese(text)


def unmarked_vietnamese(text: str) -> bool:
    """Vietnamese typed without its marks ("quen mat khau dang nhap"): e5 reads it as
    strings of short syllables, closest to short names ("Red Packet Rain")."""
    if VIETNAMESE.search(text):
        return False
    words = {w.casefold() for w in WORD.findall(text)}
    return len(words & VIETNAMESE_WORDS) >= 2


def _starts(groups: list[list[tuple[str, str]]]) -> np.ndarray:
    sizes = np.array([len(g) for g in groups], dtype=np.int64)
    return np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)


def _covered(topics: np.ndarray, phrasings: np.ndarray) -> np.ndarray:
    """Per topic, whether one of the base's phrasings covers it."""
    if not len(phrasings):
        return np.zeros(len(topics), dtype=bool)
    sims = topics @ phrasings.T
    covered: np.ndarray = sims.max(axis=1) >= SAME_QUESTION
    nearest = sims.argmax(axis=0)  # per phrasing, its closest topic
    close = sims[nearest, np.arange(len(nearest))] >= COVERS
    covered[nearest[close]] = True
    return covered


@cache
def exchange_topics() -> tuple[str, ...]:
    with TOPICS_FILE.open("rb") as fh:
        return tuple(tomllib.load(fh)["topics"])


@cache
def background_sentences() -> tuple[str, ...]:
    with BACKGROUND_FILE.open("rb") as fh:
        return tuple(tomllib.load(fh)["sentences"])


def _texts_of(entry: Activity | Airdrop | Faq) -> list[tuple[str, int, str]]:
    """(text, is an answer, language) of everything an entry is known by. Aliases and
    symbols carry no language: they count as English (Latin script) or as the script
    they are written in."""
    if not isinstance(entry, Faq):
        named = [(n, lang) for lang, n in entry.name.items()]
        named += [(a, _script_of(a)) for a in entry.aliases]
        if isinstance(entry, Airdrop):
            named.append((f"{entry.token} airdrop", "en"))
        described = entry.reward if isinstance(entry, Activity) else entry.eligibility
        summary = f"{entry.name['en']}: {described['en']}"[:ENTRY_TEXT]
        return [(n, 0, lang) for n, lang in dict.fromkeys(named)] + [(summary, 0, "en")]
    questions = [(q, lang) for lang, phrasings in entry.questions.items() for q in phrasings]
    answers = list(entry.answer.items())
    return [(q, 0, lang) for q, lang in dict.fromkeys(questions)] + [
        (a, 1, lang) for lang, a in answers
    ]


def _script_of(text: str) -> str:
    for ch in text:
        if "\u3040" <= ch <= "\u30ff":
            return "ja"
        if "\uac00" <= ch <= "\ud7af":
            return "ko"
        if "\u4e00" <= ch <= "\u9fff":
            return "zh"
        if "\u0400" <= ch <= "\u04ff":
            return "ru"
    return "en"
