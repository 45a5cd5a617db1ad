"""Phishing links: block lists and look-alikes of the exchange's own domains.

Hosts are split with the public suffix list (tldextract, from the snapshot it ships:
nothing is fetched), so ``example.com.secure-login.net`` is seen as a subdomain of
``secure-login.net`` wearing the brand's name. Block lists use the eth-phishing-detect
format (allowlist, blocklist, fuzzylist with a tolerance: an entry matches itself and
its subdomains; the allowlist always wins) or one domain per line.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import tldextract
from rapidfuzz.distance import Levenshtein

from handlers.scam.normalize import skeleton

MAX_LINKS = 200  # a message with thousands of links is judged on the first ones
# scheme URLs, and bare hosts with a dot and a plausible suffix
_URL = re.compile(
    r"(?:https?://|hxxps?://|www\.)[^\s<>\"'()]{1,300}"
    r"|\b(?:[a-z0-9\u00a1-\uffff-]{1,63}\.){1,8}(?:[a-z\u00a1-\uffff]{2,24}|xn--[a-z0-9-]{1,59})\b"
    r"(?:/[^\s<>\"'()]{0,300})?",
    re.IGNORECASE,
)
DECORATIONS = (
    "support",
    "help",
    "airdrop",
    "claim",
    "verify",
    "verification",
    "wallet",
    "secure",
    "login",
    "rewards",
    "reward",
    "bonus",
    "gift",
    "official",
    "service",
    "team",
    "sync",
    "connect",
    "validate",
    "unlock",
    "kyc",
    "app",
    "web",
)


@cache
def _extract() -> tldextract.TLDExtract:
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


@dataclass(frozen=True, slots=True)
class Host:
    """A host found in a message, split at the public suffix."""

    text: str
    host: str
    domain: str  # registrable label, e.g. "example" in "www.example.co.uk"
    registered: str  # "example.co.uk"
    subdomain: str


def hosts_in(text: str) -> list[Host]:
    found: list[Host] = []
    seen: set[str] = set()
    for match in _URL.finditer(text[:100_000]):
        raw = match.group()
        host = re.sub(r"^(?:h[tx]{2}ps?://)", "", raw, flags=re.IGNORECASE).split("/")[0]
        host = host.split("@")[-1].split(":")[0].strip(".").lower()
        if not host.isascii():
            try:
                host = host.encode("idna").decode("ascii")
            except UnicodeError:
                continue  # not a name the DNS could hold
        if not host or host in seen:
            continue
        seen.add(host)
        parts = _extract()(host)
        if not parts.suffix and not re.fullmatch(r"[\d.]+", host):
            continue  # "file.txt", "e.g": not a host on the internet
        registered = f"{parts.domain}.{parts.suffix}" if parts.suffix else parts.domain
        found.append(Host(raw, host, parts.domain, registered, parts.subdomain))
        if len(found) >= MAX_LINKS:
            break
    return found


@dataclass(frozen=True)
class ListConfig:
    """One eth-phishing-detect config: lists and the fuzzy tolerance, in its order."""

    name: str
    allow: tuple[str, ...] = ()
    block: tuple[str, ...] = ()
    fuzzy: tuple[str, ...] = ()
    tolerance: int = 0
    # entry -> position, so a host is matched by its few suffixes, not the whole list
    allow_index: dict[str, int] = field(default_factory=dict, compare=False, repr=False)
    block_index: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for entries, index in ((self.allow, self.allow_index), (self.block, self.block_index)):
            for position, entry in enumerate(entries):
                index.setdefault(entry.removesuffix("."), position)


@dataclass
class BlockList:
    """Block lists with eth-phishing-detect semantics (see ``shared`` ALGORITHM notes):
    every config's allowlist first (the allowlist always wins), then per config in
    order its blocklist and, with a tolerance, its fuzzylist."""

    configs: list[ListConfig] = field(default_factory=list)

    @property
    def size(self) -> int:
        return sum(len(c.block) for c in self.configs)

    @classmethod
    def load(cls, paths: Iterable[Path]) -> BlockList:
        """Read ``config.json``-style files and plain lists; raises ``ValueError``."""
        merged = cls()
        for path in paths:
            text = path.read_text(encoding="utf-8")
            if path.suffix == ".json":
                merged.configs += parse_config(json.loads(text), path.name)
            else:
                domains = tuple(
                    line.strip().lower()
                    for line in text.splitlines()
                    if line.strip() and not line.startswith("#")
                )
                merged.configs.append(ListConfig(path.name, block=domains))
        return merged

    def check(self, host: str) -> tuple[str, str] | None:
        """``("blocklist", entry)`` or ``("fuzzy", entry)`` for a bad host, else ``None``."""
        host = host.removesuffix(".")
        for config in self.configs:
            if _matches(host, config.allow_index):
                return None
        for config in self.configs:
            entry = _matches(host, config.block_index)
            if entry:
                return "blocklist", entry
            if config.tolerance > 0:
                form = _fuzzy_form(host).removeprefix("www.")
                for candidate in config.fuzzy:
                    if Levenshtein.distance(form, _fuzzy_form(candidate)) <= config.tolerance:
                        return "fuzzy", candidate
        return None


def parse_config(data: object, name: str = "config") -> list[ListConfig]:
    """The legacy object (``whitelist``/``blacklist``, tolerance 3 when absent) or the
    array of named configs (validated as upstream does)."""
    if isinstance(data, dict):
        return [
            ListConfig(
                name,
                allow=tuple(data.get("whitelist", [])),
                block=tuple(data.get("blacklist", [])),
                fuzzy=tuple(data.get("fuzzylist", [])),
                tolerance=int(data.get("tolerance", 3)),
            )
        ]
    if not isinstance(data, list):
        raise ValueError("Invalid config")
    configs = []
    for item in data:
        if not isinstance(item, dict):
            raise ValueError("Invalid config")
        if item.get("tolerance") and "fuzzylist" not in item:
            raise ValueError("Fuzzylist tolerance provided without fuzzylist")
        if not isinstance(item.get("name"), str) or not item["name"]:
            raise ValueError("Invalid config parameter: 'name'")
        version = item.get("version")
        if isinstance(version, bool) or not (
            isinstance(version, int | float) or (isinstance(version, str) and version)
        ):
            raise ValueError("Invalid config parameter: 'version'")
        configs.append(
            ListConfig(
                item["name"],
                allow=tuple(item.get("allowlist", [])),
                block=tuple(item.get("blocklist", [])),
                fuzzy=tuple(item.get("fuzzylist", [])),
                tolerance=int(item.get("tolerance", 0) or 0),
            )
        )
    return configs


def _matches(host: str, index: dict[str, int]) -> str | None:
    """The first entry (in list order) equal to ``host`` or to one of its parents."""
    labels = host.split(".")
    hits = [s for s in (".".join(labels[i:]) for i in range(len(labels))) if s in index]
    return min(hits, key=index.__getitem__) if hits else None


def _fuzzy_form(host: str) -> str:
    """eth-phishing-detect's comparison form: the last label dropped."""
    return host.rsplit(".", 1)[0] if "." in host else ""


def lookalike(host: Host, official: Iterable[str]) -> tuple[str, str] | None:
    """How ``host`` imitates an official domain: ``(kind, official)`` or ``None``.

    Kinds: ``edit`` (a few letters off), ``homoglyph`` (reads the same, also in
    punycode), ``decorated`` (``example-support``), ``subdomain``
    (``example.com.evil.net``), ``elsewhere`` (the brand's label, or a look-alike of
    it, under another registrable domain or suffix: ``example-event.cc``,
    ``example.io``). An official domain and its subdomains are never look-alikes.
    """
    domains = list(official)
    splits = [_extract()(d) for d in domains]
    for parts in splits:
        registered = f"{parts.domain}.{parts.suffix}"
        if host.registered == registered or host.host.endswith("." + registered):
            return None  # the real thing
    seen = skeleton(_unpuny(host.domain))
    words = [w for w in re.split(r"[-_.]", seen) if w]
    for domain, parts in zip(domains, splits, strict=True):
        label = skeleton(parts.domain)
        if seen == label:
            return ("elsewhere" if host.domain == parts.domain else "homoglyph"), domain
        if len(label) >= 4 and Levenshtein.distance(seen, label) <= _tolerance(label):
            return "edit", domain
        near = [w for w in words if w == label or _close(w, label)]
        if near and any(w in DECORATIONS for w in words if w not in near):
            return "decorated", domain
        if near or (len(label) >= 5 and (seen.startswith(label) or seen.endswith(label))):
            return "elsewhere", domain
        if label in re.split(r"[-_.]", host.subdomain):
            return "subdomain", domain
    return None


def _tolerance(label: str) -> int:
    return 1 if len(label) <= 6 else 2


def _close(word: str, label: str) -> bool:
    """A look-alike spelling of the brand's label ("exaemple", "examp1e")."""
    return len(label) >= 5 and Levenshtein.distance(word, label) <= _tolerance(label)


def _unpuny(label: str) -> str:
    if not label.startswith("xn--"):
        return label
    try:
        return label.encode("ascii").decode("idna")
    except UnicodeError:
        return label
