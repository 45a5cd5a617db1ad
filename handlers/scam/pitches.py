"""Earnings promised for little work, with a way to sign up: the investment and "remote
job" pitch of crypto groups, whatever the brand.

"Income from 3500 a week, write in PM", "每天稳赚500U，私聊我", "günlük %5 kazanç, DM at":
a rate of earning (an amount or a percentage per day, week or month) beside a word for
earning, and an invitation to get in touch or a gain guaranteed. A user asking what
staking pays a day names no contact and promises nothing; a trader telling a gain
invites nobody. Plain alternations on
``normalize.readable`` text.
"""

from __future__ import annotations

from handlers.scam.doubling import any_of
from handlers.scam.phrases import CONTACT

# per day, week or month, in the twelve languages
_PER = (
    r"(?:per (?:day|week|month)|a (?:day|week|month)|daily|weekly|monthly|/day|/week|"
    r"в (?:день|сутки|неделю|месяц)|ежедневн|в нед|"
    r"每天|每日|每周|每月|日赚|一天|"
    r"(?:1日|毎日|毎週|毎月|週に|月に)|"
    r"(?:하루|매일|매주|매달|주당|월)|"
    r"(?:mỗi|một) (?:ngày|tuần|tháng)|"
    r"pro (?:tag|woche|monat)|täglich|wöchentlich|monatlich|"
    r"(?:por|al|a la) (?:d[ií]a|semana|mes)|diari[oa]s?|semanal|mensual|"
    r"(?:por|ao) (?:dia|semana|m[êe]s)|"
    r"par (?:jour|semaine|mois)|"
    r"(?:günlük|haftalık|aylık|günde|haftada|ayda)|"
    r"per (?:hari|minggu|bulan)|sehari|seminggu|sebulan)"
)
RATE = any_of(
    r"\d[\d\s.,]*\s*(?:\$|usdt|usd|u\b|€|руб|р\b|т\.?р|₽|元|円|원|tl|rp|đ|k\b)?\s*%?\s*"
    + r"(?:\w+\s+){0,2}"
    + _PER,
    _PER + r"\s*(?:\w+\s+){0,2}(?:\$|€)?\s*\d",
)
EARN = any_of(
    r"\bearn",
    r"\bpays?\b",
    r"\breturns?\b",
    r"\byield",
    r"\broi\b",
    r"\bincome",
    r"\bprofit",
    "доход",
    "заработ",
    "зарабат",
    "прибыл",
    "收益",
    "赚",
    "利润",
    "稼",
    "利益",
    "収入",
    "수익",
    "수입",
    "벌",
    r"lợi nhuận",
    r"thu nhập",
    r"kiếm",
    r"verdien",
    r"gewinn",
    r"einkommen",
    r"ganancia",
    r"ganar",
    r"ingreso",
    r"lucro",
    r"ganh",
    r"renda",
    r"revenu",
    r"gagn",
    r"kazan",
    r"gelir",
    r"penghasilan",
    r"untung",
    r"cuan",
    r"\blãi\b",
    r"\bkâr",
)
# a promise no market makes: a gain guaranteed, no risk
SURE = any_of(
    r"guarant",
    r"(?:principal|capital) (?:is )?(?:protected|safe|secured)",
    r"no risk",
    r"risk[- ]free",
    r"garant",
    r"без рис",
    r"sin riesgo",
    r"sem risco",
    r"sans risque",
    r"risikofrei",
    r"risksiz",
    "保证",
    "稳赚",
    "保本",
    "保証",
    "보장",
    r"cam kết",
    r"dijamin",
    r"\bpasti\b",
    r"tanpa risiko",
)
SIGN_UP = any_of(
    r"link in (?:my )?(?:bio|profile)",
    r"ссылк\w* в (?:профиле|шапке|био)",
    r"пиш(?:ите|и) в (?:лс|личку|личные)",
    r"\bв лс\b",
    r"主页|简介",
    r"プロフ",
    r"프로필",
    r"\bbio\b",
    r"profil",
)


def earning_pitch(readable_text: str) -> str | None:
    """The earning rate of a pitch that invites the reader to sign up, or ``None``."""
    rate = RATE.search(readable_text)
    if rate is None or EARN.search(readable_text) is None:
        return None
    invited = CONTACT.search(readable_text) or SIGN_UP.search(readable_text)
    if invited is None and SURE.search(readable_text) is None:
        return None
    return rate.group()


# A pump group recruiting: "we pump $QVX at 18:00, buy before, join t.me/…", "kita pump
# bareng jam 8, join sebelum penuh", "今晚8点拉盘，进群". Coordinated pumps sell their
# latecomers the top whatever the coin; a user asking whether a pump is real asks, and
# one telling that a coin pumped invites nobody to join.
PUMP = any_of(
    r"\bpump(?:ing|ers?|s)?\b",
    r"\bpom ?pom\b",
    "拉盘",
    "拉升",
    "パンプ",
    "펌핑",
    r"\bпамп",
)
JOIN = any_of(
    r"\bjoin",
    r"\bgabung",
    r"\bmasuk (?:grup|group)",
    "进群",
    "加群",
    "入群",
    "加入",
    "参加",
    "참여",
    "입장",
    r"\bприсоедин",
    r"\bвступ",
    r"\bkatıl",
    r"\bentr[ae] (?:no|na|en|dans)",
    r"\b[úu]nete",
    r"\brejoign",
    r"\btritt\b|\bbeitreten",
    r"\btham gia",
    r"\bvào nhóm",
)


# a signals group that boasts a win rate: "nhóm kèo VIP tỷ lệ thắng 95%, vào nhóm nhận
# tín hiệu miễn phí", "VIP signals, 90% accuracy, join now"
SIGNALS = any_of(
    r"\bsignals?\b|\bcalls\b",
    r"tín hiệu|\bkèo\b",
    "信号|喊单|带单",
    "シグナル",
    "시그널|리딩방",
    r"\bсигнал",
    r"\bsinyal",
    r"\bsina(?:l|is)\b|\bse[ñn]al",
    r"\bsignaux",
)
WIN_RATE = any_of(
    r"\b(?:win ?rate|accuracy|success rate|hit rate)\b",
    r"tỷ lệ (?:thắng|chính xác)",
    "胜率|准确率",
    "勝率|的中率",
    "승률|적중률",
    r"\bwin ?rate|\btrefferquote|\bgenauigkeit",
    r"\btasa de (?:acierto|éxito)|\bprecisi[oó]n",
    r"\btaxa de (?:acerto|sucesso)|\bassertividade",
    r"\btaux de (?:réussite|succès)|\bpr[ée]cision",
    r"винрейт|процент (?:побед|прибыльных)|точность",
    r"kazanma oranı|başarı oranı|doğruluk",
    r"\bakurasi|\bwinrate|tingkat (?:kemenangan|akurasi)",
)


def pump_group(readable_text: str, *, pointing: bool, asking: bool) -> str | None:
    """The pump word of a pump group's invitation with a place to join (``pointing``:
    a link or a handle), or the win rate of a signals group's invitation, or ``None``;
    a question is no invitation."""
    if asking or JOIN.search_typed(readable_text) is None:
        return None
    pump = PUMP.search_typed(readable_text)
    if pump is not None and pointing:
        return pump.group()
    rate = WIN_RATE.search_typed(readable_text)
    if rate is not None and SIGNALS.search_typed(readable_text) is not None:
        return rate.group()
    return None
