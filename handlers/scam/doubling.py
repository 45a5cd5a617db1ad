"""Giveaway doubling in any language: "send 0.1 ETH, get 0.2 ETH back".

Words alone say little ("send" and "receive" are in every deposit question); what
gives doubling away is a send word, a receive word, and a later amount of the same
coin at least 1.5 times an earlier one. Runs on ``normalize.unspaced`` text, where
"s e n d 0.1 E T H" already reads "send 0.1 eth" and decimal commas are kept.

Without amounts, a doubling word ("double your", "el doble", "2배") next to a word for
paying is one too (``handlers.scam.phrases``), except where "double" promises nothing:
"double-check the address", two-factor sign-in, "charged twice", a duplicate
transaction, a fee that doubled, "2x leverage". Those are ordinary questions, and a
strong fee scam deletes the message in a group and times its sender out.
"""

from __future__ import annotations

import re

from handlers.scam.alternation import Alternation


def any_of(*words: str, bare_min: int = 4) -> Alternation:
    """One case-blind alternation of word patterns (shared with handlers.scam.phrases),
    with the quick test of ``alternation`` in front (``bare_min``: see ``Alternation``)."""
    return Alternation(words, bare_min=bare_min)


# beside two amounts even "gui" (gửi) and "al" are the send and receive words
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
    r"\bschick",
    r"überweis",
    r"\benv[ií]",
    r"envoy",
    r"\benvoi",
    r"отправ",
    r"переве",
    r"gönder",
    r"\bkirim",
    "送",
    "보내",
    "보냈",
    r"\bmand[ae]",
    bare_min=1,
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
    r"re[çc]oi",
    r"\bretour",
    r"receb",
    r"получ",
    r"верн",
    r"geri",
    r"alın",
    r"\bal\b",
    r"dapat",
    r"\bdapet",
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
    bare_min=1,
)
# words that say "double" or "twice", with or without an amount ("send 1, get 2 back")
DOUBLING = any_of(
    r"send\s+\d[\d.,]*\s*\w*.{0,40}?(?:get|receive|return)\w*\s+\d",
    r"double your",
    # "r e c e i v e d o u b l e": spaced letters run the two words together
    r"(?:receiv\w{0,2}|\bget|\bback)(?:doubl|twice)",
    r"\b2x\b",
    r"\bx2\b",
    "翻倍",
    "双倍",
    "gấp đôi",
    r"verdoppel",
    r"duplic",
    r"удво",
    r"\bвдвое\b|\bв два раза\b|\bвдвойне\b",
    r"\b(?:2|iki) kat[ıi]",
    r"\bkatla",
    r"dobr",
    r"\bdoubl",
    r"\bdobel",
    r"\bdoble\b",
    r"lipat ganda",
    "倍返し",
    "2倍",
    "두 배",
    r"2\s?배",
)
# fees, in the 12 languages, for "the fee doubled"
_FEE = (
    r"(?:fees?|gas|commissions?|spread|comisi[oó]n(?:es)?|tarifas?|taxas?|gebühr\w*|"
    r"frais|комисси\w*|ücret\w*|komisyon\w*|biaya|phí)"
)
# the same words where nothing comes back twice: checking twice, signing in with two
# factors, a payment charged twice or shown twice, a fee that doubled, leverage. Each is
# held to the words right beside "double", so "pay the fee and we return double" stays
# a doubling promise.
NOT_DOUBLING = any_of(
    # double-check, double-click, double authentication, double-charged, double spend
    r"\bdoubl\w*[\s-]*(?:check|click|tap|confirm|verif|auth|factor|charg|spend|deduct|entr|"
    r"sign|login|log-in)",
    r"\b(?:charg|taken|took|deduct|debit)\w*\s+(?:me\s+|us\s+)?(?:a\s+)?(?:double|twice|2x|x2)\b",
    r"\bduplicat\w*|\bduplicad[oa]s?\b|\bdupliqu[ée]e?s?\b",
    r"\bdoble\s+(?:verificaci|autenticaci|factor|cobro|cargo|clic|comprobaci)",
    r"\b(?:cobr|carg|descont|debit)\w*\s+(?:\w+\s+)?(?:el\s+|en\s+|em\s+|o\s+)?(?:doble|dobro)\b",
    r"\bdobro\s+(?:da|de|do)\s+(?:taxa|tarifa|comiss)",
    r"\bdupla\s+(?:verifica|autentica|cobran)",
    r"\bdouble\s+(?:authentification|vérification|facteur|clic|prélèvement|débit)",
    r"\bdobel\s+(?:potong|debet|terpotong|tagih|kirim)",
    # a fee that doubled
    _FEE + r"\s+(?:(?:has|have|had|is|are|was|just|suddenly|almost|nearly|now|did|got|went|"
    r"been)\s+){0,3}doubl(?:ed|es|e|ing)\b",
    _FEE + r"\s+(?:(?:se|ha|han|hat|haben|sich|ist|sind|ont|a|presque|plötzlich|fast|"
    r"quase|casi|de\s+repente|tiba-tiba|đã|đột\s+nhiên|admin|gas|network|transaksi|"
    r"penarikan|giao\s+dịch|rút|(?:de|des|du|für)\s+\w+)\s+){0,3}"
    r"(?:duplic(?:ó|aron|ou|aram|ado|ada)|dobr(?:ou|aram)|verdoppelt|doublés?|"
    r"удвоил\w*|(?:iki\s+katına\s+çıktı|ikiye\s+katland\w*|katland\w*)|"
    r"(?:naik\s+)?(?:ber)?lipat\s+ganda|tăng\s+gấp\s+đôi)",
    r"(?:手续费|费用|矿工费|gas费|费率)(?:怎么|为什么|突然|竟然|居然|直接|都)?"
    r"(?:翻倍了|翻了一倍|翻了倍|涨了一倍|贵了一倍)",
    r"手数料(?:が|は)?(?:急に|突然)?(?:2倍|倍)に(?:なっ|なり|上が)",
    r"(?:수수료|가스비)(?:가|는|이)?\s*(?:갑자기\s*)?(?:2\s?배|두\s?배)(?:로)?\s*(?:올랐|늘었|됐|되었|인상)",
    # leverage: "2x long", "x3 margin", "leverage 2x", "2倍杠杆", "2배 레버리지"
    r"(?:\b\d+(?:[.,]\d+)?\s?x|\bx\s?\d+)\s*(?:leverage|lev\b|margin|long|short|hebel|apalanc"
    r"|alavanc|levier|плеч|kaldıraç|đòn\s*bẩy)",
    r"(?:leverage|hebel|apalancamiento|alavancagem|levier|плечо|kaldıraç|đòn\s*bẩy)\s*"
    r"(?:\w+\s+)?(?:\d+\s?x|x\s?\d+)",
    r"\d+倍(?:杠杆|レバレッジ)|(?:杠杆|レバレッジ)\s*\d+倍|\d+\s?배\s*레버리지|레버리지\s*\d+\s?배",
)
_COINS = "btc|eth|usdt|usdc|bnb|sol|trx|ton|xrp|doge|ltc|matic|ada|avax|shib|pepe"
_AMOUNT = re.compile(
    r"(\d+(?:[.,]\d+)?)\s*(?:个|枚|개)?\s*"
    # the coin's name ends where Latin letters do: "0.5 ETH를", "1 ETH返还" are amounts too
    rf"({_COINS})(?![a-z0-9])",
    re.IGNORECASE,
)

# an amount of a named coin, for the rules that ask whether a text names one
COIN_AMOUNT = _AMOUNT

# a number right after a receive word, of no other coin ("返0.2个", "get 0.2 back")
_BARE_AMOUNT = re.compile(
    r"\w{0,6}?\s{0,2}(\d+(?:[.,]\d+)?)(?!\s*(?:%|[.,]?\d|[a-z]*(?:usd|eur)|" + _COINS + "))"
)


def doubled_amount(unspaced_text: str) -> str | None:
    """The "send X, get 2X back" span of ``normalize.unspaced`` text, or ``None``."""
    text = unspaced_text[:2000]
    if SEND_WORDS.search_typed(text) is None or RECEIVE_WORDS.search_typed(text) is None:
        return None
    amounts = [
        (float(m.group(1).replace(",", ".")), m.group(2).lower(), m) for m in _AMOUNT.finditer(text)
    ]
    for i, (first, coin, at) in enumerate(amounts):
        for later, other, there in amounts[i + 1 : i + 3]:
            near = there.start() - at.end() < 80
            if other == coin and first > 0 and later >= 1.5 * first and near:
                return text[at.start() : there.end()]
        # "转0.1个ETH返0.2个": the amount after a receive word names no coin again
        after = text[at.end() : at.end() + 80]
        back = RECEIVE_WORDS.search_typed(after)
        bare = _BARE_AMOUNT.match(after, back.end()) if back is not None else None
        if bare is not None and first > 0 and float(bare.group(1).replace(",", ".")) >= 1.5 * first:
            return text[at.start() : at.end() + bare.end()]
    return None


def doubling_words(readable_text: str) -> re.Match[str] | None:
    """A doubling word in ``normalize.readable`` text, after the uses of "double" that
    promise nothing ("double-check", "charged twice", "2x leverage") are set aside."""
    return DOUBLING.search_typed(NOT_DOUBLING.sub(" ", readable_text))
