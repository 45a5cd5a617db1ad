"""Somebody else's demand, told by the user who asks whether it is genuine.

"Someone says I must pay a fee to open my withdrawal, is that true?", "누가 수수료 먼저
내라는데 이거 진짜인가요?", "có người đòi 12 từ khôi phục, có phải nhân viên không?": a
stranger (or somebody who wrote to the user), a demand (a secret, a payment the user
must make) or a claim to be staff, and the question whether it is genuine. The user is
being worked on now and gets the report's warning (``scam_report``). A question about
what a fee is ("someone said the fee is 1 USDT, is that right?") makes no demand; a
question whether something seen in public is genuine, with nobody working on the user,
is a bystander's (``bystander``). Plain alternations on ``normalize.readable`` text,
in the twelve UI languages, also as typed without accents.
"""

from __future__ import annotations

from handlers.scam.asks import MY_SECRET, NEGATED, NEGATION_REACH
from handlers.scam.doubling import any_of
from handlers.scam.gone import FEE_PAID

SOMEONE = any_of(
    r"\b(?:someone|somebody|some guy|a guy|a person|a stranger)\b",
    "有人",
    "誰か",
    "누가",
    "누군가",
    r"어떤 (?:사람|분)",
    r"\bcó (?:người|ai)\b",
    r"\bai đó\b",
    r"\bjemand\b",
    r"\balguien\b",
    r"\balgu[ée]m\b",
    r"\bquelqu un\b",
    r"\bкто-?то\b",
    r"\bbiris[iı]\b|\bbiri\b",
    r"\bseseorang\b",
    r"\bada (?:orang|yg|yang)\b",
)
MUST_PAY = any_of(
    r"\b(?:i|me) (?:have|need|must|got) (?:to )?(?:first )?(?:pay|send|deposit|transfer)",
    r"\b(?:i|me) must (?:first )?(?:pay|send|deposit)",
    r"\bpay (?:a |the )?(?:\w+ )?(?:fee|tax|deposit) (?:first|before)",
    r"(?:要我|让我|叫我)(?:先)?(?:交|付|转|充|缴)|先(?:交|付|缴)",
    r"(?:払えと|払うように|支払うように|振り込むように|先に.{0,8}(?:払|振り込))",
    r"(?:내라|보내라|입금하라|송금하라)(?:는데|고|네|더)|먼저 (?:내|입금|송금)",
    r"\bphải (?:trả|nộp|đóng|chuyển|gửi)|\bnộp (?:\w+ ){0,3}phí",
    r"\b(?:muss|soll) (?:ich )?(?:\w+ ){0,3}(?:zahlen|bezahlen|überweisen|senden)",
    r"\b(?:tengo|debo) que (?:pagar|enviar|depositar)|\bque (?:pague|envíe|deposite)\b",
    r"\b(?:tenho|preciso) (?:que |de )?(?:pagar|enviar|depositar)|\bque eu (?:pague|envie)",
    r"\b(?:je dois|il faut) (?:d abord )?(?:payer|envoyer|verser)|\bque je (?:paie|paye|envoie)",
    r"\b(?:надо|нужно|должен|должна) (?:\w+ )?(?:заплатить|оплатить|внести|отправить|перевести)",
    r"\b(?:ödemem|ödemeniz|göndermem|yatırmam)\w* (?:gerek|lazım)",
    r"\b(?:harus|wajib|suruh|disuruh|nyuruh) (?:\w+ ){0,4}(?:bayar|transfer|tf|kirim|setor)",
)
GENUINE = any_of(
    r"\bis (?:it|this|that|he|she|they) (?:\w+ )?(?:real|legit|true|genuine|official|a scam|scam)",
    r"\b(?:real|legit|legal|true|genuine|official) or (?:not|fake|scam)",
    r"\b(?:is|are) (?:the|this|that|these|those) .{1,60}? (?:a scam|scams|legit|real|fake|"
    r"phishing)\b",
    r"真的吗|是(?:不是)?官方.{0,6}[吗么]|是不是(?:真的|官方|骗)|靠谱吗",
    r"本当(?:です|でしょう)?か|本物(?:です)?か|公式(?:です)?か|詐欺(?:です)?か",
    r"진짜(?:인가요|예요|에요|야|일까요|인지)|사실인가요|공식(?:인가요|이에요)|사기(?:인가요|예요|인지)",
    r"\bcó (?:phải|thật) .{0,40}(?:không|ko|k)\b|\b(?:thật|chính thức|lừa đảo) (?:không|ko|k)\b",
    r"\b(?:ist|sind) (?:das|der|die|er|sie) (?:\w+ )?(?:echt|real|offiziell|betrug|seriös)",
    r"\b(?:es|son|será) (?:real|verdad|oficial|legal|leg[ií]timo|estafa)",
    r"\b(?:é|isso é|será) (?:real|verdade|oficial|golpe|leg[ií]timo)",
    r"\bc est (?:vrai|r[ée]el|officiel|une arnaque|l[ée]gitime)",
    r"\b(?:это )?(?:правда|реально|официально|развод)\b",
    r"\b(?:doğru|gerçek|resmi|dolandırıcı|güvenilir)\w* (?:mu|mı|mi|mü)\b",
    r"\b(?:benar|beneran|asli|resmi|penipuan|scam) (?:ga|gak|nggak|tidak|kah|ya)\b|\bapakah"
    r" (?:ini )?(?:benar|asli|resmi)",
)


# asked for, wanted, demanded: the stranger's side of a request for a secret
DEMANDS = any_of(
    r"\b(?:asks?|asked|asking|wants?|wanted|demand\w*|request\w*|needs?)\b",
    r"要我|找我要|问我要|跟我要|索要|让我|叫我",
    r"教えて|送って|求め|聞かれ",
    r"달라|알려 ?달|요구|보내 ?달",
    r"\b(?:đòi|xin|yêu cầu|hỏi)\b",
    r"\b(?:will|wollte|verlangt\w*|fragt\w* nach|möchte)\b",
    r"\b(?:pide|pidi[óo]|pidiendo|solicit\w+|pede|pediu|pedindo)\b",
    r"\b(?:demande|demand[ée]|r[ée]clame)\b",
    r"\b(?:просит|просил\w*|требует|требовал\w*|хочет|хотел\w*)\b",
    r"\b(?:istiyor|istedi|talep)\w*",
    r"\b(?:minta|meminta|nanya|menanyakan)\b",
)
_SEED_WORDS = any_of(
    r"từ khôi phục",
    r"\b(?:12|24) từ\b",
    r"\b(?:12|24) (?:words|wörter|mots|palabras|palavras|слов|kelime|kata)\b",
)


# the stranger wrote to, called or asked the user: the user is the one being worked on
CONTACTED_ME = any_of(
    r"\b(?:dm(?:ed|d)?|messaged|texted|wrote|writes|called|contacted|emailed|asked|asks|told|"
    r"tells|added|invited|telling|asking) (?:me|us)\b",
    r"\bin (?:my|the) (?:dms?|inbox|pms?)\b|\bi (?:got|received|get) (?:a |an )?(?:dm|message|"
    r"call|email|text|pm)\b",
    r"私信我|私聊我|联系我|加我|找我|给我发|问我|让我|叫我|要我|跟我说|对我说|说我",
    r"(?:dm|メッセージ|連絡)(?:が来|を受け|され|き)|言われ|頼まれ|と言って",
    r"(?:dm|디엠|메시지|연락|문자|쪽지)(?:이|가|을|를|로)? ?(?:왔|받았|보냈)|"
    r"달라고|하라고|라는데|래요|라고 하",
    r"nhắn (?:tin )?(?:cho )?(?:tôi|mình|em)|(?:tôi|mình|em) nhận được|gọi (?:cho )?(?:tôi|mình|"
    r"em)|"
    r"bảo (?:tôi|mình|em)|\bđòi\b|nhắn tin",
    r"\b(?:schreibt|schrieb) mir|\bhat mich (?:\w+ )?(?:angeschrieben|kontaktiert|angerufen)|"
    r"\bmir (?:\w+ )?(?:geschrieben|geschickt)|\bwill (?:mein|dass ich)",
    r"\bme (?:escribi|escribe|mand|envi|contact|llam|pidi|pide|dij|dice)\w*",
    r"\bme (?:escreve|mand|envi|contat|lig|pedi|pede|diss|diz|chamou)\w*|\bno (?:meu )?privado|"
    r"\bno pv\b|\bme pedindo\b",
    r"\bm a (?:[ée]crit|contact[ée]|envoy[ée]|appel[ée]|demand[ée]|dit)|\b(?:on )?me demande",
    r"\b(?:написал|писал|пишет|позвонил|прислал|попросил|просит|предложил)\w* мне|\bмне "
    r"(?:\w+ )?(?:написал|пишет|позвонил|прислал|предложил)|\bв личк|\bв лс\b",
    r"\bbana (?:\w+ )?(?:yazdı|yazıyor|dm|mesaj|ulaştı|söyledi|dedi)|\bbenden|\bsöylüyor",
    r"\b(?:dm|chat|hubungi|nge-?dm|japri|wa|telpon)\w* (?:aku|saya|gue|gw)\b|\b(?:aku|saya|gue|gw) "
    r"(?:di-?dm|dichat|dihubungi|ditelpon)|\bminta (?:aku|saya|gue|gw)\b",
)


# ... or says they are the brand's staff: "someone DMed me saying they are support"
CLAIMED_STAFF = any_of(
    r"\b(?:saying|says|said|claiming|claims|claimed|pretending|posing as|calls? (?:himself|herself|"
    r"themselves))\b(?: to be| they are| he is| she is| he s| they re| it s| as)?(?: from)?(?:"
    r" the)?"
    r"(?: \w+)? (?:support|admin|staff|official|team|moderator|agent)",
    r"说是(?:官方)?(?:的)?(?:客服|管理员|工作人员|官方|技术支持)|自称|冒充",
    r"(?:サポート|管理者|公式|運営|スタッフ)を名乗る|を名乗って",
    r"(?:고객센터|관리자|직원|공식|운영자)(?:이)?라는|사칭",
    r"tự xưng|xưng là|nói là (?:hỗ trợ|nhân viên|admin|quản trị)",
    r"\b(?:als|angeblich) (?:\w+ )?(?:support|admin|mitarbeiter)",
    r"\b(?:dice|diciendo|dijo|dicen) (?:que )?(?:es|ser|son) (?:del |de )?(?:soporte|admin|equipo)|"
    r"\bse hace pasar",
    r"\b(?:disse|dizendo|diz) (?:que )?(?:é|ser) (?:do |da )?(?:suporte|admin|equipe)|\bse"
    r" passando",
    r"\bse faisant passer|\b(?:dit|disant) (?:être|qu il est) (?:du |de )?(?:support|admin|l"
    r" [ée]quipe)",
    r"\bпредстав\w* (?:\w+ )?(?:поддержк|админ|сотрудник)|\b(?:назвал|выда[её]т)\w* себя|\bякобы",
    r"\b(?:destek|yönetici|admin|yetkili)\w* olduğunu|\bkendini .{0,20}tanıt",
    r"\b(?:destek|yönetici|admin|yetkili|moderatör)\w*(?:yım|yim|ım|im) "
    r"(?:deyip|diyerek|diye|dedi)",
    r"\b(?:ngaku|mengaku|mengatasnamakan)\b",
)


def reported_demand(readable_text: str) -> str | None:
    """A user's account of a stranger's demand for a secret or a payment, asked about
    whether it is genuine (for evidence), or ``None``."""
    someone = SOMEONE.search_typed(readable_text) or CONTACTED_ME.search_typed(readable_text)
    if someone is None or GENUINE.search_typed(readable_text) is None:
        return None
    demand = MUST_PAY.search_typed(readable_text) or CLAIMED_STAFF.search_typed(readable_text)
    if demand is None and DEMANDS.search_typed(readable_text) is not None:
        demand = (
            MY_SECRET.search_typed(readable_text)
            or _SEED_WORDS.search_typed(readable_text)
            or FEE_PAID.search_typed(readable_text)
        )
    if demand is None:
        return None
    before = readable_text[max(0, demand.start() - NEGATION_REACH) : demand.start()]
    return None if NEGATED.search(before) else someone.group()
