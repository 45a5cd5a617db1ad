"""Which networks and coins a message names, and whether an incident's match holds.

Networks are compared by family (``named_networks`` of the scam guard: "TRC20",
"TRON" and a TRON address all name ``tron``), so an incident that says
``networks = ["TRON"]`` answers "my USDT on TRC20 has not arrived". A name that is no
known family is matched as a whole word. Coins are tickers, matched as whole words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from handlers.scam.addresses import addresses_in, named_networks

# what the sweep counts as "naming a coin": tickers people write when money is missing
COINS = ("USDT", "USDC", "BTC", "ETH", "BNB", "SOL", "TRX", "XRP", "DOGE", "TON", "LTC", "DAI")
# TON and SOL are coins only in capitals ("a ton of", "sol" in Spanish)
_CAPITALS = ("TON", "SOL")
_TICKER = re.compile(
    r"(?<![\w$])\$?(" + "|".join(c for c in COINS if c not in _CAPITALS) + r")(?!\w)",
    re.IGNORECASE,
)
_CAPITAL_TICKER = re.compile(r"(?<![\w$])\$?(" + "|".join(_CAPITALS) + r")(?!\w)")
# how an incident opened from a surge names a network family
FAMILY_NAMES = {
    "evm": "Ethereum",
    "tron": "TRON",
    "btc": "Bitcoin",
    "solana": "Solana",
    "ltc": "Litecoin",
    "doge": "Dogecoin",
    "xrp": "XRP",
    "ton": "TON",
}


@dataclass(frozen=True, slots=True)
class Mentions:
    """Network families and coin tickers (upper case) a text names."""

    networks: frozenset[str]
    coins: frozenset[str]
    text: str  # kept for names that are no known family

    def names_network(self, name: str) -> bool:
        families = network_families(name)
        if families:
            return bool(families & self.networks)
        return _word(name).search(self.text) is not None

    def names_coin(self, name: str) -> bool:
        return name.upper() in self.coins or _word(name).search(self.text) is not None


def mentions(*texts: str | None) -> Mentions:
    """What ``texts`` (a message, a ticket's intake fields) name, together."""
    joined = "\n".join(t for t in texts if t)[:20_000]
    networks = set(named_networks(joined))
    networks |= {a.network for a in addresses_in(joined) if a.valid}
    coins = {m.upper() for m in _TICKER.findall(joined)} | set(_CAPITAL_TICKER.findall(joined))
    return Mentions(frozenset(networks), frozenset(coins), joined)


@cache
def network_families(name: str) -> frozenset[str]:
    return frozenset(named_networks(name))


@cache
def _word(name: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)" + re.escape(name.strip()) + r"(?!\w)", re.IGNORECASE)


def restriction_holds(networks: tuple[str, ...], coins: tuple[str, ...], seen: Mentions) -> bool:
    """An incident's networks and coins narrow it only when the question names some:
    "my deposit has not arrived" is a TRON incident's question (its text names TRON, so
    a user on another network can tell); "my ERC20 deposit has not arrived" is not. A
    question that names a network (or coin) must name one of the incident's."""
    if networks and seen.networks and not any(seen.names_network(n) for n in networks):
        return False
    return not coins or not seen.coins or any(seen.names_coin(c) for c in coins)
