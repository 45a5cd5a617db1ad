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
    r"(?:送金|送り|支払い|払い|振り込み|入金)(?:し)?ました",
    "送金した",
    r"(?:送金し|送っ|支払っ|払っ|振り込ん)てしまい",
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
    # ("minta saya bayar": somebody asks the user to pay, nothing is paid yet)
    r"\b(?<!minta )(?<!suruh )(?<!meminta )(?:saya|aku|gue|gw) (?:sudah |udah |telah )?"
    r"(?:kirim|transfer|bayar|tf|setor)\b",
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
    "解除(?:手数料|料|費用)",
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


# an airdrop is never paid for: a fee sent for one is a fee scam that worked ("I sent
# the 0.01 ETH gas fee, when does the airdrop arrive?"); a deposit for an airdrop
# campaign names no fee
AIRDROP = any_of(r"\bair ?drop", "空投", "エアドロップ", "에어드[랍롭]", r"\bаирдроп", r"\bэйрдроп")
FEE_PAID = any_of(
    r"\bfees?\b",
    r"\bgas\b",
    "手续费",
    "费用",
    "手数料",
    "수수료",
    r"\bphí\b",
    r"gebühr",
    r"comisi[oó]n",
    r"\btarifa",
    r"\btaxa",
    r"\bfrais\b",
    r"комисси",
    r"ücret",
    r"\bbiaya",
)
# a secret typed into a fake site or handed to a scammer: "I put my seed phrase on a
# phishing site", "在假网站输入了助记词", "ввёл сид-фразу на фейковом сайте"
SECRET_GIVEN = any_of(
    # ("I almost entered my seed on a fake site": nothing was given)
    r"\bi (?!almost |nearly |never |didn t |did not |won t |would never )(?:\w+ )?"
    r"(?:put|entered|typed|pasted|submitted|imported|gave|shared|sent) (?:in |out )?"
    r"(?:my |the )?(?:\w+ )?(?:seed|recovery|secret|private key|mnemonic|phrase|12 words|24 words)",
    r"(?:输入了|填了|填写了|给了|导入了)(?:我的)?(?:助记词|私钥)",
    r"(?<!让我)(?<!要我)(?<!叫我)把(?:我的)?(?:助记词|私钥).{0,12}?(?:给了|发给了|告诉了|输入了|发了)",
    r"(?:シードフレーズ|秘密鍵|復元フレーズ)を(?:入力|教え|送)(?:した|ました|てしまっ|たら)",
    r"(?:시드 ?문구|개인 ?키|복구 ?문구)(?:를|을)? ?(?:입력했|알려줬|보냈)",
    r"\b(?:đã|tôi|mình|em) (?:lỡ )?(?:nhập|đưa|gửi) (?:cụm từ|seed|khóa riêng|(?:12|24) từ|từ"
    r" khôi phục)",
    r"\b(?:habe|hab) (?:\w+ ){0,4}(?:seed|phrase|schlüssel|wörter)\w* (?:\w+ ){0,4}"
    r"(?:eingegeben|gegeben|geschickt)",
    r"\b(?:puse|ingres[ée]|introduje|escrib[ií]|di|envi[ée]) (?:mi |la )?(?:frase|semilla|clave"
    r" privada)",
    r"\b(?:coloquei|digitei|inseri|informei) (?:a |minha )?(?:frase|seed|chave privada)",
    r"\bj ai (?:\w+ )?(?:saisi|entr[ée]|donn[ée]|tap[ée]) (?:ma |mes |la )?(?:phrase|seed|cl[ée]"
    r" priv|mots)",
    r"\b(?:ввел|ввёл|ввела|отдал|отдала) (?:сво[юй] )?(?:сид|фраз|ключ)",
    r"\b(?:kelime|ifade|seed|anahtar)\w* (?:\w+ ){0,3}(?:girdim|verdim|yazdım)",
    r"\b(?:sudah|udah|aku|saya|gue|gw) (?:\w+ )?(?:masukin|memasukkan|masukkan|kasih|kirim|ngasih)"
    r" (?:\w+ )?(?:frasa|seed|kunci pribadi)",
)
FAKE_PLACE = any_of(
    r"\bphish",
    r"\bfake\b",
    r"\bscam",
    r"钓鱼|假|骗",
    r"フィッシング|偽",
    r"피싱|가짜|사기",
    r"lừa đảo|\bgiả\b",
    r"\bfake|betrug|gefälscht",
    r"\bfals[oa]\b|estafa|golpe",
    r"\bfaux\b|\bfausse|arnaque",
    r"фейк|фишинг|мошен|поддельн",
    r"sahte|dolandır",
    r"palsu|penipu",
)


# whom a seed was handed to: nobody at an exchange ever asks for one
SUPPORT = any_of(
    r"\b(?:support|admin|agent|moderator|staff|guy|helpdesk)\b",
    r"客服|支持|管理员",
    r"サポート|管理者|運営",
    r"고객센터|관리자|상담원",
    r"hỗ trợ|\badmin",
    r"\bsupport|mitarbeiter",
    r"soporte|suporte|\bagente",
    r"\bsupport|\bconseiller",
    r"поддержк|админ",
    r"\bdestek|yetkili",
    r"\bcs\b",
)


def paid_to_release(readable_text: str) -> bool:
    """The user says they paid or sent money to have funds unlocked, an account
    activated, a prize or an airdrop paid out or the coins doubled, or that they gave
    their seed to a fake site or to "support": the scam worked, whatever words came
    with it."""
    if SECRET_GIVEN.search_typed(readable_text) and (
        FAKE_PLACE.search_typed(readable_text)
        or SUPPORT.search_typed(readable_text)
        or already_sent(readable_text)
    ):
        return True
    if not already_sent(readable_text):
        return False
    if doubling_words(readable_text) is not None:  # "I sent 0.2 ETH, when does it double?"
        return True
    if AIRDROP.search(readable_text) is not None and FEE_PAID.search(readable_text) is not None:
        return True
    return RELEASE.search(readable_text) is not None or PRIZE.search(readable_text) is not None


# A victim in their own words: "I was scammed 5 days ago, can I get my funds back?",
# "我被骗了", "me estafaron". The words of a scam done to the user, not of a hack or a
# theft (a stolen phone, a hacked account are security questions), nor a friend's
# loss (``bystander.SOMEONE_ELSE``); a recovery offer uses the same words ("I was
# scammed too and this hacker got it back, DM him"), so one that names a helper or
# sends the reader somewhere is left to the other detectors.
SCAMMED = any_of(
    # (not "I almost got scammed", "差点被骗", "casi me estafan": a warning, nothing lost)
    r"\b(?:i|we) (?:got|was|were|ve been|have been|had been|just got) (?:just |really |totally )?"
    r"(?:scammed|phished|rugged|rug pulled)\b",
    r"(?<!差点)(?<!差一点)(?<!险些)(?<!没有)(?<!没)被骗了|(?<!差点)我被骗(?!过)",
    "騙された",
    r"사기 ?당했",
    r"\b(?:tôi|mình|em) (?:đã )?bị lừa",
    r"\b(?:wurde|bin|wurden) (?:\w+ )?(?<!fast )(?<!beinahe )(?:betrogen|abgezockt)",
    r"(?<!casi )\bme (?:estafaron|timaron)\b",
    r"(?<!quase )\bca[ií] (?:num|em um|no) golpe|\bfui (?:enganad|vítima de golpe)",
    r"\b(?:je me suis fait|j ai été) (?:arnaqu|escroqu)",
    r"\bменя (?:обманули|развели|кинули)",
    r"\bdolandırıldım",
    r"\b(?:saya|aku|gue|gw) (?:sudah |udah |telah |baru )?(?:kena tipu|tertipu|kena scam|ditipu)",
)
HELPER = any_of(
    r"\bhacker",
    r"\bexpert",
    r"\brecovered (?:my|all|it|them|the)",
    r"\bgot (?:it|all|them|everything|my \w+) back",
    r"\bthanks to\b",
    r"\bhit (?:him|her|them) up",
    r"\b(?:contact|reach out to|dm|message|text|write to) (?:him|her|them)\b",
    r"\bhubungi|\bliên hệ|\bkontakt|\bcontacta|\bcontate|\bcontactez|\bсвяж|\bбратитесь|\biletişim",
    r"\btestimon",
    r"黑客|联系他|找他",
    r"해커|연락",
    r"ハッカー|連絡",
)


def scammed(readable_text: str) -> bool:
    """The user says a scam took their money or seed, and names no helper to turn to."""
    return SCAMMED.search_typed(readable_text) is not None and HELPER.search(readable_text) is None
