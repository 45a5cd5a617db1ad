"""A scam told about in the third person: how it works, what happened to somebody else.

"All he needed was an upfront 'network fee' of $2,000. Mark almost sent it", "they asked
for a 'network fee' to run their 'recovery algorithm'", "他们会先给你看假余额，再要求交税"
carry a fee scam's or a drainer's words without calling it a scam, so the phrase rules
and the semantic layer read them as the scam itself. What any writer's explanation or
news shares, whatever its words, is who speaks and to whom: somebody else acts (he, she,
they, the victim, the scammers), the sender is not in it (no first person singular: a
victim, a reporter or a helper speaks as "I"), nobody speaks for an organisation ("we
will double", "我们", "kami": a pitch speaks as "we"), nothing was stolen (a theft is
somebody's loss to look at now), no secret is asked for, and nothing is asked of the
reader (no imperative or obligation to pay, send, share, connect, write or click that
is not negated: "never pay an up-front fee" is advice, "pay the fee to withdraw" the
scam; an English sentence that opens with such a verb is one).
The caller adds the rest: the message points nowhere (no unofficial link, handle or
address of its own) and nobody contacted the sender. Plain alternations on
``normalize.readable`` text, in the twelve UI languages, also typed without accents.
"""

from __future__ import annotations

import re

from handlers.scam.asks import asks_for_secret
from handlers.scam.doubling import any_of
from handlers.scam.normalize import readable
from handlers.scam.warned import negated

# the sender in the text: a victim, a reporter, a helper offering ("I lost", "they
# tried me", "我帮你", "私が取り戻します"); news, explanations and advice speak of others
SPEAKER = any_of(
    r"\b(?:i|me|my|mine|i m|i ve|i d|myself)\b",
    r"\b(?:yo|mi|mis|me|eu|meu|minha|meus|minhas|comigo|conmigo)\b",
    r"\b(?:je|j|moi|mon|ma|mes)\b|\b(?:ich|mich|mir|mein\w*)\b",
    r"\b(?:я|меня|мне|мой|моя|мои|моё|мое)\b|\b(?:ben|bana|beni|benim)\b",
    r"\b(?:saya|aku|gue|gw|ku)\b|\b(?:tôi|mình|em|tao|tui)\b",
    r"我(?![们們])|私(?:は|が|の|に|を|も)|僕|俺|わたし|저는|제가|나는|내가|저한테|나한테|제 ",
)
# somebody else does it: third person pronouns and the parts a scam story has
OTHERS = any_of(
    r"\b(?:he|she|they|them|his|their|him|victims?|scammers?|fraudsters?|criminals?)\b",
    r"\b(?:attackers?|the (?:platform|site|app|scammer|victim|fake \w+))\b",
    "他们|她们|他|她|受害者|骗子|诈骗者|诈骗分子",
    "彼ら|彼女|彼は|被害者|詐欺師|犯人",
    "그들|그녀|그는|피해자|사기꾼",
    r"\b(?:anh ấy|cô ấy|nạn nhân|kẻ lừa đảo)\b",
    r"\b(?:mereka|korban|penipu)\b",
    r"\b(?:onlar|onları|onun|kurban\w*|dolandırıcılar)\b",
    r"\b(?:он|она|они|его|её|их|им|жертв\w*|мошенник\w*)\b",
    r"\b(?:ellos|ellas|ella|víctimas?|estafadores)\b",
    r"\b(?:ele|ela|eles|elas|vítimas?|golpistas)\b",
    r"\b(?:il|elle|ils|elles|victimes?|escrocs|arnaqueurs)\b",
    r"\b(?:er|ihm|ihn|opfer|betrüger)\b",
)

# somebody speaks for an organisation: a pitch or a fake notice ("we double", "我们")
WE = any_of(
    r"\b(?:we|our|us|we re|we ll|we ve)\b",
    "我们|我們|弊社|当社|私たち|저희|우리",
    r"\b(?:chúng tôi|kami|biz|bizim|мы|наш\w*|nosotros|nuestr[oa]s?|nós|nosso|nossa)\b",
    r"\b(?:nous|notre|nos|wir|unser\w*)\b",
)

# a theft told is somebody's loss to look at now ("the hacker stole the wallet's coins")
TAKEN = any_of(
    r"\b(?:stole|stolen|drained|hacked|emptied)\b",
    "盗まれ|被盗|盗走|도난|털렸|украл|похитил|robaron|roubaram|volé|gestohlen|çalındı|dicuri",
)

# a story is told in sentences: a list of words (a seed phrase) has no function words
TOLD = any_of(
    r"\b(?:the|a|an|is|are|was|were|had|has|to|of|and)\b",
    r"\b(?:der|die|das|ist|war|hat|el|la|los|las|es|fue|o|os|as|é|foi|le|les|est|une?)\b",
    r"\b(?:yang|itu|adalah|bir|ve|bu|và|là|của|и|в|на|что)\b",
    r"[\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]",
)

# something asked of the reader: an imperative or an obligation to act
# an English sentence that opens with a verb is an imperative ("Pay the fee. Then...")
OPENS = any_of(
    r"^(?:please |just |now |then |simply )?(?:pay|send|transfer|deposit|share|connect|click|"
    r"claim|verify|dm|write|contact|join|visit|enter|submit|register|sign|scan|download|"
    r"install|tap|reply|message|validate|sync|import|confirm|activate|upgrade|get|paste|"
    r"resync|give|tell)\b",
)
_SENTENCE = re.compile(r"[.!?;:\n。！？；：]+")
ASKED = any_of(
    r"\b(?:you (?:must|need to|have to|should)|must be paid|is required|are required)\b",
    "请|須|需要|必须|必須|务必|立即|马上|ください|必要があります|하세요|주세요|해야|바랍니다",
    r"\b(?:hãy|vui lòng|phải|cần)\b|\b(?:silakan|harap|segera|wajib|harus|mohon)\b",
    r"\b(?:lütfen|gerekiyor|gerekmektedir|zorunda|gönderin|ödeyin|yatırın|tıklayın)\b",
    r"\b\w+(?:ите|йте)\b|\b(?:нужно|необходимо|должны)\b",
    r"\b(?:nạp|chuyển|gửi|đóng|thanh toán|bấm|nhấn|liên hệ|kết nối|xác minh)\b",
    "充值|转账|汇款|支付|缴纳|付款|交纳|点击|联系|连接",
    r"\b(?:envíe|envía|pague|paga|deposite|deposita|debe|debes|necesita|tienes que|haz)\b",
    r"\b(?:envie|pague|deposite|precisa|deve|tem que|clique|faça)\b",
    r"\b(?:envoyez|payez|versez|cliquez|devez|il faut|écrivez)\b",
    r"\b(?:senden sie|zahlen sie|überweisen sie|klicken sie|müssen|bitte)\b",
)


def narrates(readable_text: str, text: str) -> bool:
    """Whether the text tells of a scam in the third person and asks nothing of its
    reader (``text``: as written, for where its sentences begin); the caller has checked
    that it points nowhere and that nobody worked on the sender (``bystander``)."""
    if OTHERS.search_typed(readable_text) is None or TOLD.search(readable_text) is None:
        return False
    if SPEAKER.search_typed(readable_text) is not None:
        return False
    if WE.search_typed(readable_text) is not None or TAKEN.search(readable_text) is not None:
        return False
    if asks_for_secret(readable_text) is not None:  # "need ur 12 words to resync"
        return False
    for sentence in _SENTENCE.split(text[:20_000]):
        opening = readable(sentence).strip()
        if opening and OPENS.search(opening) is not None:
            return False
    asked = list(ASKED.finditer(readable_text))
    if any(not negated(readable_text, m.start(), m.end()) for m in asked):
        return False
    typed = ASKED.search_typed(readable_text)
    return typed is None or bool(asked)
