"""Deciding what a question is about, without composing any text.

Kept pure (text in, :class:`Resolution` out) so tests and the benchmark can check the
decision itself; :mod:`handlers.answers.stage` turns it into a reply.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from handlers.answers.cues import Cues, default_cues
from handlers.answers.knowledge import Knowledge
from handlers.answers.matcher import Candidate, Matcher
from handlers.answers.settings import KnowledgeSettings

Outcome = Literal["answer", "clarify", "unknown", "handoff", "pass"]

# Upper-case words that are not entry names: common tickers and acronyms in questions.
_COMMON_SYMBOLS = frozenset(
    [
        "USDT",
        "USDC",
        "BTC",
        "ETH",
        "BNB",
        "SOL",
        "TRX",
        "XRP",
        "DOGE",
        "KYC",
        "UID",
        "VIP",
        "API",
        "P2P",
        "NFT",
        "USD",
        "EUR",
        "FAQ",
        "TX",
        "ID",
        "OK",
        "PM",
        "DM",
        "AM",
        "GMT",
        "UTC",
        "CEO",
        "APP",
        "OTP",
        "SMS",
        "DEX",
        "CEX",
        "AML",
        "TRC20",
        "ERC20",
        "BEP20",
        "I",
    ]
)
_SYMBOL = re.compile(r"(?<![\w$])\$?([A-Z][A-Z0-9]{1,9})(?![a-z])")


@dataclass(frozen=True, slots=True)
class Resolution:
    """What to do with a question: answer ``ref``, offer ``candidates``, or neither."""

    outcome: Outcome
    ref: str | None = None
    confidence: float = 0.0
    candidates: tuple[Candidate, ...] = ()
    aspects: frozenset[str] = field(default_factory=frozenset)
    topic: str | None = None  # "airdrop" or "activity" when an unknown one is asked about

    @property
    def personal(self) -> bool:
        """About the user's own account: "am I eligible?", "where is MY reward?"."""
        return "personal" in self.aspects and bool(
            self.aspects & {"eligibility", "not_received", "reward"}
        )


class Resolver:
    """Applies the thresholds of :class:`KnowledgeSettings` to the matcher's scores."""

    def __init__(
        self, knowledge: Knowledge, settings: KnowledgeSettings, cues: Cues | None = None
    ) -> None:
        self.knowledge = knowledge
        self.settings = settings
        self.matcher = Matcher(knowledge)
        self.cues = cues or default_cues()

    def resolve(self, text: str) -> Resolution:
        s = self.settings
        aspects = self.cues.find(text)
        names = self.matcher.names(text)
        sure = [c for c in names if c.score >= s.name_threshold]
        if sure:
            if len(sure) > 1 and sure[1].score >= sure[0].score:
                return Resolution("clarify", candidates=tuple(sure[:3]), aspects=aspects)
            return Resolution("answer", sure[0].ref, sure[0].score, aspects=aspects)
        faqs = self.matcher.faqs(text)
        unknown_symbol = bool(_unknown_symbols(text)) and bool(aspects & {"airdrop", "activity"})
        close_names = [c for c in names if c.score >= s.clarify_threshold]
        if (
            faqs
            and faqs[0].score >= s.confidence_threshold
            and not unknown_symbol
            and not close_names
            and (len(faqs) == 1 or faqs[0].score - faqs[1].score >= s.confidence_margin)
        ):
            return Resolution("answer", faqs[0].ref, faqs[0].score, aspects=aspects)
        topic = "airdrop" if "airdrop" in aspects else "activity" if "activity" in aspects else None
        if topic and not close_names:
            return Resolution("unknown", aspects=aspects, topic=topic)
        close = [*close_names, *(c for c in faqs if c.score >= s.clarify_threshold)]
        if close:
            close.sort(key=lambda c: -c.score)
            return Resolution(
                "clarify", confidence=close[0].score, candidates=tuple(close[:3]), aspects=aspects
            )
        if "question" in aspects or "?" in text or "？" in text:
            return Resolution("handoff", aspects=aspects)
        return Resolution("pass", aspects=aspects)


def _unknown_symbols(text: str) -> list[str]:
    return [m for m in _SYMBOL.findall(text) if m not in _COMMON_SYMBOLS]
