"""Look-alike links and fake handles that a message names to warn about them.

"xyz-support.com is not ours, don't click", "ignore @Fake_Admin, we never DM you",
"是不是官方网站？qorvex-help.com": moderators, users and news name the very domain or
handle that the link and handle rules call a phishing link or a fake account, and in a
group that verdict removes the warning. What sets a warning apart is not its words
about the scam (a scammer's message has those too) but what it says of the place it
names and what it asks the reader to do there:

- **denounced**: the sentence that names it (or the next one) calls it fake, phishing, a
  scam, not official, not ours, or tells the reader not to click, open, trust or answer
  it, to ignore or avoid it ("never DM", "别点", "クリックしないで", "tıklamayın");
- **promoted**: a verb that sends the reader there (visit, click, claim, verify, contact,
  write, join, send...) stands next to it and is not negated, or it is called the real,
  official or genuine one ("the REAL support is @x", "官方客服 @x");
- **asked about**: a question whether it is genuine or safe ("is qorvex-help.com legit?").

A message excuses its places only when every unofficial place it names is denounced or
asked about and none is promoted, and it asks nothing of the reader anywhere else: no
private chat offered ("DM me"), no secret asked for, no wallet address. "Beware of
fakes, the real support is @x" and "xyz.com is fake. Claim at xyz-bonus.com" keep
every finding. Denounced places get no finding (the message itself is the warning a
reply would repeat, and removing it would silence it); places asked about get a
warning, never a removal (the warning answers the question: that place is not ours).

Plain alternations on ``normalize.readable`` sentences, in the twelve UI languages,
also typed without accents (``Alternation.search_typed``).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from handlers.scam.addresses import addresses_in
from handlers.scam.alternation import Alternation
from handlers.scam.asks import asks_for_secret
from handlers.scam.claims import WRITE_ME
from handlers.scam.doubling import any_of
from handlers.scam.normalize import readable, refanged, unhidden, visible

# what a warning calls a place: fake, phishing, a scam, not official, not ours
DENOUNCE = any_of(
    # en (also the loanword "fake" of de, ru, tr, id, vi...)
    r"\bfakes?\b|\bfaked\b|\bphish\w*|\bscam\w*|\bfraud\w*|\bimp[oe]st[eo]rs?\b|\bimpersonat\w*",
    r"\bmalicious\b|\bspoof\w*|\bcounterfeit\b|\blook ?alikes?\b|\bcopycat|\bdrainers?\b",
    r"\bnot (?:\w+ ){0,2}(?:ours|us|official|legit\w*|real|genuine|affiliated|our)\b",
    r"\b(?:isn|aren|wasn|weren) t (?:\w+ ){0,2}(?:ours|us|official|legit\w*|real|genuine|our)\b",
    r"\bunofficial\b|\bnever (?:\w+ ){0,2}(?:dms?|messages?|asks?|contacts?|writes?)\b",
    # nobody at the brand will ask: "aucun membre de l'équipe ne vous demandera de payer"
    r"\b(?:no one|nobody|aucun\w*|personne ne|ningu[ée]m|nadie|niemand|никто|hi[çc]bir|kimse)\b"
    r"(?: \w+){0,6} (?:ask\w*|demand\w*|ped\w+|pid\w+|fragt|verlangt|попрос\w*|прос\w*|ister)",
    r"\b(?:gak|nggak|tidak|tak|ga) (?:pernah|akan) (?:minta|meminta)\b",
    r"\bkhông (?:ai|bao giờ) (?:\w+ ){0,3}(?:yêu cầu|đòi|hỏi|nhắn)",
    r"\bignore\b|\bbeware\b|\bstay away\b|\bwatch out\b",
    r"\b(?:don t|dont|do not|never) (?:\w+ ){0,1}(?:click|open|visit|trust|use|enter|connect|"
    r"reply|respond|answer|go|sign|interact)",
    # an account the platform or the moderators closed for it
    # (not "frozen", "gesperrt", "被封": a scam says them of the reader's own account)
    r"\bbanned\b|\bbani(?:d[oa]|e)\b|\bbanead[oa]\b|\bзабан\w*|\bdi-?ban\b|\bbị ban\b",
    # es / pt
    r"\bfals[oa]s?\b|\bestaf\w*|\bfraude\b|\bsuplant\w*|\bgolpe\w*|\bgolpist\w*|\bmalicios\w*|\benga[ñn]\w*",
    r"\bno (?:es|son) (?:\w+ ){0,2}(?:nuestr[oa]s?|oficial\w*|real\w*|leg[ií]tim\w*)",
    r"\bn[ãa]o (?:é|e|s[ãa]o) (?:\w+ ){0,2}(?:noss[oa]s?|oficia\w*|real|reais|leg[ií]tim\w*)",
    r"\bno (?:hagas|hagan|des|den|entres|entren|abras|abran|uses|usen|visites|respondas)\b",
    r"\bn[ãa]o (?:clique\w*|cliquem|entre\w*|acesse\w*|abra\w*|use\w*|responda\w*)\b",
    r"\bignor[ae]\w*|\bcuidado\b|\bojo\b|\baten[çc][ãa]o\b",
    r"\b(?:nunca|jam[áa]s) (?:\w+ ){0,2}(?:escrib\w+|pid\w+|ped\w+|contact\w+|mand\w+|cham\w+)",
    # fr
    r"\bfau(?:x|sses?)\b|\barnaque\w*|\bescroc\w*|\bhame[çc]onnage\b|\busurp\w*",
    r"\bmalveillant\w*|\bn est pas (?:\w+ ){0,2}(?:le n[ôo]tre|officiel\w*|[àa] nous|notre)",
    r"\bne (?:cliquez|cliquer|visitez|ouvrez|r[ée]pondez|faites) (?:\w+ ){0,1}(?:pas|jamais)",
    r"\bignorez\b|\bm[ée]fiez\b|\bjamais (?:\w+ ){0,1}(?:contact|[ée]cri|demand)",
    # de
    r"\bgef[äa]lscht\w*|\bbetr(?:[üu]|ue)g\w*|\binoffiziell\w*|\bnicht (?:\w+ ){0,1}(?:unser\w*|"
    r"offiziell\w*|echt)\b|\bnicht (?:klicken|anklicken|[öo]ffnen|antworten)",
    r"\b(?:klickt|klicken sie|[öo]ffnet) (?:\w+ ){0,1}nicht\b|\bignorier\w*|\bvorsicht\b",
    r"\b(?:nie|niemals) (?:\w+ ){0,2}(?:schreib|frag|kontaktier)\w*",
    # ru
    r"\bфейк\w*|\bподдел\w*|\bфальшив\w*|\bмошен\w*|\bразвод\w*|\bскам\w*|\bфишинг\w*",
    r"\bне (?:\w+ ){0,1}(?:наш\w*|официальн\w*|настоящ\w*)|\bнеофициальн\w*",
    r"\bне (?:переходите|нажимайте|кликайте|открывайте|отвечайте|верьте)\b|\bигнорируйте\b",
    r"\bостерегайтесь\b|\bникогда не (?:\w+ ){0,1}(?:пиш|прос)\w*",
    # tr
    r"\bsahte\w*|\bdolandır\w*|\boltalama\b|\bresm[iî] (?:\w+ )?değil|\bbizim (?:\w+ )?değil",
    r"\b(?:tıklamayın|tıklama|açmayın|girmeyin|güvenmeyin|yanıt vermeyin|cevap vermeyin)\b",
    r"\bgörmezden gelin\b|\bsakın\b|\basla (?:\w+ ){0,1}(?:yaz|iste|mesaj|dm)\w*",
    # id
    r"\bpalsu\b|\bpenipu\w*|\bnipu\w*|\btipu\w*|\bbukan (?:\w+ ){0,1}(?:resmi|kami|asli|milik)",
    r"\btidak resmi\b|\bjangan (?:\w+ ){0,1}(?:klik|buka|kunjungi|percaya|balas|masuk|respon)",
    r"\babaikan\b|\bwaspada\b|\bawas\b|\btidak (?:pernah|akan) (?:\w+ ){0,1}(?:minta|meminta|dm|"
    r"menghubungi|chat)",
    # vi
    r"\bgiả mạo\b|\blừa đảo\b|\bmạo danh\b|\bkhông phải (?:là )?(?:\w+ ){0,2}(?:chính thức|"
    r"của chúng tôi|thật)|\bkhông chính thức\b",
    r"\bđừng (?:\w+ ){0,1}(?:bấm|nhấp|click|vào|mở|tin|trả lời)|\bbỏ qua\b|\bcảnh giác\b",
    r"\b(?:không|ko) bao giờ (?:\w+ ){0,1}(?:nhắn|yêu cầu|hỏi|liên hệ|inbox)",
    r"\b(?:link|trang|web|tài khoản|acc|nick) giả\b",
    # zh (simplified and traditional)
    r"假(?:的|冒|网站|網站|链接|連結|账号|帳號|客服|管理)|冒充|仿冒|钓鱼|釣魚|诈骗|詐騙|骗子|騙子|骗局",
    r"不是(?:我们|我們|官方|真的)|非官方|(?:别|別|不要|勿|切勿)(?:点|點|信|打开|打開|进|進|回复|回覆|理)",
    r"无视|無視|忽略|谨防|謹防|(?:从不|從不|不会|不會|绝不|絕不)(?:主动)?(?:私信|私聊|要求|索要)",
    # ja
    r"偽(?:物|サイト|アカウント|の|装)|なりすまし|フィッシング|詐欺|非公式|公式(?:では|じゃ)(?:ない|ありません)",
    r"(?:クリック|アクセス|開か|返信)しないで|(?:開か|押さ)ないで|無視して",
    r"(?:DM|連絡|メッセージ)(?:を)?(?:送る|する)?ことは(?:ありません|ない)",
    # ko
    r"가짜|사칭|피싱|사기|비공식|공식(?: 계정| 사이트)?(?:이|가) 아닙|공식(?: 계정)?(?:이|가) 아니",
    r"(?:클릭|접속|연결|응답|답장)하지 ?마|누르지 ?마|열지 ?마|무시하세요",
    r"(?:절대|먼저) (?:\w+ )?(?:DM|연락|메시지)(?:을|를)? ?(?:하지|보내지) 않",
)

# a verb that sends the reader to a place
ACTION = any_of(
    r"\b(?:visit|go to|head (?:over )?to|click|tap|open|log ?in|sign ?in|sign up|register|"
    r"verify|validate|confirm|claim|connect|sync|secure|restore|recover|unlock|migrate|join|"
    r"contact|reach out|dm|message|write to|text|follow|check out|use|enter|submit|send|"
    r"deposit|transfer|download|install|update|upgrade|activate|reactivate)\b",
    r"\b(?:atualiz[ae]|actualiz[ae]|mettez [àa] jour|aktualisier\w*|обновите|güncelleyin|perbarui|"
    r"cập nhật|activa|ative|activez|aktiviere|активируйте|aktifkan|kích hoạt)\b",
    r"更新|激活|アップデートして|更新して|업데이트하세요|활성화하세요",
    r"\b(?:visita|visite|entra|entre|accede|acesse|haz clic|clique|reclama|resgate|verifica|"
    r"verifique|conecta|conecte|contacta|contate|escribe|escreva|[úu]nete|participe|env[íi]a|"
    r"envie|usa|use|registr[ae]te|cadastre)\b",
    r"\b(?:visitez|cliquez|connectez|r[ée]clamez|v[ée]rifiez|contactez|[ée]crivez|rejoignez|"
    r"envoyez|utilisez|inscrivez)\b",
    r"\b(?:besuche|besucht|klicke|klickt|verbinde|verbindet|hol dir|holt euch|verifiziere|"
    r"kontaktiere|schreibe|schreibt an|tritt|sende|nutze|nutzt|melde dich an|registriere)\b",
    r"\b(?:перейдите|переходите|зайдите|нажмите|подключите|заберите|получите|подтвердите|"
    r"напишите|пишите|свяжитесь|вступайте|отправьте|используйте|регистрируйтесь)\b",
    r"\b(?:tıklayın|tıkla|girin|ziyaret edin|bağlayın|doğrulayın|katılın|yazın|iletişime geçin|"
    r"gönderin|kullanın|talep edin|kaydolun)\b",
    r"\b(?:kunjungi|klik|buka|masuk ke|hubungkan|klaim|verifikasi|hubungi|chat|gabung|kirim|"
    r"gunakan|daftar)\b",
    r"\b(?:truy cập|bấm|nhấp|vào link|đăng nhập|kết nối|liên hệ|nhắn tin|xác minh|tham gia|"
    r"gửi|sử dụng|đăng ký)\b",
    r"点击|點擊|访问|訪問|登录|登錄|连接|連接|联系|聯繫|私信|进入|進入|领取|領取|验证|驗證|加入|发送|發送|使用|注册",
    r"クリックして|アクセスして|接続して|ログインして|登録して|連絡して|受け取って|参加して|送って",
    r"클릭하세요|접속하세요|연결하세요|방문하세요|문의하세요|연락하세요|로그인하세요|인증하세요|참여하세요",
)

# what a place is called when it is the one to trust
AUTHENTIC = any_of(
    r"\b(?:real|official|genuine|legit\w*|authentic|verified|correct|true)\b",
    r"\b(?:oficial\w*|verdader[oa]s?|verdadeir[oa]s?|aut[eéê]ntic[oa]s?|correct[oa]|corret[oa])\b",
    r"\b(?:officiel\w*|vrai\w*|authentique)\b|\b(?:offiziell\w*|echt\w*)\b",
    r"\b(?:официальн\w*|настоящ\w*|подлинн\w*)|\b(?:resmi|resmî|gerçek|orijinal|asli)\b",
    r"\b(?:chính thức|chính chủ)\b",
    r"官方|真正|正版|正规|正規|公式|本物|공식|진짜|정식",
)

# a question whether a place is genuine or safe
DOUBT = any_of(
    r"\b(?:real|official|genuine|legit\w*|safe|trust\w*|scam\w*|fake|phishing)\b",
    r"\b(?:oficial|real|leg[ií]tim[oa]|segur[oa]|confi[aá]vel|confiable|estafa|golpe|falso)\b",
    r"\b(?:officiel|vrai|s[ûu]r|fiable|arnaque)\b|\b(?:echt|offiziell|sicher|seri[öo]s|betrug)\b",
    r"\b(?:официальн\w*|настоящ\w*|безопасн\w*|развод|мошен\w*)",
    r"\b(?:resmi|gerçek|güvenli|güvenilir|asli|aman|penipuan)\b",
    r"\b(?:chính thức|thật|an toàn|lừa đảo)\b",
    r"官方|真的|安全|靠谱|骗|公式|本物|安全|詐欺|공식|진짜|안전|사기",
)

# a negation or a pretence before a word: "don't click", "not the official", "别点",
# "pretends to be official"
_NEG_BEFORE = re.compile(
    r"\b(?:not|no|never|don t|dont|do not|doesn t|does not|isn t|aren t|won t|avoid|stop|"
    r"pretend\w*|posing|poses|claim\w* to be|impersonat\w*|nunca|jam[áa]s|n[ãa]o|nem|ne|pas|"
    r"nicht|nie|niemals|kein\w*|не|никогда|jangan|tidak|bukan|đừng|không|ko|asla)\b"
    r"|[别別不勿莫没沒非]|假装|冒充|자칭",
    re.IGNORECASE,
)
# the same after it: "official? no", "resmi değil", "公式ではない", "공식이 아닙니다",
# "the real support never DMs"
_NEG_AFTER = re.compile(
    r"^\W*(?:\w+ ){0,2}?(?:not|never|isn t|aren t|doesn t|won t|pas|jamais|nicht|nie|değil\w*|"
    r"не|никогда|bukan|không)\b|^.{0,10}?(?:ではな|じゃな|아니|아닙|아님|않|不会|不會|从不|從不)",
    re.IGNORECASE,
)
_PLACE = re.compile(r"zqplace\d+zq")
_OWN = "zqownzq"  # an official or well-known place: not the reader sent elsewhere
_SENTENCE = re.compile(r"[^.!?;。！？…\n]+[.!?;。！？…\n]*")
_QUESTION = re.compile(r"[?？]")


@dataclass(frozen=True, slots=True)
class Warned:
    """What a message says of the unofficial places it names (links by host, handles
    with their "@"): those it warns against, and those it asks about."""

    denounced: frozenset[str] = frozenset()
    asked: frozenset[str] = frozenset()


NOTHING = Warned()


def warned(
    text: str,
    *,
    places: Collection[str],
    own: Collection[str] = (),
    pointing_elsewhere: bool = False,
) -> Warned:
    """Which of ``places`` (the unofficial hosts and handles written in ``text``, as
    they are written) the message denounces or asks about; :data:`NOTHING` when it
    promotes any of them, names one without judging it, or points elsewhere
    (``pointing_elsewhere``: a private chat offered, a secret asked for, a wallet
    address). ``own``: the official and well-known places it names, masked so that
    their dots do not end a sentence."""
    if not places or pointing_elsewhere:
        return NOTHING
    masked, names = _mask(text, list(places), list(own))
    sentences = [s.group() for s in _SENTENCE.finditer(masked)]
    read = [readable(s) for s in sentences]
    denounced: set[str] = set()
    asked: set[str] = set()
    for i, (sentence, words) in enumerate(zip(sentences, read, strict=True)):
        here = {names[m.group()] for m in _PLACE.finditer(words)}
        if not here:
            continue
        if (
            _QUESTION.search(sentence)
            and DOUBT.search_typed(words)
            and not _near_word(ACTION, words)
        ):
            asked |= here  # "is it the real one?" vouches for nothing
        elif _promotes(words):
            return NOTHING
        elif DENOUNCE.search_typed(words) or (
            i + 1 < len(read) and not _PLACE.search(read[i + 1]) and _denounces(read[i + 1])
        ):
            denounced |= here
        else:
            return NOTHING  # an unofficial place named and not judged: it may be the point
    return Warned(frozenset(denounced - asked), frozenset(asked))


def _denounces(words: str) -> bool:
    return DENOUNCE.search_typed(words) is not None and not _promotes(words)


def _mask(text: str, places: list[str], own: list[str]) -> tuple[str, dict[str, str]]:
    """``text`` with each place a word of its own (longest first, so that a host inside
    a longer one is not split), and which place each word stands for."""
    names: dict[str, str] = {}
    items = sorted({*places, *own}, key=len, reverse=True)
    spots = [(p, f"zqplace{i}zq" if p in places else _OWN) for i, p in enumerate(items)]
    for place, word in spots:
        names[word] = place
    pattern = re.compile("|".join(re.escape(p) for p, _ in spots), re.IGNORECASE)
    lookup = {p.casefold(): w for p, w in spots}
    masked = pattern.sub(lambda m: f" {lookup[m.group().casefold()]} ", text)
    # what is left of a link after its host ("/claim?id=1") is not a sentence's end
    masked = re.sub(r"(zq(?:place\d+|own)zq)/\S*", r"\1", masked)
    return masked, names


def _promotes(words: str) -> bool:
    """A verb that sends the reader to an unofficial place beside it, or that place
    called the real one, neither negated."""
    return _near_word(ACTION, words) or _near_word(AUTHENTIC, words)


def _near_word(vocabulary: Alternation, words: str) -> bool:
    """A word of ``vocabulary``, not negated, beside an unofficial place."""
    places = [m.span() for m in _PLACE.finditer(words)]
    for match in vocabulary.finditer(words):
        if negated(words, match.start(), match.end()):
            continue
        if _OWN in " ".join(words[match.end() :].split()[:5]):
            continue  # "the official domains are only velquora.com": ours, not that one
        if any(_near(words, match.span(), span, before=6, after=4) for span in places):
            return True
    return False


def negated(words: str, start: int, end: int) -> bool:
    """Whether the word at ``start:end`` of ``words`` (readable text) is negated or
    pretended: "don't click", "not the official", "别点", "公式ではない"."""
    before = " ".join(words[:start].split()[-4:])
    cjk = words[max(0, start - 3) : start]
    return (
        _NEG_BEFORE.search(before) is not None
        or re.search(r"[别別不勿莫没沒非]|假装|冒充", cjk) is not None
        or _NEG_AFTER.search(words[end : end + 30]) is not None
    )


def _near(
    words: str, word: tuple[int, int], place: tuple[int, int], *, before: int, after: int
) -> bool:
    """Whether ``place`` follows ``word`` within ``before`` words (the verb before its
    object) or precedes it within ``after`` ("@x is the official one"), with no other
    place between (an official one in between is the one the verb sends to)."""
    if place[0] >= word[1]:
        gap = words[word[1] : place[0]]
        limit = before
    else:
        gap = words[place[1] : word[0]]
        limit = after
    if "zq" in gap or (place[1] <= word[0] and DENOUNCE.search_typed(gap)):
        return False  # another place between; "x.com is phishing, the official one…"
    # ideographs stand close without spaces: a short gap counts as near
    return len(gap.split()) <= limit and len(gap) <= 12 * limit


def excused(
    text: str, shown: str, *, places: list[str], own: list[str], flagged: Collection[str]
) -> Warned:
    """:func:`warned` for a message (``text`` as written, ``shown`` as the link rules
    read it), narrowed to the ``flagged`` places (look-alike, block-listed, imitating):
    any other place a message names stays a place it sends its reader to ("I lost 40k
    on a fake exchange and @chain_trace_expert got it back" still points to the helper)."""
    if not places or not flagged:
        return NOTHING
    read = readable(text)
    # a private chat offered ("DM me"), not one received ("got it in a DM") or denied
    offers = any(not negated(read, m.start(), m.end()) for m in WRITE_ME.finditer(read))
    elsewhere = offers or asks_for_secret(read) is not None or bool(addresses_in(unhidden(text)))
    found = warned(shown, places=places, own=own, pointing_elsewhere=elsewhere)
    return Warned(found.denounced & set(flagged), found.asked & set(flagged))


def unnamed(text: str, places: Collection[str]) -> str:
    """``text`` with the places it denounces said in words ("that site"), so that the
    rules and the model after the link rules read a warning that points nowhere."""
    # as written when every place is there (case kept), else as the link rules read it
    found = all(place in text.casefold() for place in places)
    said = text if found else refanged(visible(text[:100_000]))
    for place in sorted(places, key=len, reverse=True):
        stand_in = "that account" if place.startswith("@") else "that site"
        said = re.sub(re.escape(place), stand_in, said, flags=re.IGNORECASE)
    return said
