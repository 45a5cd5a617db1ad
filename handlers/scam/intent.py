"""The semantic layer: what a message asks the user to do, or what the user reports.

Rules know domains, addresses and checksums; they cannot know that "a guy from support
wants my recovery phrase" and "您的提现被冻结，需要先缴纳保证金才能解冻" are the same
danger in other words. Each message that passes the cheap gate (``cues.cue_count``)
and that no rule has already judged is embedded once (the engine's query cache shares
the vector with the answer stage) and compared with anchor sentences
(``anchors.toml``): what scammers ask (pay to release, send to receive more, share a
secret, connect a wallet, move to DMs, invest for a fixed return, pay to recover), what
victims report (someone asked me for..., I already paid...) and what ordinary users
ask with the same words (network fees, "is this the official site", "support asked
for my UID"). The margin of the closest scam or report anchor over the closest
ordinary one, with the number of kinds of cue the gate saw, becomes one calibrated
probability (a logistic curve chosen on the development set; ``bench/scam.py
--calibrate`` fits it).
"""

from __future__ import annotations

import logging
import math
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from handlers.context import Verdict
from handlers.understanding.anchors import AnchorSet
from handlers.understanding.cache import VectorCache
from handlers.understanding.engine import Engine, shared_engine

log = logging.getLogger(__name__)

ANCHORS = Path(__file__).with_name("anchors.toml")
LEGIT = "legit"
# what each anchor label means to the guard: the reason code whose warning is shown
REASONS = {
    "pay_to_release": "fee_scam",
    "send_to_receive": "fee_scam",
    "prize_claim": "fee_scam",
    "share_secret": "asks_secret",
    "connect_wallet": "fake_support",
    "move_to_dm": "fake_support",
    "fake_agent": "fake_support",
    "invest_return": "investment_scam",
    "recovery": "recovery_scam",
    "report_asked": "scam_report",
    "report_paid": "scam_paid",
}
REPORTS = frozenset({"report_asked", "report_paid"})
# p = 1 / (1 + exp(-((margin - CENTER) / SCALE + CUE_WEIGHT * (cues - 1)))), where
# margin = best scam or report anchor - best ordinary one and cues = the kinds of cue
# the gate saw (cues.cue_count). Chosen on the development set (bench/scam.py
# --calibrate fits all three; its cue weight, fitted on few messages with several
# cues, was halved so that one more cue moves the threshold by 0.008 of similarity)
CENTER = 0.002
SCALE = 0.0125
CUE_WEIGHT = 0.64
FLAG_AT = 0.4  # a probability at or above this flags the message
SURE_AT = 0.97  # ... and at or above this, a scammer's message is a scam, not a doubt
GIST_CHARS = 160  # what a message asks is in its first lines; the cost grows faster than length

# what the model need not read letter by letter: hashes, addresses, links
_HEX = re.compile(r"\b(?:0x)?[0-9a-fA-F]{24,}\b")
_ADDRESS = re.compile(
    r"\b(?:0x[0-9a-fA-F]{40}|(?:bc|tb|ltc)1[02-9ac-hj-np-z]{20,}|[1-9A-HJ-NP-Za-km-z]{25,})\b"
)
_URL = re.compile(r"(?:https?://|www\.)?((?:[\w-]+\.)+[a-z]{2,24})(?:/\S*)?", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Judgement:
    """The semantic verdict on one message."""

    label: str  # the closest anchor label (a key of REASONS, or "legit")
    reason: str  # the guard's reason code for it ("" when legit)
    probability: float  # calibrated: how likely the message is a scam or a report of one
    anchor: str  # the closest anchor, for staff and for tests
    margin: float  # similarity of that anchor minus that of the closest ordinary one

    @property
    def flagged(self) -> bool:
        return self.reason != "" and self.probability >= FLAG_AT

    @property
    def report(self) -> bool:
        return self.label in REPORTS

    @property
    def verdict(self) -> Verdict:
        if not self.flagged:
            return "clean"
        sure = self.probability >= SURE_AT and not self.report
        return "scam" if sure else "suspicious"


def probability(margin: float, cues: int = 1) -> float:
    """The calibrated probability for a margin of scam over ordinary similarity and
    the number of kinds of cue the message carries."""
    z = (margin - CENTER) / SCALE + CUE_WEIGHT * (cues - 1)
    return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))


def load_anchors(path: Path = ANCHORS) -> dict[str, list[str]]:
    """Label -> anchor sentences, all languages together; raises ``ValueError``."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    anchors: dict[str, list[str]] = {}
    for label, languages in data.items():
        if label != LEGIT and label not in REASONS:
            raise ValueError(f"{path}: unknown anchor label {label!r}")
        anchors[label] = [text for texts in languages.values() for text in texts]
    return anchors


_SHARED: dict[tuple[int, str], IntentCheck] = {}


class IntentCheck:
    """The anchor set on the shared engine; ``judge(text)`` embeds one message.

    Counts what reached the model (``judged``) so benchmarks can say how many did.
    """

    def __init__(self, engine: Engine, cache: VectorCache) -> None:
        self.anchors = AnchorSet(engine, load_anchors(), cache)
        self.judged = 0

    def __repr__(self) -> str:
        return f"IntentCheck({self.anchors!r})"

    @classmethod
    def shared(cls, cache_folder: Path | None) -> IntentCheck | None:
        """On the process's engine, or ``None`` (rules alone) when it cannot load
        (the start already printed why, once).

        One per engine and cache folder: every guard (tests build many, the app one
        per router) shares the anchor vectors instead of embedding them again."""
        engine = shared_engine().engine
        if engine is None:
            log.info("guard: no embedding engine, the rules judge alone")
            return None
        key = (id(engine), str(cache_folder))
        if key not in _SHARED:
            try:
                _SHARED[key] = cls(engine, VectorCache(cache_folder))
            except (OSError, ValueError) as exc:
                log.error("guard: anchors unusable, the rules judge alone: %s", exc)
                return None
        return _SHARED[key]

    def judge(self, text: str, official_domains: tuple[str, ...] = (), cues: int = 1) -> Judgement:
        """The closest label for ``text``; the model reads its :func:`gist`."""
        self.judged += 1
        nearest = self.anchors.nearest(self.anchors.embed(gist(text, official_domains)))
        legit = nearest[LEGIT].similarity
        best = max(
            (n for label, n in nearest.items() if label != LEGIT), key=lambda n: n.similarity
        )
        margin = best.similarity - legit
        p = probability(margin, cues)
        return Judgement(best.label, REASONS[best.label], p, best.anchor, margin)


def gist(text: str, official_domains: tuple[str, ...] = ()) -> str:
    """What the model reads: hashes and addresses named, not spelled; an official link
    called "the official site" (the anchors cannot know the brand's domains); other
    links by their host; the first ``GIST_CHARS`` characters. A short message without
    any of these is read as it is, so the answer stage's vector of it is the same one."""

    def link(match: re.Match[str]) -> str:
        host = match.group(1).lower()
        official = any(host == d or host.endswith("." + d) for d in official_domains)
        return "the official site" if official else host

    text = _ADDRESS.sub("address", text[: GIST_CHARS * 3])
    text = _HEX.sub("hash", text)
    if "." in text:
        text = _URL.sub(link, text)
    return text[:GIST_CHARS]
