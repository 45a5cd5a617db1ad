"""A message that asks its reader for a wallet secret, in the twelve UI languages.

"Please provide your Google Authenticator code and password, we will unfreeze it after
checking" needs no model: nobody but a scammer asks a stranger to hand over a seed
phrase, private key, password or 2FA code. What it needs is the request form, an
imperative addressed to the reader with "your" and the secret ("send me your seed
phrase", "请提供您的验证码", "シードフレーズを教えてください"), and no negation
before it: "never share your seed phrase" and "不要告诉任何人您的密码" are the advice we
want people to give each other. Plain alternations on ``normalize.readable`` text.
"""

from __future__ import annotations

from handlers.scam.doubling import any_of

_SECRET_EN = (
    r"(?:seed|recovery|secret|mnemonic|wallet)(?: ?phrase| words)|private keys?|passwords?|"
    r"2fa(?: code)?|otp|verification code|authenticator code|1[28] words|24 words"
)
ASKS = any_of(
    # en
    rf"\b(?:send|give|provide|share|tell|dm)(?: it)?(?: to)? (?:me|us)? ?(?:your|ur)"
    rf" (?:\w+ )?(?:{_SECRET_EN})",
    # zh
    r"(?:提供|发送|发给我|发我|告诉我)(?:一下)?(?:您|你)的?.{0,8}?"
    r"(?:助记词|私钥|密码|验证码|谷歌验证|密钥)",
    # ja
    r"(?:シードフレーズ|復元フレーズ|秘密鍵|パスワード|認証コード|リカバリーフレーズ)\w{0,4}?を"
    r"(?:教えて|送って|提供して|共有して)(?:ください|下さい)",
    # ko
    r"(?:시드 ?문구|복구 ?문구|개인 ?키|비밀번호|인증 ?코드|otp)(?:를|을)? ?"
    r"(?:알려|보내|제공해|공유해) ?(?:주세요|주십시오|줘)",
    # vi
    r"\b(?:gửi|cung cấp|cho (?:tôi|mình|em) biết) (?:cho (?:tôi|mình|chúng tôi) )?"
    r"(?:cụm từ (?:khôi phục|bí mật)|khóa riêng|mật khẩu|mã (?:2fa|xác thực|otp)|seed)",
    # de
    r"\b(?:schick|send|gib|geben sie|nenn|teil|sag)(?:e|en)?(?: sie)? (?:uns |mir )?"
    r"(?:ihre|deine|dein|ihr|ihren|deinen) (?:seed|wiederherstellungs|privaten? schlüssel|"
    r"passwort|2fa|code|12 wörter)",
    # es
    r"\b(?:env[ií]a(?:nos|me)?|dame|danos|proporci[oó]n(?:a|e|anos|eme)|comparte|facilita)"
    r" (?:tu|su) (?:frase|clave privada|contraseña|c[oó]digo|semilla)",
    # pt
    r"\b(?:envie|mande|me passe|passe|informe|forneça|compartilhe)(?: me)? (?:sua|seu)"
    r" (?:frase|chave privada|senha|c[oó]digo|seed)",
    # fr
    r"\b(?:envoyez|donnez|communiquez|fournissez|partagez|indiquez|envoie|donne)(?: moi| nous)?"
    r" (?:votre|vos|ta|ton|tes) (?:phrase|seed|cl[ée] priv[ée]e|mots? de passe|code)",
    # ru
    r"\b(?:отправьте|пришлите|скиньте|сообщите|назовите|дайте)(?: мне| нам)?"
    r" (?:ваш[уи]?|свою|свой|твою|твой) (?:сид|seed|фраз|приватн|парол|код)",
    # tr
    r"(?:kurtarma kelime|gizli anahtar|özel anahtar|şifre|doğrulama kod|2fa kod|seed)\w*"
    r" (?:bize |bana )?(?:gönder|ver|paylaş|yaz|ilet)(?:in|ın|un|ün|iniz|ınız)\b",
    # id
    r"\b(?:kirim(?:kan)?|berikan|kasih|bagikan|sebutkan) (?:ke (?:saya|kami) )?"
    r"(?:frasa|seed|kunci pribadi|kata sandi|password|kode (?:otp|2fa|verifikasi))",
    # a photo of the written-down words: "envoie une photo de ta feuille avec les 24 mots"
    r"\b(?:send|share|dm|envoie|envoyez|env[ií]a|manda|mande|envie|schick|отправ|пришли|gönder|"
    r"kirim|gửi)\w* (?:\w+ ){0,3}(?:photo|picture|pic|screenshot|foto|capture|скрин|фото|ảnh)"
    r" (?:\w+ ){0,5}(?:seed|phrase|frase|(?:12|24) (?:words|mots|palabras|palavras|wörter|слов|"
    r"kelime|kata|từ))",
    r"(?:助记词|シード|시드 ?문구)\w{0,6}(?:的)?(?:照片|截图|写真|スクショ|사진|캡처)",
    # the code a text message just brought: "qual o código que chegou no seu SMS?"
    r"\b(?:qual|what s|what is|cu[aá]l es|quel est|какой|hangi|apa) (?:o |el |le |the )?"
    r"(?:c[oó]digo|code|код|kod|kode) (?:que |that |qui |yang )?(?:\w+ ){0,3}"
    r"(?:seu|su|your|ton|votre|ваш\w*|senin|kamu|anda) (?:sms|e-?mail|phone|celular|telefone)",
    # the screen or a remote-control app: whoever sees the screen sees the wallet
    r"\b(?:share|show|open|install|download)\w* (?:me |us )?(?:your |ur )?screen\b",
    r"\b(?:share|show|install|download|open|use)\w* (?:your |ur )?(?:\w+ )?"
    r"(?:on |via |with |using )?(?:anydesk|teamviewer|rustdesk|quick ?support|remote desktop)",
    r"(?:共享|分享)(?:你的|您的)?屏幕|屏幕共享|(?:下载|安装)\s?(?:anydesk|teamviewer|向日葵)",
    r"画面(?:を)?共有(?:して|してください)|(?:anydesk|teamviewer)\s?を(?:インストール|入れて)",
    r"화면 ?공유(?:해| 해)|(?:anydesk|teamviewer|원격) ?(?:설치|접속)",
    r"chia sẻ màn hình|(?:cài|tải)(?: đặt)? (?:anydesk|teamviewer|ultraviewer)",
    r"\bbildschirm (?:teilen|freigeben)|\b(?:installier|lade)\w* (?:\w+ )?(?:anydesk|teamviewer)",
    r"\bcomparte (?:tu )?pantalla|\binstala (?:\w+ )?(?:anydesk|teamviewer)",
    r"\bcompartilh\w* (?:sua )?tela|\binstal\w* (?:o )?(?:anydesk|teamviewer)",
    r"\bpartage[rz]? (?:ton |votre )?[ée]cran|\binstalle[rz]? (?:\w+ )?(?:anydesk|teamviewer)",
    r"\b(?:покажи|покажите|включи|включите) (?:\w+ )?(?:экран|демонстрац)"
    r"|\b(?:установи|установите|скачай|скачайте) (?:\w+ )?(?:anydesk|teamviewer)",
    r"\bekran(?:ını|ınızı)? paylaş|\b(?:anydesk|teamviewer)\w* (?:indir|kur)",
    r"\bbagikan layar|\b(?:instal|install|unduh|download) (?:\w+ )?(?:anydesk|teamviewer)",
)
# advice, not a request: a negation shortly before the request
NEGATED = any_of(
    r"\bnever\b",
    r"\bdon t\b",
    r"\bdo not\b",
    r"\bnobody\b",
    r"\bno one\b",
    r"\bnot\b",
    "不要",
    "切勿",
    "别",
    "不会",
    "绝不",
    r"\bkhông\b",
    r"\bđừng\b",
    r"\bnie\b",
    r"\bniemals\b",
    r"\bnicht\b",
    r"\bkeine?m?\b",
    r"\bnunca\b",
    r"\bno\b",
    r"\bnão\b",
    r"\bjamais\b",
    r"\bne\b",
    r"\bникогда\b",
    r"\bне\b",
    r"\basla\b",
    r"\bjangan\b",
    r"\btidak\b",
    "絶対",
    "절대",
)
NEGATION_REACH = 30  # characters before the request read for a negation


def asks_for_secret(readable_text: str) -> str | None:
    """The request for a secret in ``readable_text`` (for evidence), or ``None``."""
    for match in ASKS.finditer(readable_text):
        before = readable_text[max(0, match.start() - NEGATION_REACH) : match.start()]
        if NEGATED.search(before) is None:
            return match.group()
    return None


# A user telling that someone asked them for a secret: "a guy from support wants my 2FA
# code", "管理员要我的助记词", "시드 문구 달라고 하네요". The request is reported, not made,
# so ``ASKS`` (the imperative) does not see it; the secret named is narrower than the
# gate's (a wallet address or a UID is what support may ask for).
MY_SECRET = any_of(
    r"\bseed",
    r"phrase",
    r"mnemonic",
    r"private ?key",
    r"\b2fa\b",
    r"\botp\b",
    r"passw",
    r"\bcodes?\b",
    r"\bpin\b",
    r"助记词|私钥|密码|验证码|谷歌验证",
    r"シード|フレーズ|秘密鍵|パスワード|認証コード",
    r"시드|문구|개인 ?키|비밀번호|인증 ?코드",
    r"cụm từ|khóa riêng|mật khẩu|\bmã\b",
    r"schlüssel|passwort|\bcode",
    r"\bfrase|clave privada|contraseña|c[oó]digo|semilla|chave privada|senha",
    r"cl[ée] priv|mot de passe",
    r"\bсид|фраз|ключ|парол|\bкод",
    r"kelime|anahtar|şifre|\bkod",
    r"\bfrasa|kunci|kata sandi",
)
ASKED_ME = any_of(
    r"\b(?:asked|asking|asks|wants?|wanted|told|tells) (?:me )?"
    r"(?:for |to (?:send|give|share|enter|tell) (?:him |her |them )?)?(?:my|me my)\b",
    r"(?:要我|让我|叫我|问我要|找我要|跟我要)",
    r"(?:教えて|送って|共有して)(?:と|って)(?:言われ|頼まれ|言って)|を?(?:聞かれ|求められ|要求され)",
    r"(?:달라고|알려 ?달래|보내 ?달래|요구(?:하|했|를))",
    r"\b(?:xin|đòi|hỏi|bảo|yêu cầu) (?:\w+ ){0,4}(?:của )?(?:tôi|mình|em)\b",
    r"\b(?:will|wollte|wollten|fragt|fragte|verlangt|verlangte|möchte)\w* (?:\w+ ){0,2}"
    r"(?:nach )?mein",
    r"\bme (?:pidi[óo]|pide|piden|pidieron|est[aá] pidiendo|solicit[óo])\b",
    r"\b(?:me )?(?:pediu|pedindo|pede|pediram|solicitou) (?:\w+ )?(?:a )?(?:minha|meu)\b",
    r"\bm a (?:demand[ée]|r[ée]clam[ée])|\bme (?:demande|réclame)\b",
    r"\b(?:просит|попросил\w*|просил\w*|требует|требовал\w*|хочет|хотел\w*) (?:у меня )?"
    r"(?:мо[юйиё]|мне)",
    r"\bу меня (?:\w+ ){0,2}(?:просит|попросил\w*|просил\w*|требует)",
    r"\bbenden\b.{0,40}?\b(?:ist(?:edi|iyor|ediler)|talep)",
    r"\b(?:minta|meminta|nanya|menanyakan|nanyain) (?:\w+ ){0,2}(?:saya|aku|gue|gw)\b",
)


def reported_request(readable_text: str) -> str | None:
    """A user's account of being asked for a secret (for evidence), or ``None``."""
    asked = ASKED_ME.search(readable_text)
    if asked is None or MY_SECRET.search(readable_text) is None:
        return None
    before = readable_text[max(0, asked.start() - NEGATION_REACH) : asked.start()]
    return None if NEGATED.search(before) else asked.group()
