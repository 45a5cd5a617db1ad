"""A user telling about a scam that is over for them: reported, blocked, or asking how.

"I reported a fake admin, he was asking people for their seed", "blocked + reported",
"my friend lost money to a doubling scam, how do I report it?" carry every word of the
scam they describe, and the phrase rules and the semantic layer read those words as
the scam itself or as a victim's report that needs help now. What sets them apart is
what the user says they did or want to do about it: report it, block the sender. A user
whose own money is already gone ("I paid the fee and reported them") still needs the
urgent ticket, so these words never hide the user's payment (``gone.already_sent``; a
friend's loss is not one), and they never hide what rules see in the text itself (a
look-alike link, a fake handle, an address).

Plain alternations on ``normalize.readable`` text (lowercase, apostrophes and symbols
read as spaces), in the twelve UI languages: the user's own past act ("I reported",
"пожаловался", "已经举报", "신고했어요") or a question how to report.
"""

from __future__ import annotations

from handlers.scam.asks import asks_for_secret
from handlers.scam.claims import PRIVATE
from handlers.scam.demands import CLAIMED_STAFF, CONTACTED_ME, DEMANDS, GENUINE, MUST_PAY
from handlers.scam.doubling import any_of
from handlers.scam.gone import already_sent, paid_to_release, scammed
from handlers.scam.narrated import SPEAKER, narrates
from handlers.scam.normalize import readable
from handlers.scam.offhand import QUOTED, laughs_off, warns_if
from handlers.scam.questions import credited_reward, own_question
from handlers.scam.warned import DENOUNCE, negated

HANDLED = any_of(
    # en
    r"\b(?:i|we) (?:have |ve |just |already |also )*(?:reported|flagged|blocked)\b",
    r"\b(?:already|just) (?:reported|blocked)\b",
    r"\bblock(?:ed)? +(?:and +|n +|& +)?reported\b",
    r"\breported +(?:and +|n +|& +)?blocked\b",
    r"\b(?:reported|blocked) (?:him|her|them|it|the (?:account|profile|post|message|scammer))\b",
    r"\bignored (?:it|him|her|them) (?:and|n|&) (?:blocked|reported)\b",
    r"\bhow (?:do|can|should|would) (?:i|we|you|one) report\b",
    r"\b(?:where|who) (?:do|can|should) (?:i|we) report\b",
    r"\bhow to report\b",
    # zh
    "已举报",
    "举报了",
    "已经举报",
    "已拉黑",
    "拉黑了",
    r"(?:怎么|如何|怎样|去哪里?|在哪里?)举报",
    # ja
    r"通報(?:しました|した|済み|しておきました)",
    r"ブロック(?:しました|した)",
    r"(?:どうやって|どこで|どこに|どう)通報",
    r"通報(?:の仕方|方法|するには)",
    # ko
    r"신고 ?했",
    r"신고 ?완료",
    r"차단 ?했",
    r"(?:어떻게|어디에|어디서) 신고",
    r"신고(?:하려면|하는 ?법|하는 ?방법|방법)",
    # vi
    r"\bđã (?:báo cáo|report|chặn|tố cáo)",
    r"\b(?:tôi|mình|em) (?:vừa |cũng )?(?:báo cáo|report|chặn|tố cáo)",
    r"(?:báo cáo|tố cáo|report) (?:ở đâu|thế nào|như thế nào|sao)",
    r"(?:làm sao|làm thế nào|cách) (?:để )?(?:báo cáo|tố cáo|report)",
    # de
    r"\b(?:habe|hab|haben) (?:\w+ ){0,3}(?:gemeldet|blockiert)\b",
    r"\bgemeldet und blockiert\b",
    r"\bblockiert und gemeldet\b",
    r"\bwie (?:kann|soll|muss) (?:ich|man) (?:\w+ ){0,3}melden\b",
    r"\bwo (?:kann )?(?:ich|man) (?:\w+ ){0,3}melde",
    # es
    r"\b(?:lo |la |los |las |ya )?(?:denunci[eé]|report[eé]|bloque[eé])\b",
    r"\bc[oó]mo (?:se |lo |la )?(?:denuncia|reporta|denuncio|reporto|denunciar|reportar)",
    r"\bd[oó]nde (?:se )?(?:denuncia|reporta|denuncio|reporto)",
    # pt
    r"\b(?:denunciei|reportei|bloqueei)\b",
    r"\bcomo (?:eu |a gente )?(?:denuncio|reporto|denunciar|reportar|denuncia)\b",
    r"\bonde (?:eu )?(?:denuncio|reporto|denunciar|reportar)\b",
    # fr
    r"\b(?:j ai|je l ai|je les ai|on a|nous avons) (?:d[ée]j[àa] )?(?:signal[ée]|bloqu[ée])",
    r"\bsignal[ée] et bloqu[ée]|\bbloqu[ée] et signal[ée]",
    r"\bcomment (?:on |je |le |la |les )?(?:signale|signaler|le signaler|la signaler)\b",
    r"\bo[uù] (?:on |je )?(?:le |la |les )?(?:signale|signaler)\b",
    r"\b(?:le |la |les |je le |on le )?signale[rz]? o[uù]\b",
    # ru
    r"\bпожаловал(?:ся|ась|ись)\b",
    r"\b(?:зарепортил|зарепортила|отправил жалобу|отправила жалобу|кинул репорт)",
    r"\bзаблокировал(?:а|и)? (?:его|её|ее|их)\b",
    r"\bкак (?:на (?:него|них|это) )?(?:пожаловаться|сообщить о|зарепортить)",
    r"\bкуда (?:пожаловаться|жаловаться|сообщить)",
    # tr
    r"\b(?:şikayet ettim|bildirdim|engelledim|rapor ettim|raporladım)\b",
    r"\bnasıl (?:şikayet|bildir|rapor)",
    r"\bnereye (?:şikayet|bildir|rapor)",
    # id
    r"\b(?:sudah|udah|sdh) (?:saya |aku |gue |gw )?(?:lapor|laporkan|report|blokir)",
    r"\b(?:saya|aku|gue|gw) (?:sudah |udah )?(?:laporkan|lapor|blokir)\b",
    r"\b(?:cara|gimana|bagaimana) (?:cara )?(?:melapor|lapor|report|laporkan)",
)

# somebody else's money: "my friend lost 2 ETH to it, how do I report it?" is the
# user's question about another's loss, not a payment the user can still be helped with
SOMEONE_ELSE = any_of(
    r"\b(?:my|a|our) (?:friend|buddy|brother|sister|mom|mum|dad|cousin|colleague|uncle)",
    "朋友",
    "同事",
    "家人",
    "友達",
    "友人",
    "친구",
    "지인",
    r"\bbạn (?:tôi|mình|em)\b",
    r"người quen",
    r"\b(?:freund|freundin|kumpel|bekannte)",
    r"\b(?:amig[oa]|herman[oa]|conocid[oa]|irmã|irmão|colega)\b",
    r"\b(?:pote|ami|amie|copain|copine|coll[èe]gue|fr[èe]re|s(?:oe|œ)ur)\b",
    r"\b(?:друг|подруг|знаком|брат|сестр)",
    r"\barkadaş",
    r"\b(?:teman|kawan|saudara)\b",
)


# a user warning the others: it names the thing a scam, or tells them not to do it
WARNS = any_of(
    r"\b(?:it s|its|that s|thats|this is|these are|is|are|was|were) (?:a |an |all |just |"
    r"totally |definitely |obviously |clearly )?(?:scam|scams|scammer|scammers|phishing|fake|"
    r"impostors?|imposters?|fraud)\b",
    r"\bdon t (?:send|click|share|pay|give|connect)\b",
    r"\b(?:never|doesn t|does not|won t|will not) (?:ever )?(?:asks?|dms?|message|write)\b",
    r"\breport (?:him|her|them|it)\b",
    r"\breported (?:\w+ )?to\b",
    r"\bbeware\b",
    r"\bpsa\b",
    r"\bes (?:una )?estafa\b|\bson (?:estafadores|falsos)\b",
    r"\bno (?:envíes|mandes|compartas|pagues|envíen|manden)\b|\bnunca (?:pide|pedirá|escribe)",
    r"\bé (?:um )?golpe\b|\bsão golpistas\b|\bnão (?:envie|mande|compartilhe|pague)\b",
    r"\bnunca (?:pede|pedirá)",
    r"\bc est une arnaque\b|\bsont des arnaqueurs\b|\bn envoyez (?:rien|pas)\b",
    r"\bne (?:partagez|payez|cliquez|donnez) (?:jamais|pas|rien)\b|\bne (?:vous )?demande jamais",
    r"\bist (?:ein |das )?betrug\b|\bsind betrüger\b|\bschickt? (?:nichts|kein)",
    r"\b(?:fragt|schreibt) (?:euch |dich )?(?:nie|niemals)\b",
    r"\bэто (?:развод|мошенник|мошенники|скам|фейк|лохотрон)\b",
    r"\bне (?:отправляйте|переводите|сообщайте|давайте|кидайте)\b|\bникогда не (?:просит|пишет)",
    r"\bdolandırıcı(?:lık|dır|lıktır)?\b|\bgöndermeyin\b|\basla (?:istemez|yazmaz)\b",
    r"\bitu (?:penipuan|scam|penipu)\b|\bjangan (?:kirim|transfer|kasih|bagikan|klik)\b",
    r"\btidak (?:pernah|akan) (?:meminta|minta)\b",
    r"\blà lừa đảo\b|\bđừng (?:gửi|chuyển|chia sẻ|bấm)\b|\bkhông bao giờ (?:yêu cầu|hỏi|nhắn)",
    "是骗子|是诈骗|别(?:转|给|发|点)|不要(?:转账|给|发送|点击)|从不(?:会)?(?:要求|私信)|绝不会",
    "詐欺です|詐欺だ|送らないで|絶対に.{0,6}(?:聞きません|求めません)",
    "사기(?:입니다|예요|에요|다)|보내지 마|절대.{0,6}(?:요구하지|묻지) 않",
)

# the reader's own account or money: "we have blocked your account", "nous avons bloqué
# votre compte" is the scammer's threat, not a user who blocked someone
YOURS = any_of(
    r"\byour (?:account|wallet|funds|withdrawal|assets|balance|profile|deposit)",
    r"\b(?:votre|ton|ta|vos) (?:compte|portefeuille|retrait|solde|fonds)",
    r"\b(?:ihr|dein)(?:e|en)? (?:konto|wallet|guthaben|auszahlung)",
    r"\b(?:su|tu) (?:cuenta|billetera|retiro|saldo)",
    r"\b(?:sua|tua|seu|teu) (?:conta|carteira|saque|saldo)",
    r"\b(?:ваш|тво)\w* (?:аккаунт|сч[её]т|кошел|вывод|баланс)",
    r"\b(?:hesabınız|cüzdanınız|bakiyeniz|hesabını|hesabın)\b",
    r"\b(?:akun|dompet|saldo) (?:anda|kamu)\b|\bakunmu\b",
    r"tài khoản (?:của )?(?:bạn|quý khách)",
    r"(?:您|你)的(?:账户|账号|帐户|钱包|资金|提现)",
    r"(?:あなた|お客様)の(?:アカウント|口座|ウォレット)",
    r"(?:귀하|회원님|고객님)의? ?(?:계정|지갑|계좌)",
)


def bystander(
    readable_text: str,
    *,
    pointing: bool = False,
    asking: bool = False,
    paying: bool = False,
    text: str = "",
) -> bool:
    """The user reported the scam (or asks how to) and lost nothing to it (or somebody
    else did): what the message describes is not happening to its sender now, so it
    gets no phrase or model finding; so does a warning to the others ("it's a scam,
    don't send anything") that points nowhere (``pointing``: no link, handle or
    e-mail address of its own), and a question whether something the user saw is
    genuine ("is the 'send 1 get 2' thing on youtube a scam?") when nobody wrote to
    the user or asked them for anything, how to look after their own account
    (``questions.own_question``), or that a reward reached their exchange wallet by
    itself (``questions.credited_reward``), and a scam told about in the third person that
    asks nothing of the reader (``narrated.narrates``; ``text``: as written, for where its
    sentences begin), laughed off or told as an "if" to warn (``offhand``). Words that
    block the reader's own account ("we have blocked your account") are the scam
    speaking, never a bystander."""
    if YOURS.search_typed(readable_text) is not None:
        # unless only the quotation laughed at says it ("me llegó 'tu cuenta será
        # congelada, paga 100 usdt' 😂")
        outside = readable(QUOTED.sub(" ", text[:20_000])) if text else readable_text
        if pointing or paying or asking or YOURS.search_typed(outside) is not None:
            return False
        return laughs_off(readable_text, text)
    warns = not asking and _warns(readable_text, pointing)  # "is it a scam?" asks for help
    # (a question beside a wallet address, ``paying``, may be the pitch asking itself:
    # "is it real? yes! send 0.1 ETH to 0x… and get 0.2 back")
    wonders = not pointing and not paying
    wonders = wonders and (
        (asking and _wonders(readable_text))
        or own_question(readable_text)
        or credited_reward(readable_text)
    )
    quiet = not (pointing or paying or asking)
    # "if you already paid a 'recovery agent', stop sending more": paid only in the "if"
    hypothesis = quiet and warns_if(readable_text)
    tells = quiet and (tells_about(readable_text, text) or laughs_off(readable_text, text))
    if HANDLED.search_typed(readable_text) is None and not (warns or wonders or tells):
        return hypothesis
    others = SOMEONE_ELSE.search(readable_text) is not None
    return not already_sent(readable_text) or others or hypothesis


def _warns(readable_text: str, pointing: bool) -> bool:
    """A warning to the others that points nowhere of its own (``pointing``: a link,
    a handle or an e-mail address in the message; nor a request to write in private:
    "beware of scammers, DM me" is the scam)."""
    if pointing or WARNS.search_typed(readable_text) is None:
        return False
    return PRIVATE.search_typed(readable_text) is None


def _wonders(readable_text: str) -> bool:
    """A question whether something is real or a scam, about what the user saw, not
    about a stranger working on them: nobody wrote to them, asked them for a secret or
    a payment, claimed to be staff, or asked to talk in private ("someone DMed me as
    support, is it real?" is a report, warned)."""
    if GENUINE.search_typed(readable_text) is None:
        return False
    working = (CONTACTED_ME, DEMANDS, MUST_PAY, PRIVATE, CLAIMED_STAFF)
    return all(words.search_typed(readable_text) is None for words in working)


# getting stolen money back: the pitch of a recovery scam, whoever is said to do it
RECOVER = any_of(
    r"\b(?:recover\w*|get (?:it|them|your \w+|\w+ money) back|got (?:it|them|\w+) back)\b",
    r"\bretriev\w*",
    r"\b(?:recuper\w*|r[ée]cup[ée]r\w*|zur[üu]ck(?:holen|bekommen|geholt|zuholen))\b",
    r"\b(?:вернуть|верну|вернём|вернем|возврат\w*)\b|\bgeri (?:al\w*|getir\w*|almak)",
    r"\b(?:bisa (?:balik|kembali)|pemulihan|dikembalikan)\b|\blấy lại\b|\bthu hồi\b",
    r"追回|找回|取り戻|回収|회수|복구|되찾",
)


def tells_about(readable_text: str, text: str = "") -> bool:
    """Words about a scam that call it one, from somebody it is not working on: news
    ("fraudsters stole $1.2M with a fake app"), how a scam works ("they show you a fake
    balance, then demand a tax"), advice ("never pay an up-front fee to recover funds").
    What every writer's such text shares: it names the scam a scam, fake or phishing
    (``warned.DENOUNCE``, not negated: "this is not a scam" is a pitch), points nowhere
    (the caller's ``pointing``, ``paying``), and nobody contacted the sender, was offered
    a private chat, was asked for a secret, or lost anything (a victim is helped). Text
    that calls it nothing is read for who speaks and to whom instead (``narrates``:
    others act, the reader is asked nothing; ``text`` as written)."""
    said = [m for m in DENOUNCE.finditer(readable_text)]
    typed = DENOUNCE.search_typed(readable_text)  # also as typed without accents
    said += [typed] if typed is not None and not said else []
    calls = not all(negated(readable_text, m.start(), m.end()) for m in said)
    if not calls and not (text and narrates(readable_text, text)):
        return False
    if any(words.search_typed(readable_text) is not None for words in (SPEAKER, RECOVER)):
        return False
    # a contact or a private chat, not one warned against ("не пишите никому в ЛС")
    for words in (CONTACTED_ME, PRIVATE):
        found = words.finditer(readable_text)
        if any(not negated(readable_text, m.start(), m.end()) for m in found):
            return False
    if asks_for_secret(readable_text) is not None or already_sent(readable_text):
        return False
    return not (scammed(readable_text) or paid_to_release(readable_text))
