"""Someone in the chat who says they are the brand: its new account, or its staff.

Impersonators in a group announce themselves: "Official Brand account: our old account
was suspended, follow us here", "本号为新官方账号，旧号已停用", "I'm the official admin
here, DM me only, the other admins are fake". The brand's real accounts and staff
speak through the official handles (``handles.without_official`` takes those out before
the rules read a message) and never move users to a private chat, so a message that
claims a new official account, or claims to be staff and asks to be written to in
private, is an impersonation whatever brand it names. Questions about a new account
("is this the new official account?") are left to the other detectors: the user is
asking, not claiming. A question does not excuse a claim to be staff with a request to
write in private: "withdrawal stuck? DM me, I am technical support" asks the reader,
and a user quoting it to ask whether it is real is reporting it (warned either way).

Plain alternations on ``normalize.readable`` text, in the twelve UI languages.
"""

from __future__ import annotations

import re

from handlers.scam.doubling import any_of
from handlers.scam.normalize import readable

OFFICIAL = any_of(
    r"\bofficial",
    r"\bofficiel",
    r"\boffiziell",
    r"\boficia",
    r"\bофициальн",
    r"\bresmi\b",
    r"chính thức",
    "官方",
    "公式",
    "공식",
)
# a new account of the brand, or its old one gone
NEW_ACCOUNT = any_of(
    r"\b(?:new|backup|second) (?:official )?(?:account|page|profile|channel|handle)\b",
    r"\b(?:old|previous|former|main) (?:account|page|profile|channel) (?:was |has been |got |is )?"
    r"(?:hacked|suspended|banned|deleted|closed|disabled|compromised|restricted)",
    r"\b(?:nueva cuenta|cuenta nueva|nuevo perfil)",
    r"\bcuenta (?:anterior|antigua|vieja|principal) (?:fue |ha sido )?"
    r"(?:suspendida|hackeada|baneada|eliminada|cerrada|bloqueada)",
    r"\b(?:nova conta|conta (?:oficial )?nova|novo perfil)",
    r"\b(?:conta )?(?:antiga|anterior|velha) (?:foi )?"
    r"(?:hackeada|suspensa|banida|excluída|bloqueada)",
    r"\b(?:nouveau compte|nouvelle page|nouveau profil)",
    r"\b(?:ancien|précédent) compte (?:a été )?(?:piraté|suspendu|banni|supprimé|bloqué)",
    r"\bneue[rsn]? (?:offizielle[sn]? )?(?:konto|account|profil|kanal)",
    r"\b(?:alte[rsn]?|vorherige[rsn]?) (?:konto|account|profil) (?:wurde )?"
    r"(?:gehackt|gesperrt|gelöscht)",
    r"\bнов(?:ый|ого|ом) (?:официальн\w* )?(?:аккаунт|канал|профиль)",
    r"\b(?:стар|прежн|предыдущ)\w* (?:аккаунт|канал|профиль) (?:был )?"
    r"(?:взломан|заблокирован|удал[её]н)",
    r"\byeni (?:resmi )?hesa[bp]",
    r"\b(?:eski|önceki) hesab\w* (?:\w+ )?(?:hacklendi|askıya alındı|kapatıldı|silindi|çalındı)",
    r"\bakun (?:resmi )?baru\b",
    r"\bakun (?:lama|sebelumnya) (?:\w+ )?(?:di-?hack|diretas|ditangguhkan|diblokir|dihapus)",
    r"\btài khoản (?:chính thức )?mới\b",
    r"\btài khoản (?:cũ|trước) (?:đã )?(?:bị )?(?:hack|khóa|đình chỉ|xóa)",
    r"新(?:的)?(?:官方)?(?:账号|帐号|账户|频道)",
    r"旧(?:号|账号|帐号)(?:已|被)?(?:停用|封|盗|注销)",
    r"新しい(?:公式)?アカウント|新(?:公式)?アカウント",
    r"(?:旧|前の|以前の)アカウント(?:は|が)?(?:凍結|停止|乗っ取|削除)",
    r"(?:새|새로운|신규) (?:공식 )?계정",
    r"(?:기존|이전|예전) 계정(?:이|은)? ?(?:해킹|정지|삭제)",
)
# "I am the admin / support / staff" in the first person
STAFF = any_of(
    r"\bi(?: am| m|m) (?:the |an? |your )?(?:official )?(?:admin|administrator|moderator|mod|"
    r"support|staff|agent|manager)\b",
    r"\b(?:official|technical) (?:support|admin|staff) here\b",
    r"\bsoy (?:el |la |un |una )?(?:administrador|admin|moderador|soporte|agente)",
    r"\bsou (?:o |a |um |uma )?(?:admin|administrador|moderador|suporte|atendente)",
    r"\bje suis (?:l |le |la |un |une )?(?:admin|administrateur|modérateur|support|agent)",
    r"\bich bin (?:der |die |ein |eine )?(?:admin|administrator|moderator|support)",
    r"\bя (?:—|-)? ?(?:админ|администратор|модератор|сотрудник|оператор)",
    r"\b(?:admin|yönetici|moderatör|destek)(?:im|ım|iz|ız)\b",
    r"\bsaya (?:adalah )?(?:admin|cs|moderator|staf|petugas)\b",
    r"\b(?:mình|tôi|em) là (?:admin|quản trị viên|nhân viên|hỗ trợ|quản lý)",
    r"我是(?:官方)?(?:的)?(?:管理员|客服|技术支持|工作人员)",
    r"(?:管理者|サポート|運営|担当者)(?:です|の者です)",
    r"(?:관리자|운영자|상담원|고객센터|헬프데스크) ?입니다",
    # a team speaking as itself: "official announcement from the admin team"
    r"\b(?:we are|we re|this is) (?:the |your )?(?:official )?(?:\w+ )?(?:admin|support|security|"
    r"moderation) team\b",
    r"\b(?:announcement|notice) (?:from|by) the (?:official )?(?:\w+ )?(?:admin|support|"
    r"security) team\b",
    r"我们是(?:官方)?(?:的)?(?:客服|管理|技术|安全)团队",
    r"\b(?:somos|nosotros somos) (?:el )?(?:equipo|soporte) (?:de |del )?(?:soporte|admin|"
    r"seguridad)",
    r"\b(?:somos|aqui é) (?:a |o )?(?:equipe|suporte) (?:de |do )?(?:suporte|admin|segurança)",
    r"\bмы (?:—|-)? ?(?:команда|служба) (?:поддержки|безопасности)",
)
# ... who asks to be written to in private
PRIVATE = any_of(
    r"\b(?:dm|pm|inbox|message|text|write to|contact) me\b",
    r"\bprivate (?:chat|message)",
    r"\bin private\b",
    r"\bdirect message",
    r"\b(?:al|por|en) privado\b",
    r"\bescr[ií]b[ae]me",
    r"\b(?:no )?pv\b",
    r"\bme chama",
    r"\bmp\b",
    r"\ben priv[ée]",
    r"\bpn\b",
    r"\bprivat",
    r"\bлс\b",
    r"\bличк",
    r"\bв личн",
    r"\bözelden",
    r"\bdm\b",
    r"\bjapri\b",
    r"\binbox\b",
    r"\bib\b",
    r"nhắn (?:tin )?riêng",
    "私信",
    "私聊",
    "加我",
    "個別",
    "개인 ?메시지",
    "1:1",
    "저한테만",
)
# "DM me and I'll fix it": help offered in private, in the first person. The brand's
# staff answer in the open or on its site; a member who moves a user with a problem to
# a private chat is the fake support of every crypto group
WRITE_ME = any_of(
    r"\b(?:dm|pm|inbox|message|text|write to|contact|msg|hmu|ping) me\b",
    r"nhắn (?:tin )?riêng (?:cho )?(?:mình|tôi|em|anh|chị)|\b(?:ib|inbox) (?:mình|tôi|em)\b",
    r"私信我|私聊我|加我",
    r"(?:個別|dm)で?(?:連絡|メッセージ)(?:ください|して)",
    r"(?:저한테|제게) ?(?:dm|디엠|메시지|연락)",
    r"\bschreib(?:en sie)? mir\b|\bpn an mich",
    r"\bescr[ií]b(?:e|a)me|\bm[aá]nd(?:a|e)me (?:un )?(?:dm|privado)",
    r"\bme chama (?:no )?(?:privado|pv|dm)|\bme (?:manda|mande) (?:dm|mensagem)",
    r"\b[ée]cri(?:s|vez)[- ]moi|\bmp moi\b",
    r"\bпиши(?:те)? (?:мне )?в (?:лс|личку)|\bнапиши(?:те)? мне",
    r"\bbana (?:özelden )?(?:yaz|dm at|ulaş)",
    r"\b(?:japri|dm|chat|wa) (?:aku|saya|gue|gw)\b",
)
HELP = any_of(
    r"\bhelp|\bsupport|\bassist|\bfix|\bsolve|\bresolve",
    r"hỗ trợ|giúp",
    r"帮|支持|解决|处理",
    r"サポート|対応|解決",
    r"도와|지원|해결",
    r"\bhilf|\bhelfe|lösen|löse",
    r"ayud|soporte|resolver",
    r"ajud|suporte|resolv",
    r"\baide|\baider|résoudre|support",
    r"помо|поддерж|решим|решу",
    r"yardım|destek|çöz",
    r"bantu|selesai|proses",
)
# "the real support is @helpdesk_fix": staff named real beside a handle or link of the
# message's own (the brand's own accounts are taken out before the rules read it)
REAL_STAFF = any_of(
    r"\b(?:real|true|actual|genuine|only) (?:support|admins?|team|help ?desk|customer service|"
    r"moderators?|mods?)\b",
    r"真正的(?:客服|管理员|官方)|真的客服",
    r"本物の(?:サポート|管理者|運営)",
    r"진짜 (?:고객센터|관리자|운영자)",
    r"(?:hỗ trợ|admin|quản trị viên) (?:thật|chính chủ)",
    r"\b(?:echte[rn]?|richtige[rn]?) (?:support|admin)",
    r"\b(?:soporte|admin) (?:real|verdadero)|\bverdadero (?:soporte|admin)",
    r"\b(?:suporte|admin) (?:real|verdadeiro)|\bverdadeiro (?:suporte|admin)",
    r"\b(?:vrai|véritable) (?:support|admin)",
    r"\bнастоящ\w* (?:поддержк|админ|модератор)",
    r"\bgerçek (?:destek|admin|yönetici)",
    r"\b(?:cs|admin) (?:asli|resmi yang asli)",
)
# a chat room elsewhere, where Korean and Japanese impersonators move their victims
OPEN_CHAT = any_of(
    r"카톡",
    r"카카오",
    r"오픈 ?채팅",
    r"\bkakao",
    r"\bopen ?chat",
    "オープンチャット",
    r"\bline ?(?:id|で|@)",
)


def claims_brand(
    readable_text: str, brand: str = "", *, asking: bool = False, pointing: bool = False
) -> str | None:
    """The words of a claim to be the brand's new account or its staff (with a request
    to write in private), of help offered in private ("DM me, I'll fix it"), of the
    "real" support beside a handle or link of the message's own (``pointing``), or
    ``None``; a question (``asking``) about a new account is no claim, one beside a
    request for a private chat is."""
    staff = STAFF.search_typed(readable_text)
    private = PRIVATE.search_typed(readable_text) or OPEN_CHAT.search_typed(readable_text)
    if staff is not None and private is not None:
        return staff.group()
    write_me = WRITE_ME.search_typed(readable_text)
    if write_me is not None and HELP.search_typed(readable_text) is not None:
        return write_me.group()
    real = REAL_STAFF.search_typed(readable_text)
    if real is not None and pointing and not asking:
        return real.group()
    if asking:
        return None
    account = NEW_ACCOUNT.search_typed(readable_text)
    named = brand and brand.casefold() in readable_text
    if account is not None and (named or OFFICIAL.search_typed(readable_text) is not None):
        return account.group()
    return None


# "I'm the founder of Example", "我是Example的创始人", "saya manajer regional Example": a
# role at the brand claimed in the first person. The brand's people speak through its
# official accounts (exempt from the guard), so a member who says they hold one is
# impersonating it, whatever they go on to offer
ROLE = any_of(
    r"\bi(?: am| m|m) (?:the |a |an |your )?(?:\w+ ){0,2}(?:founder|co ?founder|ceo|cto|coo|"
    r"manager|director|head|employee|staff member|team member|representative)\b",
    r"\bsoy (?:el |la |un |una )?(?:\w+ ){0,2}(?:fundador\w*|ceo|gerente|director\w*|"
    r"emplead[oa]|representante)\b",
    r"\bsou (?:o |a |um |uma )?(?:\w+ ){0,2}(?:fundador\w*|ceo|gerente|diretor\w*|"
    r"funcion[áa]ri[oa]|representante)\b",
    r"\bje suis (?:le |la |l |un |une )?(?:\w+ ){0,2}(?:fondat\w*|ceo|manager|directeur|"
    r"directrice|responsable|employ[ée]e?|repr[ée]sentant\w*)\b",
    r"\bich bin (?:der |die |ein |eine )?(?:\w+ ){0,2}(?:gr[üu]nder\w*|ceo|manager\w*|"
    r"direktor\w*|leiter\w*|mitarbeiter\w*)\b",
    r"\bя (?:\w+ ){0,2}(?:основател\w*|ceo|менеджер\w*|директор\w*|руководител\w*|сотрудник\w*)",
    r"\b(?:kurucu\w*|ceo\w*|müdür\w*|yönetici\w*|çalışan\w*)(?:yum|yım|yüm|im|ım|üm|sıyım)\b",
    r"\bsaya (?:adalah )?(?:\w+ ){0,2}(?:pendiri|founder|ceo|manajer|manager|direktur|"
    r"karyawan|pegawai|kepala)\b",
    r"\b(?:tôi|mình|em) là (?:\w+ ){0,3}(?:nhà sáng lập|ceo|giám đốc|quản lý|nhân viên|trưởng)",
    r"我是.{0,12}(?:创始人|创办人|CEO|ceo|经理|总监|负责人|员工|高管)",
    r"(?:私は|わたしは).{0,12}(?:創業者|CEO|ceo|マネージャー|責任者|社員)",
    r"(?:創業者|CEO|マネージャー|責任者|社員)(?:です|の者です)",
    r"(?:저는|제가).{0,12}(?:창업자|대표|CEO|ceo|매니저|직원|팀장)",
    r"(?:창업자|대표|매니저|직원|팀장) ?입니다",
)


def claims_role(text: str, brand: str) -> str | None:
    """A role at the brand claimed in the first person, the brand's name attached to it
    in the same sentence of ``text`` ("CEO of Example", "gerente de contas da Example",
    "Example的创始人", "Example Türkiye müdürüyüm": at most three words between), or
    ``None``; a manager of something else ("I'm a store manager in Lyon. Does
    Example…") names the brand in another sentence or further off."""
    names = [w for w in brand.casefold().split() if len(w) >= 4 and w not in _GENERIC]
    if not names:
        return None
    for sentence in _SENTENCE.split(text[:20_000]):
        found = _role_in(readable(sentence).casefold(), names)
        if found is not None:
            return found
    return None


def _role_in(text: str, names: list[str]) -> str | None:
    for match in ROLE.finditer(text):
        for name in names:
            if name in match.group():
                return match.group()
            after = text.find(name, match.end())
            before = text.rfind(name, 0, match.start())
            gaps = [text[match.end() : after] if after >= 0 else None]
            gaps += [text[before + len(name) : match.start()] if before >= 0 else None]
            if any(gap is not None and _attached(gap) for gap in gaps):
                return match.group()
    return None


def _attached(gap: str) -> bool:
    """At most three words between a role and the brand's name (ideographs: a few)."""
    return len(gap.split()) <= 3 and len(gap) <= 30


_SENTENCE = re.compile(r"[.!?;。！？\n]+")
_GENERIC = frozenset({"exchange", "crypto", "official", "global", "wallet", "markets", "trade"})
