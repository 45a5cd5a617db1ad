"""A shortened link that asks the reader to sign in, verify or claim: phishing in a
wrapper the link rules cannot see through.

"Qorvex security update required. Log in here to keep withdrawals enabled:
bit.ly/3qvxSecure": the host a shortener hides is never read, so no look-alike rule can
judge it, and an exchange sends its users to its own domains, never through a
shortener. A shortened link beside the brand's name or a word for signing in,
verifying, restoring or claiming is warned about (a doubt, not a removal); one shared
with neither ("this thread explains it: bit.ly/…") is the other detectors' to read.
Plain alternations on ``normalize.readable`` text, in the twelve UI languages.
"""

from __future__ import annotations

from handlers.scam.doubling import any_of
from handlers.scam.links import Host

SHORTENERS = frozenset(
    [
        "bit.ly",
        "tinyurl.com",
        "cutt.ly",
        "is.gd",
        "rb.gy",
        "shorturl.at",
        "goo.gl",
        "ow.ly",
        "tiny.cc",
        "t.ly",
        "s.id",
        "buff.ly",
        "rebrand.ly",
        "bitly.com",
        "v.gd",
    ]
)
SIGN_IN = any_of(
    r"\blog ?in|\bsign ?in|\bverif|\bsecurity|\brestore|\bunlock|\bclaim|\bairdrop|\bwithdraw",
    "登录|验证|安全|解锁|领取|空投|提现",
    "ログイン|認証|セキュリティ|復元|受け取|エアドロップ|出金",
    "로그인|인증|보안|복구|수령|에어드[랍롭]|출금",
    r"đăng nhập|xác minh|bảo mật|khôi phục|\bnhận\b|\brút\b",
    r"\banmeld|verifizier|sicherheit|wiederherstell|auszahl",
    r"iniciar sesi[oó]n|verific|seguridad|restaur|reclam|retir",
    r"\bentrar\b|seguran[çc]a|resgat|\bsaque",
    r"connexion|connectez|v[ée]rifi|s[ée]curit[ée]|r[ée]clam|retrait",
    r"\bвойти|\bвход|подтверд|безопасн|восстанов|\bвывод",
    r"giriş|doğrula|güvenlik|talep|çekim",
    r"\bmasuk\b|verifikasi|keamanan|pulihkan|\bklaim|penarikan",
)


def shortened(host: Host, readable_text: str, brand: str = "") -> bool:
    """Whether ``host`` is a link shortener that ``readable_text`` sends the reader
    through to sign in, verify or claim (or beside the brand's name)."""
    if host.registered not in SHORTENERS and host.host not in SHORTENERS:
        return False
    named = bool(brand) and brand.casefold() in readable_text
    return named or SIGN_IN.search_typed(readable_text) is not None
