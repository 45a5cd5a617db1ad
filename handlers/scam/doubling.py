"""Giveaway doubling in any language: "send 0.1 ETH, get 0.2 ETH back".

Words alone say little ("send" and "receive" are in every deposit question); what
gives doubling away is a send word, a receive word, and a later amount of the same
coin at least 1.5 times an earlier one. Runs on ``normalize.unspaced`` text, where
"s e n d 0.1 E T H" already reads "send 0.1 eth" and decimal commas are kept.
"""

from __future__ import annotations

import re


def any_of(*words: str) -> re.Pattern[str]:
    """One case-blind alternation of word patterns (shared with handlers.scam.phrases)."""
    return re.compile("|".join(words), re.IGNORECASE)


SEND_WORDS = any_of(
    r"\bsend",
    r"\btransfer",
    r"\bdeposit",
    "发送",
    "转",
    "打",
    r"\bgửi",
    r"chuyển",
    r"\bsende",
    r"überweis",
    r"\benv[ií]",
    r"envoy",
    r"отправ",
    r"переве",
    r"gönder",
    r"\bkirim",
    "送",
    "보내",
    r"\bmand[ae]",
)
RECEIVE_WORDS = any_of(
    r"\bget",
    r"receiv",
    r"\breturn",
    r"\bback\b",
    r"erhalt",
    r"bekomm",
    r"zurück",
    r"recib",
    r"recev",
    r"receb",
    r"получ",
    r"верн",
    r"geri",
    r"alın",
    r"dapat",
    r"terima",
    r"kembali",
    r"nhận",
    "返",
    "得到",
    "获得",
    "收到",
    "受け取",
    "戻",
    "받",
    "돌려",
)
_AMOUNT = re.compile(
    r"(\d+(?:[.,]\d+)?)\s*(?:个|枚|개)?\s*"
    r"(btc|eth|usdt|usdc|bnb|sol|trx|ton|xrp|doge|ltc|matic|ada|avax|shib|pepe)\b",
    re.IGNORECASE,
)


def doubled_amount(unspaced_text: str) -> str | None:
    """The "send X, get 2X back" span of ``normalize.unspaced`` text, or ``None``."""
    text = unspaced_text[:2000]
    if SEND_WORDS.search(text) is None or RECEIVE_WORDS.search(text) is None:
        return None
    amounts = [
        (float(m.group(1).replace(",", ".")), m.group(2).lower(), m) for m in _AMOUNT.finditer(text)
    ]
    for i, (first, coin, at) in enumerate(amounts):
        for later, other, there in amounts[i + 1 : i + 3]:
            near = there.start() - at.end() < 80
            if other == coin and first > 0 and later >= 1.5 * first and near:
                return text[at.start() : there.end()]
    return None
