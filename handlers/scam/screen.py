"""The semantic layer's first look: the second model decides the clear cases, e5 the rest.

e5 costs ~25 ms of CPU a message (it grows with the tokens), the second model
(USE-multilingual, :attr:`Engine.second`, already loaded for the answers) ~2.5 ms. A
busy group sends every message that carries a cue through the semantic layer, so e5's
cost decides how many messages a second one process can read. USE alone judged worse
than e5 on messages it was not trained on (dev 99.7% with 2 false positives, fewer
scams caught held out), but where its logistic regression is far from its boundary it
was never wrong held out: trained on one development set and tested on the other, both
ways, no message it scored below ``clean_below`` was a scam and none above
``scam_above`` ordinary (``bench/train_scam_screen.py`` chooses the band; its figures
are in ``classifier.json``, "screen"). So USE decides there, and a message inside the
band goes to e5 exactly as before: the guard's verdict on an uncertain message does
not change.

What the regression reads is USE's vector and, as one more value, the anchor margin
in USE's own vectors of the anchor sentences (the closest scam or report anchor's
similarity minus the closest ordinary one's, times ``MARGIN_SCALE``): with it, the band
that made no mistake held out left e5 171 of 433 messages instead of 234.

A message USE flags gets its kind as e5's would: a second regression row says whether
it is a user's report or the scammer's message, and the closest anchor of that family
(in USE's own vectors of the same anchors) names it.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SCREEN = Path(__file__).with_name("screen.npz")
# the anchor margin's scale beside a unit-length vector: larger than one value among
# 512 so the L2 penalty lets the regression weigh it (4 held out as well as 2 to 16)
MARGIN_SCALE = 4.0


def features(vectors: np.ndarray, margins: np.ndarray) -> np.ndarray:
    """What the regression reads: each vector with its scaled anchor margin after it."""
    return np.hstack([vectors, MARGIN_SCALE * np.asarray(margins).reshape(-1, 1)])


@dataclass(frozen=True, slots=True)
class Screen:
    """Two logistic regressions on the second model's vector and its anchor margin
    (row 0: scam or a report of one; row 1: a report rather than the scammer's
    message) and the band of row 0's log-odds inside which it does not decide."""

    weights: np.ndarray  # (2, dim + 1): the vector's values, then the margin's
    bias: np.ndarray  # (2,)
    model: str  # the engine whose vectors these weights read
    clean_below: float  # log-odds under this: clean without e5
    scam_above: float  # log-odds over this: flagged without e5

    @classmethod
    def load(cls, path: Path | None = None) -> Screen:
        """What ``bench/train_scam_screen.py --write`` wrote; raises ``OSError``
        (unreadable) or ``ValueError`` (not such a file)."""
        path = path or SCREEN
        try:
            with np.load(path) as data:
                weights = np.asarray(data["weights"], dtype=np.float32)
                bias = np.asarray(data["bias"], dtype=np.float32)
                model = str(data["model"])
                low, high = (float(v) for v in data["band"])
        except (KeyError, EOFError, ValueError, zipfile.BadZipFile) as exc:
            raise ValueError(f"{path}: not the screen's weights ({exc})") from None
        if weights.ndim != 2 or weights.shape[0] != 2 or bias.shape != (2,):
            raise ValueError(f"{path}: weights of shape {weights.shape}, not (2, dim + 1)")
        if not (np.isfinite(weights).all() and np.isfinite(bias).all() and low < high):
            raise ValueError(f"{path}: weights that are not finite, or an empty band")
        return cls(weights, bias, model, low, high)

    @property
    def dim(self) -> int:
        """The length of the vectors it reads."""
        return int(self.weights.shape[1]) - 1

    def logits(self, vector: np.ndarray, margin: float) -> tuple[float, float]:
        """(scam or report, report rather than scammer) log-odds for one vector and
        its anchor margin."""
        scam, report = self.weights @ features(vector[None, :], np.array([margin]))[0] + self.bias
        return float(scam), float(report)

    def decides(self, scam_logit: float) -> bool:
        """Whether the log-odds are outside the band (e5 need not read the message)."""
        return scam_logit < self.clean_below or scam_logit > self.scam_above
