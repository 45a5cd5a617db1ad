"""Fee-and-unlock scams and fake support, in the twelve UI languages.

A phrase alone proves little ("what is the withdrawal fee?" is a fair question), so
each category needs cues of several kinds together: paying, a fee or unlock, and a
reward or withdrawal; or a claim to be staff together with a request to move to DMs or
to "validate" a wallet. Patterns are plain alternations (linear time) run on the text
as a person reads it (``normalize.readable``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


def _any(*words: str) -> re.Pattern[str]:
    return re.compile("|".join(words), re.IGNORECASE)


PAY = _any(
    r"\bpay\b",
    r"\bpaying",
    r"\bpaid",
    r"\bpaye[zr]?\b",
    r"\bsend",
    r"\bdeposit",
    r"\btransfer",
    "支付",
    "付款",
    "转账",
    "充值",
    "发送",
    r"\btrả\b",
    "thanh toán",
    r"\bgửi\b",
    r"\bchuyển\b",
    r"\bnạp\b",
    r"\bzahl",
    r"\bsende",
    r"überweis",
    r"einzahl",
    r"\bpag(?:a|ar|ue|ues|o|ou|amento)\b",
    r"\benv[ií]a",
    r"\bdeposit",
    r"transfi",
    r"\bплат",
    r"оплат",
    r"отправ",
    r"перевед",
    r"внес",
    r"\böde",
    r"gönder",
    r"yatır",
    r"\bbayar",
    r"\bkirim",
    r"\bsetor",
    r"\benvi",
    r"envoy",
    r"dépos",
    r"\bverse",
    "支払",
    "払",
    "送金",
    "入金",
    "振込",
    "지불",
    "송금",
    "입금",
    "결제",
    "보내",
)
FEE = _any(
    r"\bfees?\b",
    r"\bgas\b",
    r"\bunlock",
    r"activation",
    r"verification fee",
    r"\btax\b",
    "手续费",
    "费用",
    "燃料费",
    "解锁",
    "激活",
    "验证费",
    "税",
    r"\bphí\b",
    "mở khóa",
    "kích hoạt",
    r"gebühr",
    r"freischalt",
    r"aktivierung",
    r"steuer",
    r"tarifa",
    r"comisi[oó]n",
    r"desbloque",
    r"activaci[oó]n",
    r"impuesto",
    r"комисси",
    r"сбор",
    r"разблок",
    r"активац",
    r"налог",
    r"ücret",
    r"komisyon",
    r"kilit",
    r"aktivasyon",
    r"vergi",
    r"\bbiaya",
    r"buka kunci",
    r"aktivasi",
    r"pajak",
    r"\btaxa",
    r"desbloq",
    r"ativa[çc][ãa]o",
    r"imposto",
    r"\bfrais\b",
    r"d[ée]bloc",
    r"\btaxe",
    "手数料",
    "ガス代",
    "ロック解除",
    "有効化",
    "수수료",
    "가스비",
    "잠금 해제",
    "활성화",
    "세금",
)
REWARD = _any(
    r"airdrop",
    r"reward",
    r"withdraw",
    r"\bprize",
    r"\bbonus",
    r"release",
    r"\bclaim",
    r"giveaway",
    r"\bfunds?\b",
    "空投",
    "奖励",
    "提现",
    "提币",
    "奖金",
    "解冻",
    "领取",
    "赠送",
    r"phần thưởng",
    r"\brút\b",
    r"\bthưởng",
    r"\bnhận\b",
    r"belohnung",
    r"auszahl",
    r"gewinn",
    r"freigabe",
    r"abheb",
    r"recompensa",
    r"retir",
    r"premio",
    r"\bbono\b",
    r"liberar",
    r"reclam",
    r"эйрдроп",
    r"аирдроп",
    r"наград",
    r"вывод",
    r"приз",
    r"бонус",
    r"получ",
    r"ödül",
    r"çekim",
    r"kazanç",
    r"hadiah",
    r"penarikan",
    r"\btarik",
    r"\bklaim",
    r"saque",
    r"\bsacar",
    r"prêmio",
    r"bônus",
    r"resgat",
    r"récompense",
    r"retrait",
    r"lib[ée]r",
    "エアドロップ",
    "報酬",
    "出金",
    "引き出",
    "ボーナス",
    "受け取",
    "에어드랍",
    "에어드롭",
    "보상",
    "출금",
    "보너스",
    "수령",
)
DOUBLING = _any(
    r"send\s+\d[\d.,]*\s*\w*.{0,40}?(?:get|receive|return)\w*\s+\d",
    r"double your",
    r"\b2x\b",
    r"\bx2\b",
    "翻倍",
    "双倍",
    "gấp đôi",
    r"verdoppel",
    r"duplic",
    r"удво",
    r"\bkatla",
    r"dobr",
    r"\bdoubl",
    r"\bdobel",
    r"lipat ganda",
    "倍返し",
    "2倍",
    "두 배",
)
STAFF = _any(
    r"\badmin",
    r"\bsupport\b",
    r"customer (?:service|care)",
    r"help ?desk",
    r"moderator",
    r"\bofficial\b",
    "客服",
    "管理员",
    "官方",
    r"hỗ trợ",
    r"quản trị",
    r"chăm sóc khách hàng",
    r"kundendienst",
    r"soporte",
    r"administrador",
    r"atenci[oó]n al cliente",
    r"поддержк",
    r"админ",
    r"служба",
    r"destek",
    r"yönetici",
    r"müşteri hizmet",
    r"layanan pelanggan",
    r"suporte",
    r"atendimento",
    r"assistance",
    r"administrateur",
    r"service client",
    "サポート",
    "管理者",
    "カスタマー",
    "고객센터",
    "관리자",
    "지원팀",
)
CONTACT = _any(
    r"\bdm\b",
    r"\bpm\b",
    r"\binbox\b",
    r"direct message",
    r"whats ?app",
    r"message me",
    r"contact me",
    r"text me",
    r"write to me",
    "私信",
    "私聊",
    "加我",
    r"nhắn tin riêng",
    r"nhắn riêng",
    r"schreib mir",
    r"privatnachricht",
    r"mensaje privado",
    r"escr[ií]beme",
    r"личк",
    r"напиши",
    r"özelden",
    r"mesaj at",
    r"\bjapri\b",
    r"chame no privado",
    r"\bme chame\b",
    r"[ée]crivez[- ]moi",
    r"message priv[ée]",
    "個別",
    "メッセージください",
    "쪽지",
    "개인 메시지",
)
WALLET_ACTION = _any(
    r"validat\w* (?:your |my |the )?wallet",
    r"wallet validation",
    r"sync\w* (?:your |my |the )?wallet",
    r"rectif\w*",
    r"connect (?:your |my |the )?wallet",
    r"restore (?:your |my |the )?wallet",
    r"share (?:your |my )?screen",
    r"screen ?shar",
    r"import (?:your |my |the )?wallet",
    "同步钱包",
    "验证钱包",
    "连接钱包",
    "修复钱包",
    "屏幕共享",
    r"đồng bộ ví",
    r"xác thực ví",
    r"kết nối ví",
    r"chia sẻ màn hình",
    r"wallet (?:synchronisieren|validieren|verbinden)",
    r"bildschirm teilen",
    r"sincroniz",
    r"validar (?:tu |su |sua )?(?:billetera|cartera|carteira)",
    r"conect[ae] (?:tu |su |sua )?(?:billetera|cartera|carteira)",
    r"compartir pantalla",
    r"синхрониз",
    r"валидац",
    r"подключите кошел",
    r"демонстраци\w* экрана",
    r"cüzdan\w* (?:senkronize|doğrula|bağla)",
    r"ekran paylaş",
    r"sinkronisasi",
    r"validasi dompet",
    r"hubungkan dompet",
    r"berbagi layar",
    r"compartilhar tela",
    r"synchronis",
    r"valider (?:votre )?portefeuille",
    r"connectez (?:votre )?portefeuille",
    r"partage d'[ée]cran",
    r"ウォレット\w{0,2}(?:同期|検証|接続)",
    "画面共有",
    r"지갑 ?(?:동기화|인증|연결)",
    "화면 공유",
)


# "send 0.1 ETH, get 0.2 ETH back" in any language: a send word, a receive word, and a
# later amount of the same coin at least 1.5 times an earlier one
SEND_WORDS = _any(
    r"\bsend",
    r"\btransfer",
    r"\bdeposit",
    "发送",
    "转",
    "打",
    r"\bgửi",
    r"chuyển",
    r"\bsende",
    r"überweis",
    r"\benv[ií]",
    r"envoy",
    r"отправ",
    r"переве",
    r"gönder",
    r"\bkirim",
    "送",
    "보내",
    r"\bmand[ae]",
)
RECEIVE_WORDS = _any(
    r"\bget",
    r"receiv",
    r"\breturn",
    r"\bback\b",
    r"erhalt",
    r"bekomm",
    r"zurück",
    r"recib",
    r"recev",
    r"receb",
    r"получ",
    r"верн",
    r"geri",
    r"alın",
    r"dapat",
    r"terima",
    r"kembali",
    r"nhận",
    "返",
    "得到",
    "获得",
    "收到",
    "受け取",
    "戻",
    "받",
    "돌려",
)
_AMOUNT = re.compile(
    r"(\d+(?:[.,]\d+)?)\s*(?:个|枚|개)?\s*"
    r"(btc|eth|usdt|usdc|bnb|sol|trx|ton|xrp|doge|ltc|matic|ada|avax|shib|pepe)\b",
    re.IGNORECASE,
)


def doubled_amount(unspaced_text: str) -> str | None:
    """The "send X, get 2X back" span of ``normalize.unspaced`` text, or ``None``."""
    text = unspaced_text[:2000]
    if SEND_WORDS.search(text) is None or RECEIVE_WORDS.search(text) is None:
        return None
    amounts = [
        (float(m.group(1).replace(",", ".")), m.group(2).lower(), m) for m in _AMOUNT.finditer(text)
    ]
    for i, (first, coin, at) in enumerate(amounts):
        for later, other, there in amounts[i + 1 : i + 3]:
            near = there.start() - at.end() < 80
            if other == coin and first > 0 and later >= 1.5 * first and near:
                return text[at.start() : there.end()]
    return None


ALREADY_SENT = _any(
    r"already (?:sent|paid|transferred|deposited)",
    r"\bi (?:sent|paid|transferred)\b",
    r"i'?ve (?:sent|paid|transferred)",
    r"已经(?:转|付|支付|发送|汇)",
    "我转了",
    "我付了",
    r"đã (?:gửi|chuyển|trả|thanh toán|nạp)",
    r"(?:schon|bereits) (?:\w+ )?(?:gesendet|bezahlt|überwiesen)",
    r"\bya (?:envi[ée]|pagu[ée]|transfer[ií])",
    r"уже (?:отправил|перевел|перевёл|оплатил)",
    r"já (?:enviei|paguei|transferi)",
    r"déjà (?:envoy[ée]|pay[ée]|transf[ée]r[ée])",
    r"zaten (?:gönderdim|ödedim)",
    r"sudah (?:kirim|bayar|transfer)",
    "送金してしまった",
    "もう送金",
    "もう支払",
    r"이미 (?:보냈|송금|입금|지불)",
)


def already_sent(readable_text: str) -> bool:
    """The user says the money is gone already: a person must look, now."""
    return ALREADY_SENT.search(readable_text) is not None


@dataclass(frozen=True, slots=True)
class PhraseFinding:
    reason: str  # fee_scam | fake_support
    strong: bool  # enough on its own for a scam verdict
    evidence: str


def find_phrases(
    readable_text: str, *, has_link: bool, asking: bool, unspaced_text: str = ""
) -> list[PhraseFinding]:
    """Fee and fake-support findings in text already passed through ``readable`` (and,
    for amounts, the same text through ``unspaced``)."""
    text = readable_text
    found: list[PhraseFinding] = []
    doubling = DOUBLING.search(text)
    doubled = doubled_amount(unspaced_text) if unspaced_text else None
    pay, fee, reward = PAY.search(text), FEE.search(text), REWARD.search(text)
    if doubled:
        found.append(PhraseFinding("fee_scam", True, doubled))
    elif doubling and pay:
        found.append(PhraseFinding("fee_scam", True, doubling.group()))
    elif pay and fee and reward:
        found.append(
            PhraseFinding(
                "fee_scam",
                has_link or not asking,
                f"{pay.group()} … {fee.group()} … {reward.group()}",
            )
        )
    staff, contact, action = STAFF.search(text), CONTACT.search(text), WALLET_ACTION.search(text)
    if action and (staff or has_link):
        found.append(PhraseFinding("fake_support", True, action.group()))
    elif action or (staff and contact):
        evidence = action.group() if action else f"{staff.group()} … {contact.group()}"
        found.append(PhraseFinding("fake_support", False, evidence))
    return found
