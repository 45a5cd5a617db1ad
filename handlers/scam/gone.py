"""What a user says when the money is already gone, in the twelve UI languages.

Beside a scam the rules or the semantic layer found, these words turn a warning into
the urgent anti-fraud ticket (``handlers.guard``): a person must look now, whatever the
scam was (a giveaway that "doubles", an unlock fee, an investment plan, a "recovery
agent"). On their own they flag nothing ("I already sent USDT to my deposit address"
is an ordinary question), so they can be wide: a past tense of sending or paying with
or without "already", "I was scammed", funds drained or lost, a secret handed over.
Plain alternations on ``normalize.readable`` text (lowercase, apostrophes and symbols
read as spaces).
"""

from __future__ import annotations

from handlers.scam.doubling import any_of, doubling_words

ALREADY_SENT = any_of(
    # en
    r"\balready (?:sent|paid|transferred|deposited|invested|gave)\b",
    r"\bi (?:just |also )?(?:sent|paid|transferred|deposited|invested|gave)\b",
    r"\bi ?(?:ve|have) (?:already |just )?(?:sent|paid|transferred|deposited|invested|given)\b",
    r"^(?:sent|paid|transferred|deposited)\b",
    r"\bi (?:got|was|ve been|have been) (?:scammed|robbed)",
    # zh
    r"已经.{0,12}?(?:转|付|支付|发送|汇|打款|充值)",
    r"我(?:转|付|汇|打|充)了",
    r"(?:转|付|汇)了.{0,12}?(?:给|到)",
    "被骗了",
    # ja
    "送金してしまっ",
    "もう(?:送金|支払|振り込)",
    r"(?:送金|送り|支払い|払い|振り込み|入金)ました",
    "送金した",
    "騙された",
    # ko
    r"이미 (?:보냈|송금|입금|지불|이체)",
    r"(?:보냈|송금했|입금했|지불했|이체했|냈)(?:는데|어요|습니다|다)",
    "사기 ?당했",
    # vi
    r"\bđã (?:gửi|chuyển|trả|thanh toán|nạp|đóng)",
    r"\bbị lừa",
    # de
    r"(?:schon|bereits) (?:\w+ ){0,3}(?:gesendet|geschickt|bezahlt|überwiesen|eingezahlt)",
    r"\b(?:ich )?hab(?:e)?\b.{0,60}?\b(?:gesendet|geschickt|bezahlt|überwiesen|eingezahlt)\b",
    r"\bbetrogen worden|\bwurde betrogen|\babgezockt",
    # es
    r"\bya (?:le |les )?(?:envi[ée]|pagu[ée]|transfer[ií]|deposit[ée]|mand[ée])",
    r"\b(?:le |les )?(?:envi[ée]|pagu[ée]|transfer[ií]|deposit[ée]|mand[ée])\b",
    r"\bme estafaron",
    # pt
    r"\bjá (?:enviei|paguei|transferi|depositei|mandei)",
    r"\b(?:enviei|paguei|transferi|depositei|mandei)\b",
    r"\bca[ií] (?:num|em um|no) golpe",
    # fr
    r"\bdéjà (?:envoy|pay|transf|vers)",
    r"\bj ai (?:déjà |deja )?(?:envoy[ée]|pay[ée]|transf[ée]r[ée]|vers[ée]|d[ée]pos[ée])",
    r"\barnaqu[ée]",
    # ru
    r"\bуже (?:отправил|перевел|перевёл|оплатил|заплатил|скинул)",
    r"\b(?:отправил|перевел|перевёл|оплатил|заплатил|скинул)[аи]?\b",
    r"\bменя (?:обманули|развели)",
    # tr
    r"\bzaten (?:gönderdim|ödedim|yatırdım)",
    r"\b(?:gönderdim|ödedim|yatırdım|yolladım|transfer ettim)\b",
    r"\bdolandırıldım",
    # id
    r"\b(?:sudah|udah|telah) (?:kirim|bayar|transfer|tf|setor)",
    r"\b(?:saya|aku|gue|gw) (?:sudah |udah |telah )?(?:kirim|transfer|bayar|tf|setor)\b",
    r"\bkena tipu|\btertipu",
    # funds or a secret lost to them: cheated, drained, emptied, "I gave them my phrase"
    r"\b(?:scammed|cheated|drained|emptied|wallet (?:is|was) empty|stole (?:my|all))\b",
    r"\blost (?:my |all |\d)",
    r"\bi (?:gave|shared|told|sent) (?:him |her |them )?my (?:seed|recovery|private|phrase|key|12)",
    r"骗了|被盗|清空|被转走|全没了|我给了",
    r"騙され|盗まれ|失いました|なくなりました|教えてしまい|消えました",
    r"사기 ?당|잃었|털렸|비었어|사라졌|알려줬",
    r"\bbị (?:lừa|hack|đánh cắp)|\bmất (?:hết|sạch|\d)|trống trơn|\bđã đưa",
    r"\b(?:развели|развёл|развел|обманули|обманул|украли)\b|\bпотерял|кош[её]л[её]к пуст",
    r"\b(?:estafó|estafaron|me robaron|me enga[ñn]ó|perdí|le di mi)\b|est[aá] vac[ií]a",
    r"\b(?:roubaram|perdi|me enganou|passei minha)\b|\bzerad|\bgolpe de",
    r"\bbetrogen|\bgestohlen|\bverloren|\bist (?:jetzt )?leer|\bgegeben\b",
    r"\b(?:escroqu|arnaqu|vol[ée]|perdu|donn[ée] ma)|\best vide",
    r"\bdolandırdı|\bboşaldı|\bçalındı|\bkaybettim|\bverdim\b",
    r"\bditipu|\bkosong|\bdicuri|\bhilang|\blenyap",
)


def already_sent(readable_text: str) -> bool:
    """The user says the money is gone already: a person must look, now."""
    return ALREADY_SENT.search(readable_text) is not None


# what only a scam charges for: unlocking frozen funds (not a P2P seller's "release"),
# activating or verifying an account; and the prize draws that "charge a tax" (a
# withdrawal or network fee is neither)
RELEASE = any_of(
    r"\bunlock",
    r"\bunfreez",
    r"activation",
    r"verification fee",
    "解锁",
    "解冻",
    "激活",
    "ロック解除",
    "凍結解除",
    "有効化",
    "잠금 ?해제",
    "동결 ?해제",
    "활성화",
    r"mở khóa",
    r"kích hoạt",
    r"freischalt",
    r"aktivierung",
    r"desbloque",
    r"activaci[oó]n",
    r"desbloq",
    r"ativa[çc][ãa]o",
    r"d[ée]bloc",
    r"разблок",
    r"разморо",
    r"активац",
    r"kilit aç",
    r"aktivasyon",
    r"buka kunci",
    r"aktivasi",
)
PRIZE = any_of(
    r"giveaway",
    r"\bprize",
    r"lottery",
    r"lucky draw",
    "抽奖",
    "中奖",
    "奖品",
    "奖金",
    "抽選",
    "当選",
    "賞金",
    "추첨",
    "당첨",
    "경품",
    r"giải thưởng",
    r"trúng thưởng",
    r"gewinnspiel",
    r"\bsorteo",
    r"\bpremio",
    r"\bsorteio",
    r"\bpr[êe]mio",
    r"\btirage",
    r"\bconcours",
    r"розыгрыш",
    r"\bприз",
    r"выигрыш",
    r"çekiliş",
    r"\bödül",
    r"\bundian",
    r"\bhadiah",
)


def paid_to_release(readable_text: str) -> bool:
    """The user says they paid or sent money to have funds unlocked, an account
    activated, a prize paid out or the coins doubled: the fee scam worked, whatever
    words came with it."""
    if not already_sent(readable_text):
        return False
    if doubling_words(readable_text) is not None:  # "I sent 0.2 ETH, when does it double?"
        return True
    return RELEASE.search(readable_text) is not None or PRIZE.search(readable_text) is not None
