"""Links to an account or an invite on a platform, read as the handle they name.

``/verify https://t.me/example`` asks about ``@example``: the link is only the way the
user found it. Telegram (``t.me``, ``telegram.me``), X (``x.com``, ``twitter.com``) and
Discord invites (``discord.gg``, ``discord.com/invite``) are read with the standard URL
parser; any other host is left to the domain check.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

TELEGRAM_HOSTS = frozenset({"t.me", "telegram.me", "telegram.dog"})
X_HOSTS = frozenset({"x.com", "twitter.com", "mobile.twitter.com", "mobile.x.com"})
DISCORD_INVITE_HOSTS = frozenset({"discord.gg"})
DISCORD_HOSTS = frozenset({"discord.com", "discordapp.com"})
# first path segments that are pages of the platform, not accounts
_NOT_ACCOUNTS = frozenset(
    {
        "i",
        "home",
        "intent",
        "share",
        "search",
        "explore",
        "settings",
        "hashtag",
        "login",
        "joinchat",
        "addstickers",
        "addemoji",
        "proxy",
        "socks",
        "s",
        "c",
    }
)
_NAME = re.compile(r"^[A-Za-z0-9_]{2,64}$")
_INVITE = re.compile(r"^[A-Za-z0-9-]{2,64}$")


def named_account(item: str) -> str | None:
    """``@name`` for a link to an account on Telegram or X, ``discord.gg/<code>`` for a
    Discord invite link, ``None`` for anything else (a handle, another site)."""
    text = item.strip()
    if not text or text.startswith("@"):
        return None
    parts = urlsplit(text if "://" in text else f"https://{text}")
    try:
        host = (parts.hostname or "").casefold().removeprefix("www.")
    except ValueError:
        return None
    segments = [s for s in parts.path.split("/") if s]
    if not segments:
        return None
    first = segments[0]
    if host in TELEGRAM_HOSTS and first == "s" and len(segments) > 1:
        first = segments[1]  # t.me/s/<name>: the web preview of the channel <name>
    if host in TELEGRAM_HOSTS or host in X_HOSTS:
        if first.casefold() in _NOT_ACCOUNTS or not _NAME.match(first):
            return None
        return f"@{first}"
    if host in DISCORD_INVITE_HOSTS and _INVITE.match(first):
        return f"discord.gg/{first}"
    if host in DISCORD_HOSTS and first == "invite" and len(segments) > 1:
        return f"discord.gg/{segments[1]}" if _INVITE.match(segments[1]) else None
    return None


def same_account(named: str, official: str) -> bool:
    """Whether two handles or invites are the same (handles ignore case; an official
    entry may itself be written as a link)."""
    theirs = named_account(official) or official.strip()
    if named.startswith("@") and theirs.startswith("@"):
        return named.casefold() == theirs.casefold()
    if named.startswith("@"):
        return named[1:].casefold() == theirs.casefold()
    return named == theirs  # invite codes are case-sensitive
