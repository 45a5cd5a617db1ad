"""The channels socialdesk knows, described without starting any of them.

Configuration, broadcasts, the CLI and agents' accounts need to know a channel's
configuration section, its length limits, the format of its chat ids and whether
agents link an account on it, long before (or without) its platform library being
imported. Each channel package declares that once, as a :class:`ChannelSpec` named
``SPEC``; this module lists the packages. Adding a channel is its package, one line in
:data:`PACKAGES` and its fake: nothing in the shared layers spells a platform's name.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Protocol

from pydantic import BaseModel

from channels.base import Capabilities, Channel

# One line per channel: the module that defines its ``SPEC``. The order is the order
# in which configuration, help texts and listings show them.
PACKAGES: tuple[str, ...] = (
    "channels.webchat_session",
    "channels.telegram.settings",
    "channels.discord.settings",
    "channels.x.settings",
)

# The chat id of a new post on the exchange's own account, replying to nothing: what a
# notice sent to a channel with ``account_posts`` is addressed to.
ACCOUNT_POST = "post:"


@dataclass(frozen=True, slots=True)
class BuildContext:
    """What the composition root hands every channel factory.

    ``commands`` is the command menu by language (``{"en": {"help": "Help"}}``),
    ``page_texts`` the web page's sentences by language, ``environ`` where secrets come
    from (the process environment; tests pass their own). ``redis_url`` and
    ``redis_prefix`` are the shared Redis of several processes (``[redis]``; ``None``:
    one process), for a channel whose sockets are held by one process and must be
    reached from the others; the URL may carry a password and is never logged.
    """

    environ: Mapping[str, str]
    commands: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    page_texts: Any = None
    redis_url: str | None = field(default=None, repr=False)
    redis_prefix: str = "socialdesk"


# Reads a link to an account (or invite) on a platform: (host without "www.", path
# segments) -> the handle it names ("@name", "discord.gg/<code>"), or None.
AccountLink = Callable[[str, list[str]], str | None]
_HANDLE = re.compile(r"^[A-Za-z0-9_]{2,64}$")
# first path segments that are the social platforms' own pages, not accounts
_PAGES = frozenset(
    [
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
    ]
)


def handle_in(first: str) -> str | None:
    """``@first`` when a link's first path segment names an account, not one of the
    platforms' own pages (``share``, ``login``, ...)."""
    if first.casefold() in _PAGES or not _HANDLE.match(first):
        return None
    return f"@{first}"


class ChannelFactory(Protocol):
    """Builds a channel's adapter from its settings; called only when it is enabled.

    It may import the platform library (that is why it is named by a string in the
    spec) and reads its secrets from ``context.environ``; it must not start anything:
    the composition root starts channels after everything is built.
    """

    def __call__(self, settings: Any, context: BuildContext) -> Channel: ...


@dataclass(frozen=True, slots=True)
class ChannelSpec:
    """A channel as the shared layers see it.

    ``chat_id`` is the format of a chat a notice may be posted in (``None``: a notice
    cannot name chats there); ``account_posts`` means a notice can go out as one public
    post on the exchange's own account instead. ``splittable`` names the kinds of
    message (``chat``, ``dm``) that may go out as several messages when too long.
    ``agent_account`` is the format of a user id an agent links to act from that
    channel's staff chat (``None``: agents do not work there). ``account_link`` reads
    a link to an account on the platform, so ``/verify <link>`` checks the handle.
    """

    name: str
    section: str
    title: str
    settings: type[BaseModel]
    factory: str  # "module:function" of a ChannelFactory
    capabilities: Capabilities
    dm_capabilities: Capabilities | None = None
    chat_id: re.Pattern[str] | None = None
    account_posts: bool = False
    splittable: frozenset[str] = frozenset({"dm"})
    pins: bool = False
    agent_account: re.Pattern[str] | None = None
    account_help: str = ""
    account_link: AccountLink | None = None

    def capabilities_for(self, kind: str) -> Capabilities:
        """The length rules for a message of ``kind`` (``chat``, ``dm``, ``post``)."""
        if kind == "dm" and self.dm_capabilities is not None:
            return self.dm_capabilities
        return self.capabilities

    def build(self, settings: Any, context: BuildContext) -> Channel:
        """The adapter, built by the factory the spec names (imported only now)."""
        module, _, function = self.factory.partition(":")
        factory: ChannelFactory = getattr(importlib.import_module(module), function)
        return factory(settings, context)


class UnknownChannel(KeyError):
    """A channel name that no registered channel has; the message lists the known ones."""

    def __str__(self) -> str:
        return str(self.args[0])


def specs() -> tuple[ChannelSpec, ...]:
    """Every registered channel, in :data:`PACKAGES` order."""
    return _load(PACKAGES)


@cache
def _load(packages: tuple[str, ...]) -> tuple[ChannelSpec, ...]:
    found: list[ChannelSpec] = []
    for path in packages:
        spec = importlib.import_module(path).SPEC
        if not isinstance(spec, ChannelSpec):
            raise TypeError(f"{path}.SPEC is not a ChannelSpec")
        found.append(spec)
    names = [s.name for s in found]
    if len(set(names)) != len(names):
        raise ValueError(f"two channels share a name: {names}")
    return tuple(found)


def spec(name: str) -> ChannelSpec:
    """The channel called ``name``; raises :class:`UnknownChannel`."""
    for candidate in specs():
        if candidate.name == name:
            return candidate
    known = ", ".join(s.name for s in specs())
    raise UnknownChannel(f"unknown channel {name!r}; known: {known}")


def by_section(section: str) -> ChannelSpec | None:
    """The channel configured in the TOML section ``section``, if one is."""
    return next((s for s in specs() if s.section == section), None)


def names(where: Callable[[ChannelSpec], bool] = lambda _spec: True) -> tuple[str, ...]:
    """Names of the registered channels for which ``where`` holds."""
    return tuple(s.name for s in specs() if where(s))
