"""Whether a question, placed on an FAQ by the answer engine, is an incident's."""

from __future__ import annotations

from handlers.incidents.mentions import FAMILY_NAMES, Mentions, restriction_holds
from storage.incidents import OpenIncident
from storage.surges import SurgeKey


def matches(incident: OpenIncident, ref: str, seen: Mentions) -> bool:
    """The entry is one of the incident's FAQs, and where the question (or its ticket's
    intake) names networks or coins, it names one of the incident's."""
    if ref not in {f"faq:{faq}" for faq in incident.faqs}:
        return False
    return restriction_holds(incident.networks, incident.coins, seen)


def surge_keys(ref: str, seen: Mentions) -> list[SurgeKey]:
    """The keys one question counts under: the networks it names; else the coins it
    names; else the entry alone. A network says more about an outage than the coin sent
    over it ("USDT on TRON"), and counting such a question under both would alert one
    surge twice."""
    if seen.networks:
        return [SurgeKey(ref, "network", family) for family in sorted(seen.networks)]
    if seen.coins:
        return [SurgeKey(ref, "coin", coin) for coin in sorted(seen.coins)]
    return [SurgeKey(ref)]


def covers(incident: OpenIncident, key: SurgeKey) -> bool:
    """An open incident already answers the questions of ``key``: no alert needed."""
    if key.ref not in {f"faq:{faq}" for faq in incident.faqs}:
        return False
    if key.kind == "network":
        name = FAMILY_NAMES.get(key.value, key.value)
        seen = Mentions(frozenset({key.value}), frozenset(), name)
    elif key.kind == "coin":
        seen = Mentions(frozenset(), frozenset({key.value}), key.value)
    else:
        return True  # questions that name no network or coin are the incident's too
    return restriction_holds(incident.networks, incident.coins, seen)
