"""Whether an address beside a token's name is given as that token's contract.

A scammer posts "$ABC contract: 0x…, buy before listing"; a user writes "I sent my ABC
to 0x… an hour ago, not arrived". Both put an address beside the token's name, and
only the first is a fake contract: the user's address is their own wallet or the
exchange's deposit address, and calling it a scam (removed in a group, sender timed
out) punishes the one person who needs help. So an address beside the token is taken
for its contract when the message names it a contract, or when the message is not
about the user's own transfer. "Own" is first person ("I sent", "my deposit", "to my
wallet"), in the bot's 12 languages: "send BNB to 0x… and receive $ABC" is a presale
pitch, not a user's transfer, and stays a fake contract.
"""

from __future__ import annotations

import re

_CONTRACT = re.compile(
    r"contract|token\s*address|\bca\b|合约|合約|hợp\s*đồng|vertrag|contrato|контракт|kontrat|"
    r"sözleşme|kontrak|contrat|コントラクト|컨트랙트|계약",
    re.IGNORECASE,
)
_OWN_TRANSFER = re.compile(
    "|".join(
        [
            # en
            r"\b(?:i|i'?ve|i\s+have|i\s+had)\s+(?:\w+\s+)?(?:sent|send|transferred|"
            r"transfer|deposited|deposit|withdrew|withdraw|withdrawn|received|moved)\b",
            r"\bmy\s+(?:own\s+)?(?:\w+\s+)?(?:deposit|withdrawal|transfer|transaction)",
            r"\b(?:sent|withdrew|withdrawn|transferred|deposited|moved|received)\b[^.!?]{0,60}"
            r"\b(?:my|mine)\b",
            # zh
            r"(?<![向给往])我(?:已经|已|刚|刚刚|昨天|今天)?(?:充值|充币|提现|提币|转账|转了|转到|转入|转出|发送|发了|收到)",
            r"我的(?:充值|提现|提币|转账)",
            # vi
            r"\b(?:tôi|mình|em)\s+(?:đã\s+|vừa\s+|mới\s+)?(?:nạp|rút|chuyển|gửi|nhận)",
            r"\b(?:lệnh\s+rút|lệnh\s+nạp)\s+(?:của\s+)?(?:tôi|mình|em)\b",
            # de
            r"\bich\s+(?:habe\s+|hab\s+)?(?:\w+\s+){0,3}(?:gesendet|geschickt|überwiesen|"
            r"eingezahlt|ausgezahlt|abgehoben|erhalten|bekommen)",
            r"\bich\s+(?:sende|schicke|überweise|zahle)\b",
            r"\b(?:mein|meine|meinen|meiner|meinem)\s+(?:\w+\s+)?(?:einzahlung|auszahlung|"
            r"überweisung)",
            # es, pt
            r"\b(?:envi[eé]|deposit[eé]|retir[eé]|transfer[ií]|mand[eé]|recib[ií])\b",
            r"\b(?:enviei|depositei|saquei|retirei|transferi|mandei|recebi)\b",
            r"\b(?:mi|mis)\s+(?:\w+\s+)?(?:dep[oó]sito|retiro|transferencia)",
            r"\b(?:meu|minha)\s+(?:\w+\s+)?(?:dep[oó]sito|saque|retirada|transfer[êe]ncia)",
            # ru
            r"\b(?:я\s+)?(?:отправил|перев[её]л|вывел|пополнил|получил|закинул)\w*",
            r"\b(?:мой|моя|моё|мое|моего|моей|мою|моим)\s+(?:\w+\s+)?(?:депозит|вывод|перевод)",
            # tr
            r"(?:gönderdim|yolladım|yatırdım|çektim|transfer\s+ettim|aldım)\b",
            # id
            r"\b(?:saya|aku|gue|gw)\s+(?:sudah\s+|udah\s+|baru\s+)?(?:kirim|transfer|deposit|"
            r"setor|tarik|withdraw|terima|mengirim|menarik|menerima)",
            # fr
            r"\bj'?(?:ai|e)\s+(?:\w+\s+)?(?:envoy[ée]|d[ée]pos[ée]|retir[ée]|transf[ée]r[ée]|re[çc]u)",
            r"\b(?:mon|ma|mes)\s+(?:\w+\s+)?(?:d[ée]p[ôo]t|retrait|virement|transfert|"
            r"transaction)",
            # ja
            r"(?:送金|入金|出金)(?:した|しました|したのに|したけど)|送った|送りました|受け取った",
            r"(?:私|僕|自分)の(?:入金|出金|送金)",
            # ko
            r"(?:제|내|저의|나의)\s*(?:입금|출금|송금)",
            r"(?:입금|출금|송금)했|보냈|받았",
        ]
    ),
    re.IGNORECASE,
)


def as_contract(text: str) -> bool:
    """Whether an address beside a token's name in ``text`` reads as the token's
    contract: named one, or at least not the user's own transfer ("I sent my ABC to
    0x…" is about their wallet, not about the token)."""
    return _CONTRACT.search(text) is not None or _OWN_TRANSFER.search(text) is None
