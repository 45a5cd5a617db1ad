"""Links to an account or an invite on a platform, read as the handle they name.

``/verify https://<platform>/example`` asks about ``@example``: the link is only the way the
user found it. The link is split with the standard URL parser; each registered
channel reads the links of its own platform (``ChannelSpec.account_link``); any other
host is left to the domain check.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from channels import registry


def named_account(item: str) -> str | None:
    """The handle a link to an account or invite names (``@name``, an invite such as
    ``<host>/<code>``), ``None`` for anything else (a handle, another site)."""
    text = item.strip()
    if not text or text.startswith("@"):
        return None
    parts = urlsplit(text if "://" in text else f"https://{text}")
    try:
        host = (parts.hostname or "").casefold().removeprefix("www.")
    except ValueError:
        return None
    segments = [s for s in parts.path.split("/") if s]
    for spec in registry.specs():
        if spec.account_link is not None and (named := spec.account_link(host, segments)):
            return named
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
