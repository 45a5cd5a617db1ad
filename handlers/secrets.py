"""Finding wallet secrets in text, so they are redacted before anything is stored.

A posted seed phrase or private key means the user's funds are at risk; the guard warns
them, and storage never sees the words. Detection is deliberately narrow where a false
hit would destroy useful data: 64 hex digits are usually a transaction hash, so they are
taken for a private key only when the text calls them a key.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

import base58
from mnemonic import Mnemonic

SEED_MIN_WORDS = 12

KIND_SEED = "seed_phrase"
KIND_KEY = "private_key"
KIND_PASSWORD = "password"
KIND_CARD = "card_number"


@dataclass(frozen=True, slots=True)
class Secret:
    kind: str
    start: int
    end: int


_TOKEN = re.compile(r"[^\s,;|/\\]+")
_NUMBERING = re.compile(r"^\(?\d{1,2}[.):]?\)?$")
_BASE58_RUN = re.compile(r"\b[1-9A-HJ-NP-Za-km-z]{51,111}\b")
_HEX64 = re.compile(r"\b(?:0x)?[0-9a-fA-F]{64}\b")
_KEY_WORDS = re.compile(
    r"(private[\s_-]*key|priv[\s_-]*key|secret[\s_-]*key|\bpk\b|私钥|秘密鍵|개인\s*키|"
    r"khóa\s*riêng|privater\s*schlüssel|clave\s*privada|chave\s*privada|clé\s*privée|"
    r"приватн\w*\s*ключ|özel\s*anahtar|kunci\s*pribadi)",
    re.IGNORECASE,
)
_PASSWORD = re.compile(
    r"(?:password|passwort|passwd|pwd|mật\s*khẩu|密码|密碼|パスワード|비밀번호|contraseña|"
    r"senha|mot\s*de\s*passe|пароль|şifre|kata\s*sandi)\s*(?:is|ist|là|是|:|：|=)?\s*(\S{4,128})",
    re.IGNORECASE,
)
_CARD = re.compile(r"\b(?:\d[ -]?){12,18}\d\b")


@cache
def _wordlists() -> frozenset[str]:
    words: set[str] = set()
    for language in Mnemonic.list_languages():
        words.update(unicodedata.normalize("NFKD", w) for w in Mnemonic(language).wordlist)
    return frozenset(words)


def find_secrets(text: str) -> list[Secret]:
    """Every secret in ``text``, as non-overlapping spans in text order."""
    found = _seed_phrases(text) + _private_keys(text) + _passwords(text) + _cards(text)
    found.sort(key=lambda s: (s.start, -s.end))
    merged: list[Secret] = []
    for secret in found:
        if merged and secret.start < merged[-1].end:
            continue
        merged.append(secret)
    return merged


def redact(text: str, label: str = "[redacted: {kind}]") -> tuple[str, list[str]]:
    """``text`` with every secret replaced by a label, and the kinds that were found."""
    secrets = find_secrets(text)
    if not secrets:
        return text, []
    parts: list[str] = []
    at = 0
    for secret in secrets:
        parts.append(text[at : secret.start])
        parts.append(label.format(kind=secret.kind.replace("_", " ")))
        at = secret.end
    parts.append(text[at:])
    return "".join(parts), [s.kind for s in secrets]


def _seed_phrases(text: str) -> list[Secret]:
    words = _wordlists()
    found: list[Secret] = []
    run_start = run_end = -1
    count = 0
    for match in _TOKEN.finditer(text):
        token = match.group()
        if _NUMBERING.match(token) and count:
            continue  # "1. abandon 2. ability ..." keeps the run going
        word = unicodedata.normalize("NFKD", token.strip(".:\"'()[]").lower())
        if word in words:
            if count == 0:
                run_start = match.start()
            count += 1
            run_end = match.end()
            continue
        if count >= SEED_MIN_WORDS:
            found.append(Secret(KIND_SEED, run_start, run_end))
        count = 0
    if count >= SEED_MIN_WORDS:
        found.append(Secret(KIND_SEED, run_start, run_end))
    return found


def _private_keys(text: str) -> list[Secret]:
    found = [
        Secret(KIND_KEY, m.start(), m.end())
        for m in _BASE58_RUN.finditer(text)
        if _is_private_base58(m.group())
    ]
    if _KEY_WORDS.search(text):
        found += [Secret(KIND_KEY, m.start(), m.end()) for m in _HEX64.finditer(text)]
    return found


def _is_private_base58(candidate: str) -> bool:
    """WIF keys (5…, K…, L…, c…) and extended private keys (xprv, tprv, yprv, zprv)."""
    try:
        payload = base58.b58decode_check(candidate)
    except ValueError:
        return False
    if candidate[:4] in ("xprv", "tprv", "yprv", "zprv", "uprv", "vprv"):
        return True
    return payload[:1] in (b"\x80", b"\xef") and len(payload) in (33, 34)


def _passwords(text: str) -> list[Secret]:
    return [Secret(KIND_PASSWORD, m.start(1), m.end(1)) for m in _PASSWORD.finditer(text)]


def _cards(text: str) -> list[Secret]:
    found = []
    for m in _CARD.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        if 13 <= len(digits) <= 19 and _luhn(digits) and len(set(digits)) > 1:
            found.append(Secret(KIND_CARD, m.start(), m.end()))
    return found


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0
