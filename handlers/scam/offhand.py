"""A scam's words said offhand: laughed off, or told as an "if" to warn the others.

"lmao someone just DMed me 'send 1 ETH get 2 back'. sure buddy", "jajaja me llegó 'paga
100 usdt'. ni tengo saldo 😂", "Petite blague du jour : 'envoyez 1 BTC, recevez 2 BTC'"
quote a pitch to mock it; "If you already paid a 'recovery agent', stop sending more",
"如果有人让你“连接钱包领取空投”再签名授权，那就是盗币", "Se alguém te oferecer recuperar
cripto roubada cobrando antes, é golpe de novo" describe one as a hypothesis to warn.
Neither is how a scam speaks, whichever writer or language: a pitch asserts and never
laughs at itself, a victim who lost money does not joke about it, and nobody frames
their own demand as "if someone asks you…". The caller (``bystander``) has checked that
the message points nowhere, holds no wallet address and does not block the reader's
account; these add that nothing was paid, no private chat or helper is offered, and the
hypothesis is called a scam or told not to be followed.
"""

from __future__ import annotations

import re

from handlers.scam.claims import PRIVATE, WRITE_ME
from handlers.scam.doubling import COIN_AMOUNT, any_of, doubling_words
from handlers.scam.gone import HELPER, already_sent
from handlers.scam.narrated import SPEAKER
from handlers.scam.normalize import readable, unspaced
from handlers.scam.phrases import find_phrases
from handlers.scam.pitches import earning_pitch
from handlers.scam.recovery import recovery_offer
from handlers.scam.warned import DENOUNCE, negated

# a hypothesis: "if you…", "if someone…", "如果有人…"
CONDITIONAL = any_of(
    r"\bif (?:you|u|someone|somebody|anyone|they|a)\b|\bsi (?:vous|tu|usted|ya|alguien|te|on)\b",
    r"\bsi quelqu un\b|\bse (?:voc[eê]|j[aá]|algu[ée]m|te)\b",
    r"\b(?:wenn|falls) (?:du|sie|ihr|jemand|man)\b",
    r"\bfalls\b|\b(?:nếu|jika|kalau|eğer|если)\b",
    "如果|もし|만약",
)

# a short span in quotation marks, its opening mark not inside a word ("l'ordre")
QUOTED = re.compile(r"(?<![A-Za-zÀ-ÿ])[\"'‘“«「『„]([^\"'‘’“”«»「」『』„\n]{2,40})[\"'’”»」』“]")
# laughter and mockery, as typed in the twelve languages (and emoji anywhere)
LAUGHS = any_of(
    r"\b(?:lol|lmao|lmfao|rofl|haha\w*|hehe\w*|jaja\w*|jeje\w*|kkkk\w*|rsrs\w*|kwkw\w*|wkwk\w*)\b",
    r"\b(?:mdr|ptdr|xd|ahah\w*|ахах\w*|хаха\w*|хех\w*|sure buddy|nice try|as if)\b",
    r"\b(?:joke|blague|witz|chiste|piada|şaka|lelucon|шутк\w*|đùa)\b",
    "哈哈|呵呵|笑死|(?<![ぁ-ん])w{3,}|ｗｗ|草|ㅋㅋ|ㅎㅎ|😂|🤣|😆|😹|🙄",
)
# told not to follow it: a negated imperative or "stop"
NOT_TO = any_of(
    r"\b(?:stop (?:sending|paying)|don t pay|do not pay|never pay|be careful)\b",
    r"\b(?:n[ãa]o (?:paga|pague|envie|mande)|no (?:pagues|pague|env[ií]es)|ne payez|nichts mehr)\b",
    r"\b(?:не платите|не отправляйте|ödemeyin|jangan bayar|đừng (?:trả|chuyển|gửi))\b",
    "不要再|别再|不要付|別付|払わないで|보내지 마|내지 마",
)


def laughs_off(readable_text: str, text: str) -> bool:
    """The sender laughs at what they quote or tell (``text`` as written, for emoji and
    quotation marks), lost nothing to it, offers no private chat or helper, and says
    no scam's words outside the quotation ("just got 2 ETH back after sending 1 lol it
    works 🔥" is a shill's testimonial, "yo made 40k with the signal vip lol" a pitch: the
    laugher's own words name no amount of a coin)."""
    if LAUGHS.search_typed(readable_text) is None and LAUGHS.search(text[:20_000]) is None:
        return False
    outside = QUOTED.sub(" ", text[:20_000])
    words = readable(outside)
    if find_phrases(words, has_link=False, asking=False, unspaced_text=unspaced(outside)):
        return False
    if earning_pitch(words) is not None or doubling_words(words) is not None:
        return False
    if COIN_AMOUNT.search(unspaced(outside)) is not None:  # "just got 2 ETH back … lol"
        return False
    return _quiet(readable_text)


def warns_if(readable_text: str) -> bool:
    """A hypothesis told to warn: "if someone …", and it is called a scam (not negated)
    or the reader is told not to follow it."""
    if CONDITIONAL.search_typed(readable_text) is None:
        return False
    said = list(DENOUNCE.finditer(readable_text))
    calls = any(not negated(readable_text, m.start(), m.end()) for m in said)
    if not (calls or NOT_TO.search_typed(readable_text) is not None):
        return False
    # ("if you already paid…" is the hypothesis; a victim speaks as "I"; "contact
    # support in the app" is advice, "contact this hacker" an offer)
    if SPEAKER.search_typed(readable_text) is not None:
        return False
    if recovery_offer(readable_text, pointing=False) is not None:
        return False
    found = PRIVATE.finditer(readable_text)
    return all(negated(readable_text, m.start(), m.end()) for m in found)


def _quiet(readable_text: str) -> bool:
    """Nothing paid, no private chat offered ("lol DM me"; "someone DMed me" offers
    none), no helper named."""
    if already_sent(readable_text) or HELPER.search(readable_text) is not None:
        return False
    found = WRITE_ME.finditer(readable_text)
    return all(negated(readable_text, m.start(), m.end()) for m in found)
