"""A victim who paid somebody the exchange would never have them pay.

"I already sent 400 usdt to the 'verification' address the agent gave me", "Pagué la
'comisión de liberación' y el soporte de WhatsApp ya no responde", "j'ai envoyé 0.4 eth
au soi-disant admin", "텔레그램 관리자라는 사람한테 수수료 보냈는데": each writer names the
pretext in its own words, but what every such message shares is its shape: the sender
says they already paid or sent (``gone.ALREADY_SENT``, also typed without accents), and
the one they paid is not the exchange. A victim marks that in four ways whatever the
language: the scammer's word in quotation marks beside the person paid (the victim's
doubt: the 'verification' address the agent gave, 「ノード同期手数料」), a word that doubts
the counterpart (so-called, soi-disant, suposto, 자칭, 所谓, якобы), a chat app the
exchange does not answer on (WhatsApp, Telegram, Zalo, KakaoTalk), or what the one paid
did next, which an exchange never does (blocked the sender, vanished). "If you already
sent money to a fake agent…" is advice, a friend's loss is not the sender's, and "I was
scammed too, this hacker got it back, WhatsApp him" is a recovery offer (each left to
other rules).
"""

from __future__ import annotations

from handlers.scam.bystander import SOMEONE_ELSE
from handlers.scam.doubling import any_of
from handlers.scam.gone import ALREADY_SENT, HELPER, SUPPORT, scammed
from handlers.scam.narrated import OTHERS
from handlers.scam.offhand import CONDITIONAL, QUOTED

# the user's own places at the exchange, the labels a user quotes from its screens
OWN_PLACE = any_of(
    r"\b(?:spot|funding|earn|futures|margin|account|wallet|konto|compte|portefeuille|cuenta)\b",
    r"\b(?:billetera|conta|carteira|akun|dompet|hesap\w*|cüzdan\w*|tài khoản|ví)\b",
    "账户|帐户|钱包|現物|口座|ウォレット|계정|지갑|сч[её]т|кошел[её]к",
)
DOUBTED = any_of(
    r"\b(?:so called|supposed|soi disant|pr[ée]tendu\w*|sogenannt\w*|angeblich\w*)\b",
    r"\b(?:supuest[oa]s?|pretendid[oa]|supost[oa]s?|sözde|sahte)\b",
    r"\b(?:якобы|так называем\w*|mengaku|ngaku|giả danh|mạo danh|tự xưng)\b",
    "自称|所谓|所謂|いわゆる|名乗る|名乗っ|자칭|소위|라는 사람",
)
# what the one paid did next: blocked the sender or vanished (an exchange does neither)
GONE_QUIET = any_of(
    r"\b(?:blocked me|block(?:ed)? (?:minh|toi|em)|chặn (?:mình|tôi|em)|vanished|disappeared)\b",
    r"\b(?:me bloque\w*|m a bloqu\w*|hat mich (?:\w+ )?blockiert|beni engelle\w*)\b",
    r"\b(?:заблокировал\w* меня|исчез\w*|memblokir (?:aku|saya)|(?:aku|saya) diblokir)\b",
    r"\b(?:biến mất|menghilang|desapareci\w*|sumiu|a disparu|verschwunden|kayboldu)\b",
    "拉黑了我|把我拉黑|消失了|ブロックされ|連絡が取れなく|차단당|잠수",
)
CHAT_APP = any_of(
    r"\b(?:whatsapp|zalo|telegram|wechat|kakao\w*|signal|line|wa|zap|tg)\b",
    "微信|电报|カカオ|카톡|카카오톡|텔레그램|ライン|вотсап|телеграм",
)


def paid_a_stranger(readable_text: str, text: str) -> str | None:
    """The words that say the sender paid somebody unofficial, or ``None``; ``text`` is
    the message as written (its quotation marks)."""
    sent = ALREADY_SENT.search_typed(readable_text)
    if sent is None or CONDITIONAL.search_typed(readable_text) is not None:
        return None
    if HELPER.search(readable_text) is not None:  # "…got it back thanks to this hacker"
        return None
    # (a quotation alone may be a screen's label: "I sent it to 'Funding'", never counted;
    # beside the person paid it is the victim's doubt of what they were told)
    marked = next(
        (m for m in QUOTED.finditer(text[:20_000]) if OWN_PLACE.search_typed(m.group(1)) is None),
        None,
    )
    person = SUPPORT.search_typed(readable_text) or OTHERS.search_typed(readable_text)
    if marked is not None and person is not None:
        return marked.group(0)
    for words in (DOUBTED, GONE_QUIET, CHAT_APP):
        found = words.search_typed(readable_text)
        if found is not None:
            return found.group(0)
    return None


def a_victim(readable_text: str, text: str, *, pointing: bool) -> bool:
    """The sender's own money or seed is gone: "I was scammed" pointing nowhere (a helper
    named or a place to go makes it a recovery offer), or a stranger paid; never a
    friend's loss (``bystander.SOMEONE_ELSE``)."""
    if SOMEONE_ELSE.search(readable_text) is not None:
        return False
    said = not pointing and scammed(readable_text)
    return said or paid_a_stranger(readable_text, text) is not None
