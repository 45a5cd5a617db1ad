"""Nearest-anchor classification: which labelled example sentences a message is closest to.

A few sentences per label, in every language the bot speaks, say what a label means
better than any rule can; a message is scored by its cosine similarity to the closest
anchors of each label. The anchors are embedded once (and kept on disk by
:class:`VectorCache`, so a start with unchanged anchors embeds nothing); a message is
embedded once by the shared engine's query cache, whoever asks first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from handlers.understanding.cache import VectorCache
from handlers.understanding.engine import Engine


@dataclass(frozen=True, slots=True)
class Nearest:
    """The closest anchor of one label: its similarity and the anchor itself."""

    label: str
    similarity: float
    anchor: str


class AnchorSet:
    """Labelled anchor sentences and their vectors (query-vs-query, e5's symmetric mode).

    ``scores(vector)`` gives every label's best similarity; ``top`` the best labels.
    Raises nothing at scoring time; building embeds the anchors the cache lacks.
    """

    def __init__(
        self, engine: Engine, anchors: Mapping[str, Sequence[str]], cache: VectorCache
    ) -> None:
        self.engine = engine
        self.labels = sorted(anchors)
        self.texts: list[str] = []
        # each label's anchors sit together in ``texts``: its slice, for a per-label max
        self._spans: list[tuple[str, int, int]] = []
        for label in self.labels:
            start = len(self.texts)
            self.texts.extend(anchors[label])
            if len(self.texts) > start:
                self._spans.append((label, start, len(self.texts)))
        self.vectors = cache.vectors(engine, self.texts, passage=False)

    def __repr__(self) -> str:
        return f"AnchorSet({len(self.labels)} labels, {len(self.texts)} anchors)"

    def nearest(self, vector: np.ndarray) -> dict[str, Nearest]:
        """For every label, its closest anchor to ``vector`` (L2-normalized)."""
        sims = self.vectors @ vector
        best: dict[str, Nearest] = {}
        for label, start, end in self._spans:
            position = start + int(np.argmax(sims[start:end]))
            best[label] = Nearest(label, float(sims[position]), self.texts[position])
        return best

    def embed(self, text: str) -> np.ndarray:
        """The message's vector, through the engine's shared query cache."""
        return self.engine.query(text)
