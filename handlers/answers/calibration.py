"""One calibrated probability per candidate entry.

Raw similarities are not comparable across bases or models (multilingual-e5 puts
unrelated sentences at 0.75 cosine, character n-grams put them near 0), so the
thresholds in ``[knowledge]`` apply to a probability of being right instead: a
logistic model over a candidate's features, fitted by ``bench/calibrate.py`` on the
development questions against the example base (and against a copy of it that keeps
only its English and Chinese phrasings, as help centres write them). The fitted
weights live in ``calibration.toml`` beside this module; refitting is a data change.

Three modes, each with its own weights: the lexical matcher alone (no engine), e5
alone (no second model), and e5 with the second model's view of each candidate
(``both``, what ships). The ``both`` weights answer where the held-out bases wanted
them to: their intercept is shifted so that the configured ``confidence_threshold``
falls where ``bench/calibrate.py --answer-at`` says (docs/benchmarks.md).
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

CALIBRATION_FILE = Path(__file__).with_name("calibration.toml")
MODES = ("semantic", "lexical", "both")


@dataclass(frozen=True, slots=True)
class Features:
    """What is known about one candidate. ``semantic`` is None when no engine loaded."""

    semantic: float | None
    lead: float  # semantic score (lexical when None) minus the best other candidate's
    lexical: float
    name: float
    agree: bool = False  # first by its phrasings and by its answers alike
    above_background: float = 0.0  # semantic score minus the question's background
    # semantic score minus the closest uncovered topic's: a gate, not a weight
    # (resolve.ELSEWHERE); fitted as a weight it changed nothing (docs/benchmarks.md)
    above_uncovered: float = 0.0
    # the second model's view (semantic.SemanticIndex.second_view); empty without it
    view: tuple[float, ...] = ()
    # the second model's score minus its closest uncovered topic's, None without it:
    # a gate like above_uncovered (resolve._elsewhere), not a weight
    second_above_uncovered: float | None = None
    # the share of the question's exchange concepts (deposit, withdrawal, fees...) that
    # the candidate FAQ's own phrasings also name (concepts.shared), and whether the
    # question names any: one without concept words is neither helped nor held back
    concepts: float = 0.0
    asks_concepts: bool = False

    @property
    def mode(self) -> str:
        if self.semantic is None:
            return "lexical"
        return "both" if self.view else "semantic"

    def vector(self) -> list[float]:
        if self.semantic is None:
            return [self.lead, self.lexical, self.name]
        own = [
            self.semantic,
            self.lead,
            self.lexical,
            self.name,
            float(self.agree),
            self.above_background,
            float(self.asks_concepts),
            self.concepts,
        ]
        return [*own, *self.view]


@dataclass(frozen=True, slots=True)
class Weights:
    intercept: float
    coefficients: tuple[float, ...]

    def probability(self, values: list[float]) -> float:
        z = self.intercept + sum(w * v for w, v in zip(self.coefficients, values, strict=True))
        return 1.0 / (1.0 + math.exp(-max(min(z, 40.0), -40.0)))


@dataclass(frozen=True, slots=True)
class Calibration:
    """Weights for each mode of :attr:`Features.mode`."""

    semantic: Weights
    lexical: Weights
    both: Weights

    def probability(self, features: Features) -> float:
        weights: Weights = getattr(self, features.mode)
        return weights.probability(features.vector())

    @classmethod
    def read(cls, path: Path) -> Calibration:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
        return cls(
            **{
                mode: Weights(float(data[mode]["intercept"]), tuple(data[mode]["coefficients"]))
                for mode in MODES
            }
        )


@cache
def default_calibration() -> Calibration:
    return Calibration.read(CALIBRATION_FILE)
