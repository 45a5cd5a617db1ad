"""Finding wallet secrets in text, so they are redacted before anything is stored.

A posted seed phrase or private key means the user's funds are at risk; the guard warns
them, and storage never sees the words. 64 hex digits are a transaction hash or a raw
private key, and the two look the same: they are kept only when the message calls them
a transaction ("txid", "hash", "交易哈希" ...) or the intake asked for a transaction hash
(``transaction_hash=True``) or names them a withdrawal or deposit right before them
("my withdrawal 0x…"), and never when the message calls them a key. A password is what
follows "password:", or after "password is" (or nothing) only what looks like one: a
user asking how to reset a password has not posted one, and a posted password deletes
the message in a group. The CVV, expiry and PIN written beside a card number go with it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache

import base58
from mnemonic import Mnemonic

SEED_MIN_WORDS = 12

KIND_SEED = "seed_phrase"
KIND_KEY = "private_key"
KIND_PASSWORD = "password"
KIND_CARD = "card_number"
KIND_CARD_DETAIL = "card_details"


@dataclass(frozen=True, slots=True)
class Secret:
    kind: str
    start: int
    end: int


_TOKEN = re.compile(r"[^\s,;|/\\]+")
_NUMBERING = re.compile(r"^\(?\d{1,2}[.):]?\)?$")
_BASE58_RUN = re.compile(r"\b[1-9A-HJ-NP-Za-km-z]{51,111}\b")
HEX64 = re.compile(r"\b(?:0x)?[0-9a-fA-F]{64}\b")
_KEY_WORDS = re.compile(
    r"(private[\s_-]*key|priv[\s_-]*key|secret[\s_-]*key|\bpk\b|私钥|秘密鍵|개인\s*키|"
    r"khóa\s*riêng|privater\s*schlüssel|clave\s*privada|chave\s*privada|clé\s*privée|"
    r"приватн\w*\s*ключ|özel\s*anahtar|kunci\s*pribadi)",
    re.IGNORECASE,
)
_PASSWORD = re.compile(
    r"(?:password|passwort|passwd|pwd|mật\s*khẩu|密码|密碼|パスワード|비밀번호|contraseña|"
    r"senha|mot\s*de\s*passe|пароль|şifre|kata\s*sandi)"
    r"(?:\s*(?:saya|aku|anda|của\s*(?:tôi|mình|bạn)))*"  # "kata sandi saya", "của tôi"
    r"\s*((?:is|ist|là|adalah|est|es|é)(?=\s)|是|は|는|은|:|：|=)?\s*(\S{4,128})",
    re.IGNORECASE,
)
# After "password:" anything is the password. After "password is" a plain word is one
# too ("my password is sunshine") unless it is the next word of a sentence: a word of
# the SENTENCE_WORDS list or with the ending of a participle or adverb of that language
# ("password is expired", "mein Passwort ist abgelaufen", "mot de passe est bloqué").
# After nothing ("password reset"), only what looks like one: a letter and a digit, a
# capital inside, a symbol inside, six digits or more, or a quoted word.
_GIVEN = frozenset(":：=")
_PASSWORD_LIKE = re.compile(
    r"^(?:['\"«“‘].{3,}"
    r"|(?=.*[^\W\d_])(?=.*\d).*"
    r"|.+[A-ZА-ЯЁ].*"
    r"|.+[!@#$%^&*+=~?|<>_-].+"
    r"|\d{6,}.*)$"
)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# What goes on a sentence after "password <connector>" (>= 4 letters; shorter words are
# never taken for a password): connector -> (words, endings of participles and adverbs).
# After 是/は/는/은 a word in Latin letters is the password ("密码是sunshine").
_EN = _words(
    "wrong incorrect invalid expired correct right too very still already also just "
    "being been the same different changed reset locked blocked required needed weak "
    "strong long short saved stored case missing empty fine okay working gone lost "
    "forgotten compromised leaked stolen hacked secure safe visible hidden shown never "
    "always probably definitely only less more longer shorter what that this which "
    "where when letters characters digits numbers accepted rejected refused denied "
    "failing failed valid unknown mine yours their there here from with like over "
    "under about into through within without less easy hard simple weird strange "
    "broken good great stuck useless fake real complex unique random temporary similar "
    "identical common known public private personal sensitive mandatory optional enough "
    "unsafe insecure four five seven eight nine twelve sixteen twenty"
)
_DE = _words(
    "nicht kein keine falsch richtig korrekt ungültig abgelaufen gesperrt noch schon "
    "jetzt immer auch vergessen geändert zurückgesetzt leer sicher unsicher lang kurz "
    "eine einer mein meins dein gleich anders kaputt verloren gehackt gestohlen geheim "
    "bekannt weg falsches"
)
_FR = _words(
    "plus trop faux fausse incorrect incorrecte correct correcte mauvais toujours encore "
    "déjà très même vide valide invalide perdu court courte long longue simple facile "
    "bien nouveau nouvelle sûr sécurisé"
)
_ES = _words(
    "incorrecta incorrecto correcta correcto inválida inválido válida válido demasiado "
    "igual misma mismo nueva nuevo segura seguro débil fuerte larga largo corta corto "
    "otra otro falsa falso"
)
_PT = _words(
    "incorreta incorreto correta correto errada errado inválida inválido válida válido "
    "muito igual mesma mesmo nova novo segura seguro fraca fraco forte longa curta "
    "outra outro falsa falso"
)
SENTENCE_WORDS: dict[str, tuple[frozenset[str], tuple[str, ...]]] = {
    "is": (_EN, ("ed", "ing", "ly")),
    "ist": (_DE, ("iert", "lich", "ig")),
    "est": (_FR, ("é", "ée", "és", "ées", "ment")),
    "es": (_ES, ("ada", "ado", "ida", "ido", "mente")),
    "é": (_PT, ("ada", "ado", "ida", "ido", "mente")),
    "là": (_words("không đúng những mình gồm"), ()),
    "adalah": (
        _words(
            "tidak salah benar sudah masih kadaluarsa terlalu rahasia sama beda lupa "
            "diganti terkunci diblokir"
        ),
        (),
    ),
    "是": (frozenset(), ()),
    "は": (frozenset(), ()),
    "는": (frozenset(), ()),
    "은": (frozenset(), ()),
}
# a password is written in letters, digits and symbols, not in the ideographs, kana or
# hangul of the sentence around it ("密码忘了怎么办", "パスワードを忘れました")
_NOT_PASSWORD = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uac00-\ud7af\uff00-\uffef，。！？、]")
_TX_WORDS = re.compile(
    r"(\btx\b|txid|tx[\s_-]*hash|\bhash\b|transaction|transacci[oó]n|transa[çc][ãa]o|"
    r"transaksi|transaktion|giao\s*dịch|交易|哈希|транзакц|хэш|хеш|işlem|トランザクション|"
    r"取引|ハッシュ|트랜잭션|거래|해시|explorer|etherscan|bscscan|tronscan)",
    re.IGNORECASE,
)
_CARD = re.compile(r"\b(?:\d{13,19}|\d{4}(?:[ -]\d{4}){2}[ -]\d{1,7}|\d{4}[ -]\d{6}[ -]\d{4,5})\b")
# what is written after a card number: its expiry, CVV and PIN
_CARD_DETAIL = re.compile(
    r"\b(?:0[1-9]|1[0-2])\s*[/-]\s*(?:\d{4}|\d{2})\b"
    r"|(?:cvv2?|cvc2?|csc|cid|security\s*code|pin|код|código|code|코드|암호)\W{0,3}\d{3,6}\b"
    r"|\b\d{3,4}\b",
    re.IGNORECASE,
)
CARD_DETAIL_REACH = 60  # characters after a card number read for its details
# the withdrawal or deposit a 64-hex string is the hash of, named right before it ("my
# withdrawal 0x…", "提现 0x…", "출금 0x…"), in the bot's 12 languages; an amount or a
# coin may stand between ("deposit 50 USDT 0x…")
_TRANSFER_BEFORE = re.compile(
    r"(?:withdrawal|withdraw|deposit|提现|提幣|提币|充值|充币|rút(?:\s*tiền)?|nạp(?:\s*tiền)?|"
    r"retiro|retirada|dep[oó]sito|saque|вывод\w*|депозит\w*|пополнени\w*|çekim\w*|"
    r"çekme|yatırma|yatırım\w*|penarikan|setoran|출금|입금|出金|入金|auszahlung|"
    r"einzahlung|abhebung|retrait|d[ée]p[ôo]t)"
    r"(?:\s+(?:of\s+|de\s+|do\s+|von\s+)?(?:\d+(?:[.,]\d+)?\s*)?(?-i:[A-Z]{2,6}))?"
    r"\s*(?:id|hash|#|no\.?)?\s*[:：#]?\s*$",
    re.IGNORECASE,
)


@cache
def _wordlists() -> frozenset[str]:
    words: set[str] = set()
    for language in Mnemonic.list_languages():
        words.update(unicodedata.normalize("NFKD", w) for w in Mnemonic(language).wordlist)
    return frozenset(words)


def find_secrets(text: str, *, transaction_hash: bool = False) -> list[Secret]:
    """Every secret in ``text``, as non-overlapping spans in text order.

    ``transaction_hash``: the text answers a question that asked for a transaction
    hash, so 64 hex digits are one unless the text calls them a key.
    """
    found = (
        _seed_phrases(text)
        + _private_keys(text, transaction_hash)
        + _passwords(text)
        + _cards(text)
    )
    found.sort(key=lambda s: (s.start, -s.end))
    merged: list[Secret] = []
    for secret in found:
        if merged and secret.start < merged[-1].end:
            continue
        merged.append(secret)
    return merged


def redact(
    text: str, label: str = "[redacted: {kind}]", *, transaction_hash: bool = False
) -> tuple[str, list[str]]:
    """``text`` with every secret replaced by a label, and the kinds that were found."""
    secrets = find_secrets(text, transaction_hash=transaction_hash)
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


@dataclass(frozen=True, slots=True)
class Redacted:
    """A text as it may be stored (``redact``) and the kinds of secret taken out of it.

    The inbox redacts each message once, before it is recorded, and carries the result
    on the context: the stages that store the same text (an incident's example
    question) or judge its secrets (the guard) take it from there (``redacted``)
    instead of searching the text again.
    """

    source: str = field(repr=False)  # the text it was made of, secrets and all
    text: str
    kinds: tuple[str, ...]


def redacted(text: str, known: Redacted | None = None) -> Redacted:
    """``text`` redacted: ``known`` when it was made of this very text, else anew."""
    if known is not None and known.source == text:
        return known
    clean, kinds = redact(text)
    return Redacted(text, clean, tuple(kinds))


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


def _private_keys(text: str, transaction_hash: bool) -> list[Secret]:
    found = [
        Secret(KIND_KEY, m.start(), m.end())
        for m in _BASE58_RUN.finditer(text)
        if _is_private_base58(m.group())
    ]
    named_key = _KEY_WORDS.search(text) is not None
    named_tx = transaction_hash or _TX_WORDS.search(text) is not None
    if named_key or not named_tx:
        found += [
            Secret(KIND_KEY, m.start(), m.end())
            for m in HEX64.finditer(text)
            if named_key or not _TRANSFER_BEFORE.search(text[max(0, m.start() - 40) : m.start()])
        ]
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
    found = []
    for m in _PASSWORD.finditer(text):
        value = _NOT_PASSWORD.split(m.group(2), 1)[0]
        if len(value) < 4:
            continue
        named = m.group(1) is not None and m.group(1).casefold() in SENTENCE_WORDS
        if (
            m.group(1) in _GIVEN
            or _PASSWORD_LIKE.match(value)
            or (named and not _sentence_word(m.group(1).casefold(), value))
        ):
            found.append(Secret(KIND_PASSWORD, m.start(2), m.start(2) + len(value)))
    return found


def _sentence_word(connector: str, value: str) -> bool:
    """Whether ``value`` after "password <connector>" goes on the sentence rather than
    giving the password ("is expired", "ist abgelaufen", "est bloqué")."""
    word = value.casefold().strip(".,!?;:'\"()…")
    words, endings = SENTENCE_WORDS[connector]
    return word in words or (bool(endings) and word.endswith(endings)) or not word.isalpha()


def _cards(text: str) -> list[Secret]:
    found = []
    for m in _CARD.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        if 13 <= len(digits) <= 19 and _luhn(digits) and len(set(digits)) > 1:
            found.append(Secret(KIND_CARD, m.start(), m.end()))
            window = text[m.end() : m.end() + CARD_DETAIL_REACH]
            found += [
                Secret(KIND_CARD_DETAIL, m.end() + d.start(), m.end() + d.end())
                for d in _CARD_DETAIL.finditer(window)
            ]
    return found


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0
