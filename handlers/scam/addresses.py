"""Deposit addresses: which network an address belongs to, and whether it is valid.

EVM addresses are checked against EIP-55 (Keccak-256 from pycryptodome) when written in
mixed case; TRON, legacy Bitcoin and P2SH addresses by their Base58Check checksum
(``base58``); SegWit addresses by BIP-173/BIP-350 (bech32 and bech32m, ported from the
BIPs' description); Solana addresses by decoding to 32 bytes. The network a user names
next to an address ("ERC20", "TRC20", "BEP20") is compared with the address's own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import base58
from Crypto.Hash import keccak

# edges by ASCII letters and digits, not \b: in "往TT67…转" the CJK characters around
# an address are word characters too
_A, _Z = r"(?<![0-9A-Za-z])", r"(?![0-9A-Za-z])"
_EVM = re.compile(_A + r"0x[0-9a-fA-F]{40}" + _Z)
_TRON = re.compile(_A + r"T[1-9A-HJ-NP-Za-km-z]{33}" + _Z)
_BTC_BASE58 = re.compile(_A + r"[13LMD9A][1-9A-HJ-NP-Za-km-z]{25,34}" + _Z)
_BECH32 = re.compile(_A + r"(?:bc|tb|ltc)1[02-9ac-hj-np-z]{8,87}" + _Z, re.IGNORECASE)
_XRP = re.compile(_A + r"r[1-9A-HJ-NP-Za-km-z]{24,34}" + _Z)
_TON = re.compile(r"(?<![\w+/-])[EUk0]Q[A-Za-z0-9_+/-]{46}(?![\w+/-])")
# Base58Check version byte -> network (0x05, "3...", is BTC P2SH and old LTC P2SH)
_VERSIONS = {0x00: "btc", 0x05: "btc", 0x30: "ltc", 0x32: "ltc", 0x1E: "doge", 0x16: "doge"}
_SOLANA = re.compile(_A + r"[1-9A-HJ-NP-Za-km-z]{32,44}" + _Z)

# the network family a user's words name
NETWORK_WORDS = {
    "evm": re.compile(
        _A + r"(?:erc-?20|bep-?20|bsc|ethereum|polygon|arbitrum|optimism)" + _Z, re.IGNORECASE
    ),
    "tron": re.compile(_A + r"(?:trc-?20|tron)" + _Z, re.IGNORECASE),
    "btc": re.compile(_A + r"(?:btc network|bitcoin network|bitcoin|segwit)" + _Z, re.IGNORECASE),
    "solana": re.compile(_A + r"(?:(?-i:SOL)|solana|spl)" + _Z, re.IGNORECASE),
    "ltc": re.compile(_A + r"(?:ltc|litecoin)" + _Z, re.IGNORECASE),
    "doge": re.compile(_A + r"(?:doge|dogecoin)" + _Z, re.IGNORECASE),
    "xrp": re.compile(_A + r"(?:xrp|ripple|xrpl)" + _Z, re.IGNORECASE),
    "ton": re.compile(_A + r"(?:(?-i:TON)|toncoin)" + _Z, re.IGNORECASE),
}


@dataclass(frozen=True, slots=True)
class Address:
    text: str
    network: str  # evm | tron | btc | ltc | doge | xrp | ton | solana
    valid: bool


def addresses_in(text: str) -> list[Address]:
    text = text[:20_000]
    found: list[Address] = []
    taken: set[str] = set()

    def add(raw: str, network: str, valid: bool) -> None:
        if raw not in taken:
            taken.add(raw)
            found.append(Address(raw, network, valid))

    for m in _EVM.finditer(text):
        add(m.group(), "evm", eip55_ok(m.group()))
    for m in _TRON.finditer(text):
        add(m.group(), "tron", _base58check_version(m.group()) == 0x41)
    for m in _BECH32.finditer(text):
        bech32_network = "ltc" if m.group().lower().startswith("ltc") else "btc"
        add(m.group(), bech32_network, segwit_ok(m.group()))
    for m in _BTC_BASE58.finditer(text):
        network = _VERSIONS.get(_base58check_version(m.group()) or -1)
        if m.group() not in taken and network is not None:
            add(m.group(), network, True)
    for m in _XRP.finditer(text):
        if m.group() not in taken and _xrp_ok(m.group()):
            add(m.group(), "xrp", True)
    for m in _TON.finditer(text):
        add(m.group(), "ton", ton_ok(m.group()))
    for m in _SOLANA.finditer(text):
        raw = m.group()
        if raw in taken or any(raw in t for t in taken):
            continue
        try:
            if len(base58.b58decode(raw)) == 32 and not raw.isdigit():
                add(raw, "solana", True)
        except ValueError:
            continue
    return found


def named_networks(text: str) -> set[str]:
    return {family for family, words in NETWORK_WORDS.items() if words.search(text[:20_000])}


def eip55_ok(address: str) -> bool:
    """All-lowercase and all-uppercase carry no checksum; mixed case must match it."""
    body = address[2:]
    if body == body.lower() or body == body.upper():
        return True
    digest = keccak.new(digest_bits=256, data=body.lower().encode()).hexdigest()
    return all(
        (ch.upper() if int(digest[i], 16) >= 8 else ch.lower()) == ch for i, ch in enumerate(body)
    )


def _xrp_ok(raw: str) -> bool:
    """XRP Ledger classic address: Base58Check in the XRP alphabet, account prefix 0."""
    try:
        payload = base58.b58decode_check(raw, alphabet=base58.XRP_ALPHABET)
    except ValueError:
        return False
    return len(payload) == 21 and payload[0] == 0


def ton_ok(raw: str) -> bool:
    """TON user-friendly address: 36 bytes (flags, workchain, hash) ending in a
    CRC16-XMODEM of the first 34."""
    import base64

    try:
        data = base64.urlsafe_b64decode(raw.replace("+", "-").replace("/", "_"))
    except ValueError:
        return False
    if len(data) != 36:
        return False
    crc = 0
    for byte in data[:34]:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021 if crc & 0x8000 else crc << 1) & 0xFFFF
    return crc == int.from_bytes(data[34:], "big")


def _base58check_version(raw: str) -> int | None:
    try:
        payload = base58.b58decode_check(raw)
    except ValueError:
        return None
    return payload[0] if len(payload) in (21,) else None


_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32M_CONST = 0x2BC830A3


def _polymod(values: list[int]) -> int:
    generators = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    checksum = 1
    for value in values:
        top = checksum >> 25
        checksum = (checksum & 0x1FFFFFF) << 5 ^ value
        for i, generator in enumerate(generators):
            checksum ^= generator if (top >> i) & 1 else 0
    return checksum


def segwit_ok(address: str) -> bool:
    """BIP-173 for witness version 0, BIP-350 (bech32m) for versions 1 to 16."""
    if address.lower() != address and address.upper() != address:
        return False
    address = address.lower()
    hrp, _, data_part = address.rpartition("1")
    if hrp not in ("bc", "tb", "ltc") or len(data_part) < 7:
        return False
    data = [_CHARSET.find(ch) for ch in data_part]
    if -1 in data:
        return False
    expanded = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    constant = _polymod(expanded + data)
    version = data[0]
    if constant != (1 if version == 0 else _BECH32M_CONST):
        return False
    program = _convert_bits(data[1:-6])
    if program is None or not 2 <= len(program) <= 40 or version > 16:
        return False
    return version != 0 or len(program) in (20, 32)


def _convert_bits(data: list[int]) -> list[int] | None:
    acc = bits = 0
    out: list[int] = []
    for value in data:
        acc = (acc << 5) | value
        bits += 5
        while bits >= 8:
            bits -= 8
            out.append((acc >> bits) & 0xFF)
    if bits >= 5 or (acc << (8 - bits)) & 0xFF:
        return None
    return out


def poisoned(candidate: str, official: str) -> bool:
    """Same first 3 and last 4 characters, different in between (scam-notes §4): an
    address made to pass for the official one at a glance."""
    a, b = candidate.lower().removeprefix("0x"), official.lower().removeprefix("0x")
    return a != b and len(a) == len(b) and a[:3] == b[:3] and a[-4:] == b[-4:]
