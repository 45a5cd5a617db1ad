"""What only the user is in: a question how to look after their own account, a reward
the exchange credited by itself. No scam, whatever words it shares with one.

"Lost my phone with the authenticator, how do I reset 2FA?", "forgot my password, how
do I reset it", "认证アプリの入ったスマホを紛失しました、どうすればいいですか", "Hesabım kilitlendi,
ne yapmalıyım": the words of a scam are there (a code, a password, a frozen account, a
recovery) but nobody else is: no stranger wrote to the user or asked them for anything,
nothing was paid or handed over, no link or handle. The semantic layer, trained mostly
on scams that use these words, warned about some of them; such a question is now
nobody's scam (``bystander``). A victim ("I gave my 12 words to the support agent, what
do I do?") has handed something over, and a user being worked on ("a guy in DM says
he's admin and wants my seed, what do I do?") names the stranger: both are still read.

Plain alternations on ``normalize.readable`` text, in the twelve UI languages, also as
typed without accents; a question need not end in a question mark.
"""

from __future__ import annotations

from handlers.scam.cues import CONTACT
from handlers.scam.demands import CONTACTED_ME, DEMANDS, MUST_PAY, SOMEONE
from handlers.scam.doubling import any_of
from handlers.scam.gone import FEE_PAID, SECRET_GIVEN, already_sent

HOW = any_of(
    r"\bhow (?:do|can|could|should) i\b|\bwhat (?:do|should|can) i do\b",
    r"\bis there (?:a|any) way (?:to|i)\b",
    r"怎么|如何|怎样|该怎么办",
    r"どうすれば|どうやって|どうしたら",
    r"어떻게",
    r"\blàm (?:sao|thế nào|cách nào)|\bcách (?:nào|để)\b",
    r"\bwie (?:kann|soll|muss) ich\b|\bwas (?:kann|soll) ich\b",
    r"\bc[oó]mo (?:puedo|hago|recupero|activo|cambio)\b|\bde qu[eé] (?:manera|forma)\b|"
    r"\bqu[eé] (?:puedo|debo) hacer\b",
    r"\bcomo (?:eu )?(?:posso|fa[çc]o|recupero|ativo|mudo)\b|\bo que (?:eu )?(?:posso|devo)"
    r" fazer\b",
    r"\bcomment (?:je peux|puis-je|puis je|faire pour)\b|\bque (?:dois|puis)-?je faire\b",
    r"\bкак (?:мне|я могу|можно)\b|\bчто (?:мне )?делать\b",
    r"\bnasıl (?:\w+ )?(?:yapabilirim|kurtarabilirim|alabilirim|açabilirim|değiştirebilirim|"
    r"sıfırlayabilirim)|\bne yapmalıyım\b",
    r"\b(?:bagaimana|gimana) (?:cara|caranya)\b|\bapa yang harus (?:saya|aku) lakukan\b",
)
# the user's own account, wallet, password, phone
MINE = any_of(
    r"\bmy (?:wallet|account|2fa|password|seed|phone|funds|recovery|authenticator|email|keys?|"
    r"device|withdrawal)",
    r"我的(?:钱包|账户|账号|密码|助记词|手机|资金)",
    r"ウォレット|アカウント|パスワード|スマホ|認証アプリ",
    r"(?:제|내) (?:지갑|계정|비밀번호|폰|휴대폰|otp)",
    r"(?:ví|tài khoản|mật khẩu|điện thoại) (?:của )?(?:tôi|mình|em)",
    r"\bmein(?:e|en)? (?:wallet|konto|passwort|handy|seed|2fa)",
    r"\bmi (?:billetera|cuenta|contraseña|celular|tel[eé]fono|frase|cartera)",
    r"\b(?:minha|meu) (?:carteira|conta|senha|celular|telefone|frase)",
    r"\b(?:mon|ma|mes) (?:portefeuille|compte|mot de passe|t[ée]l[ée]phone|phrase)",
    r"\b(?:мой|мою|мои|моего|моей|мне) (?:кош|акк|парол|телефон|сид)",
    r"\b(?:cüzdanım|hesabım|şifrem|telefonum)",
    r"\b(?:dompet|akun|password|hp|kata sandi) (?:saya|aku|gue|gw)\b",
)
# anybody but the user in the story, or what a scam takes: the message is read as before
OTHERS = (CONTACT, CONTACTED_ME, DEMANDS, MUST_PAY, SOMEONE, SECRET_GIVEN, FEE_PAID)


def own_question(readable_text: str) -> bool:
    """Whether the user asks how to look after their own account, alone in the story."""
    if HOW.search_typed(readable_text) is None or MINE.search_typed(readable_text) is None:
        return False
    if already_sent(readable_text):
        return False
    return all(words.search_typed(readable_text) is None for words in OTHERS)


# A reward the exchange credited by itself: "공지 보니 런치풀 보상은 현물 지갑으로 자동
# 지급이래요", "recompensa do campeonato caiu direto na carteira spot". The exchange's own
# wallets (spot, funding) and a word for arriving on its own: a legitimate airdrop or
# prize as users tell it. A scam's reward waits behind something to do (a fee, a link,
# a private chat); those words keep the message read.
EXCHANGE_WALLET = any_of(
    r"\b(?:spot|funding|futures|earn) (?:wallet|account)",
    r"现货(?:钱包|账户)|资金(?:钱包|账户)",
    r"現物(?:ウォレット|口座)|スポット(?:ウォレット|口座)",
    r"현물 ?(?:지갑|계정)",
    r"\bví (?:spot|giao ngay|funding)",
    r"\bspot[- ]?(?:wallet|konto)",
    r"\b(?:billetera|cartera|cuenta) (?:de )?spot",
    r"\bcarteira (?:de )?spot",
    r"\b(?:portefeuille|compte) spot",
    r"спотов\w* (?:кошел|сч[её]т|аккаунт)",
    r"\bspot (?:cüzdan|hesab)",
    r"\b(?:dompet|akun) spot",
)
ARRIVED = any_of(
    r"\bauto(?:matically)?\b|\bcredited\b|\barrived\b|\bdistributed\b|\bshowed up\b|\blanded\b",
    r"自动|已到账|到账了|已发放",
    r"自動|付与|届きました|反映",
    r"자동|지급|들어왔",
    r"tự động|đã về|về ví|đã nhận",
    r"automatisch|gutgeschrieben|\bkam\b",
    r"autom[aá]tic|acreditad|lleg[oó]",
    r"creditad|\bcaiu\b|chegou",
    r"automatiquement|crédit[ée]|arriv[ée]",
    r"автоматически|зачисл|пришл|пришёл",
    r"otomatik|yatırıldı|geldi",
    r"otomatis|masuk|dikreditkan",
)


def credited_reward(readable_text: str) -> bool:
    """Whether the user tells of a reward that reached their exchange wallet by itself,
    with nothing asked of them (no fee, payment, stranger or private chat)."""
    if EXCHANGE_WALLET.search_typed(readable_text) is None:
        return False
    if ARRIVED.search_typed(readable_text) is None:
        return False
    return all(words.search_typed(readable_text) is None for words in OTHERS)
