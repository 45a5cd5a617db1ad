"""Support offered somewhere the brand is not: a "live support" page on a free host, a
"help center" at a webmail address, "1:1 consultation" in an open chat room.

Fake support replies under a user's question (in a group, under a GitHub issue) point
away from the brand: "talk to Support on the [Live support page](https://x.web.app)",
"contact the TECHNICAL SUPPORT team at helpcenter.wallet@gmail.com". A brand's own
support lives on its domains, so words that offer a support channel next to a link to
another site, or an e-mail address that names support at a domain that is not the
brand's, are fake support whatever the brand. Users who mention support with a link of
their own ("support said check tronscan") name block explorers, which ``detect``
never counts as a foreign link, or ask about the site (a look-alike is the link rules'
to judge). Runs on ``normalize.readable`` text, e-mail addresses on visible text.
"""

from __future__ import annotations

import re

from handlers.scam.doubling import any_of

# a support channel offered: a team, a desk, a live chat, a ticket page, in 12 languages
SUPPORT_CHANNEL = any_of(
    r"\b(?:support|help|service|care) (?:team|desk|center|centre|line|page|portal)",
    r"\b(?:support|help|service|care) (?:chat|agent|ticket)",
    r"\blive (?:support|chat|agent)",
    r"\b(?:technical|customer|tech) (?:support|service|care)",
    r"\bhelp ?desk\b",
    r"\bhelp ?center\b",
    r"\bsupport ticket",
    "在线客服",
    "人工客服",
    "客服中心",
    "技术支持",
    "サポートセンター",
    "サポート窓口",
    "カスタマーサポート",
    "고객센터",
    "고객지원",
    "상담 ?창구",
    r"bộ phận (?:hỗ trợ|chăm sóc)",
    r"chăm sóc khách hàng",
    r"\bkundendienst|\bsupport-?team|\bhilfe-?center|\bkundenservice",
    r"\bcentro de (?:ayuda|soporte)|\batenci[oó]n al cliente|\bequipo de soporte",
    r"\bcentral de (?:ajuda|atendimento)|\bequipe de suporte|\bsuporte t[ée]cnico",
    r"\bservice client|\bcentre d aide|\b[ée]quipe (?:de |d )?(?:support|assistance)",
    r"\bслужб\w* поддержки|\bтехподдержк|\bоператор поддержки",
    r"\bdestek (?:ekibi|hattı|merkezi)|\bmüşteri hizmet",
    r"\blayanan pelanggan|\bpusat bantuan|\btim (?:support|dukungan|bantuan)",
)
# a named support contact in a chat app: "카톡 오픈채팅 'Brand 고객지원'"
OPEN_CHAT = any_of(
    r"오픈 ?채팅",
    r"open ?chat",
    "オープンチャット",
)
_EMAIL = re.compile(r"[\w.+-]+@((?:[\w-]+\.)+[a-z]{2,24})\b", re.IGNORECASE)
_SUPPORT_WORD = re.compile(r"support|help|service|care|desk|admin|recover|rectif|team")


def support_elsewhere(
    readable_text: str, visible_text: str, *, foreign_link: bool, official_domains: tuple[str, ...]
) -> str | None:
    """The words of a support channel offered away from the brand's domains, or ``None``."""
    for match in _EMAIL.finditer(visible_text[:20_000]):
        domain = match.group(1).lower()
        official = any(domain == d or domain.endswith("." + d) for d in official_domains)
        if not official and _SUPPORT_WORD.search(match.group().lower()):
            return match.group()
    channel = SUPPORT_CHANNEL.search(readable_text)
    if channel is None:
        return None
    if foreign_link:
        return channel.group()
    chat = OPEN_CHAT.search(readable_text)
    return f"{channel.group()} … {chat.group()}" if chat else None
