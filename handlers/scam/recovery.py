"""A recovery offer: a "hack expert" or "recovery agent" who gets stolen coins back, with
a way to reach them.

"CONTACT INFORMATION OF TRUST GEEKS HACK EXPERT, Email: …", "I lost 40k and
@chain_trace_expert got all of it back, God bless him", "dibantu hacker ini sampe balik
semua, DM buat kontaknya": stolen crypto cannot be pulled back by anyone for a fee, and
the victims of a first scam are who these offers look for. What gives one away is a
helper named for the job (a hack or recovery expert, a recovery service, a hacker who
helped) and a contact (an e-mail address, a link or handle, or a word for getting in
touch). A victim telling that a hacker took their coins names no helper of that kind.
Plain alternations on ``normalize.readable`` text, in the twelve UI languages.
"""

from __future__ import annotations

from handlers.scam.doubling import any_of

HELPER = any_of(
    r"\b(?:hack|hacking|hacker|trace|tracing|recovery|forensics?|blockchain) experts?\b",
    r"\b(?:ethical|certified|pro|professional) hackers?\b|\bhackerpro",
    # a handle named for the job: "@chain_trace_expert", "@funds_back_pro"
    r"(?:hack|hacker|trace|tracing|recovery|recover|funds?|back)_(?:expert|pro|agent)s?\b",
    r"\brecovery (?:agent|specialist|service|company|team|firm|agency)s?\b",
    r"\b(?:asset|assets|fund|funds|crypto|bitcoin|coin) recovery "
    r"(?:expert|agent|service|team|firm)",
    r"\b(?:helped by|thanks to) (?:a |the |this )?hacker",
    r"\bhacker (?:who|that) (?:\w+ )?(?:helped|recovered|got)",
    r"\b(?:jasa|ahli) (?:recovery|pemulihan)|\bdibantu (?:sama |oleh )?hacker",
    r"(?:追回|找回)(?:专家|团队|服务)|帮我追回|黑客帮",
    r"(?:回収|復旧)(?:専門|業者|サービス)|ハッカーに(?:頼|依頼)",
    r"(?:복구|회수) ?(?:전문|업체|서비스)|해커(?:가|한테)? ?(?:도와|되찾)",
    r"chuyên gia (?:khôi phục|thu hồi)|dịch vụ (?:khôi phục|thu hồi)|hacker (?:giúp|lấy lại)",
    r"\b(?:wiederherstellungs|recovery)[- ]?(?:experte|spezialist|dienst)",
    r"\b(?:experto|especialista|servicio) (?:en |de )?recuperaci[oó]n|\bhacker (?:que|ético) ",
    r"\b(?:especialista|servi[çc]o|empresa) (?:em |de )?recupera[çc][ãa]o|\bhacker (?:que|ético) ",
    r"\b(?:expert|sp[ée]cialiste|service) (?:en |de )?r[ée]cup[ée]ration|\bhacker (?:qui|éthique)",
    r"\b(?:специалист|эксперт|служб)\w* по (?:возврату|восстановлению)",
    r"\bхакер,? (?:который|что) помог",
    r"\b(?:kurtarma|geri alma) (?:uzmanı|hizmeti|ekibi)|\bhacker (?:sayesinde|yardım)",
)
CONTACT = any_of(
    r"\b[\w.+-]+ ?(?:@|\(@\)|\[at\]) ?[\w-]+ ?(?:\.|\(\.\)|\[\.\]) ?[a-z]{2,}",
    r"\bcontact|\bemail|\be-mail|\bwhats ?app|\btelegram|\bdm\b|\binbox|\bwebsite",
    r"\bhit (?:him|her|them) up|\breach (?:out|him|her|them)|\bwrite (?:to )?(?:him|her|them)",
    r"\bhubungi|\bkontak|\bliên hệ|\bkontakt|\bcontacta|\bcontate|\bcontactez|\bсвяж|\bпиш",
    r"\biletişim|联系|連絡|연락|\bwa\b",
)


def recovery_offer(readable_text: str, *, pointing: bool) -> str | None:
    """The helper named by a recovery offer that says how to reach them (``pointing``:
    a link or handle of its own counts), or ``None``."""
    helper = HELPER.search_typed(readable_text)
    if helper is None:
        return None
    if not pointing and CONTACT.search_typed(readable_text) is None:
        return None
    return helper.group()
