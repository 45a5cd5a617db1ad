"""Who may talk on the web chat: sessions the server issues, and limits per address.

A session id chosen by the browser was the chat's only credential: any page that
learned one could attach to it and read the replies, agents' answers included. Now
the server makes the id, signs it, and hands it over as an ``HttpOnly``,
``SameSite=Strict`` cookie that scripts cannot read and other sites cannot send; the
socket also checks ``Origin``, so a page elsewhere cannot open it with the user's
cookie. Limits per client address keep one client from opening endless sessions and
sockets, or from flooding the inbox by rotating sessions.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from urllib.parse import urlsplit

from aiolimiter import AsyncLimiter
from pydantic import BaseModel, ConfigDict, Field, field_validator

from channels.base import Capabilities
from channels.registry import ChannelSpec

COOKIE = "socialdesk_chat"
COOKIE_MAX_AGE = 90 * 24 * 3600  # renewed at each visit: a chat kept in use stays
MIN_SECRET = 32  # characters of a signing key taken from the environment
MAX_TRACKED = 50_000  # addresses whose limits are remembered (the least recent go)
_SESSION = re.compile(r"^[0-9a-f]{32}$")


class WebChatSettings(BaseModel):
    """The ``[webchat]`` configuration section."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True
    # the key that signs session cookies; unset, the bot makes one and keeps it in the
    # database, where every process of the bot finds the same one
    secret_env: str = "SOCIALDESK_WEBCHAT_SECRET"
    # origins whose pages may open the chat's socket (``https://support.example.com``);
    # empty: the chat's own page, whose Origin names the host the request came to
    allowed_origins: list[str] = Field(default_factory=list)
    sessions_per_address_per_hour: int = Field(default=30, ge=1)
    sockets_per_address: int = Field(default=20, ge=1)
    messages_per_address_per_minute: int = Field(default=60, ge=1)

    @field_validator("allowed_origins")
    @classmethod
    def _origins(cls, value: list[str]) -> list[str]:
        cleaned = []
        for origin in value:
            parts = urlsplit(origin)
            if (
                parts.scheme not in ("http", "https")
                or not parts.netloc
                or parts.path not in ("", "/")
            ):
                raise ValueError(f"{origin!r} is not an origin (scheme://host[:port])")
            cleaned.append(f"{parts.scheme}://{parts.netloc}".lower())
        return cleaned

    def required_env(self) -> list[tuple[str, str]]:
        """Nothing is required: without ``secret_env`` set, a key is made and kept."""
        return []

    def env_problem(self, environ: Mapping[str, str]) -> str | None:
        """What is wrong with the secret the environment holds, if anything."""
        secret = environ.get(self.secret_env)
        if secret and len(secret) < MIN_SECRET:
            return (
                f"secret_env: the environment variable {self.secret_env} holds a key shorter "
                f"than {MIN_SECRET} characters"
            )
        return None


class SessionSigner:
    """Issues session ids and signs them with HMAC-SHA256; only a signed id is honoured."""

    def __init__(self, key: str) -> None:
        self._key = key.encode()

    def __repr__(self) -> str:
        return "SessionSigner()"  # never the key

    def issue(self) -> tuple[str, str]:
        """A new session id and the cookie value that carries it."""
        session = secrets.token_hex(16)
        return session, self.cookie(session)

    def cookie(self, session: str) -> str:
        return f"{session}.{self._sign(session)}"

    def verify(self, cookie: str | None) -> str | None:
        """The session a cookie carries, ``None`` unless this key signed it."""
        session, _, signature = (cookie or "").partition(".")
        if not _SESSION.match(session):
            return None
        return session if hmac.compare_digest(signature, self._sign(session)) else None

    def _sign(self, session: str) -> str:
        digest = hmac.new(self._key, f"webchat-session:{session}".encode(), hashlib.sha256)
        return base64.urlsafe_b64encode(digest.digest()).decode().rstrip("=")


def origin_allowed(origin: str | None, host: str, allowed: Sequence[str]) -> bool:
    """Whether a page at ``origin`` may open the socket reached at ``host``.

    Browsers always send ``Origin`` on a websocket handshake; a request without one is
    refused like a foreign one.
    """
    if not origin or origin == "null":
        return False
    if allowed:
        return origin.rstrip("/").lower() in allowed
    return urlsplit(origin).netloc.lower() == host.lower()


class AddressLimits:
    """Per client address: new sessions per hour, open sockets, messages per minute.

    Buckets are leaky (aiolimiter), so a burst up to the limit passes and then the
    rate holds. The least recently seen addresses are forgotten past ``MAX_TRACKED``.
    """

    def __init__(self, settings: WebChatSettings) -> None:
        self.settings = settings
        self._sessions: OrderedDict[str, AsyncLimiter] = OrderedDict()
        self._messages: OrderedDict[str, AsyncLimiter] = OrderedDict()
        self._sockets: dict[str, int] = {}

    def __repr__(self) -> str:
        return (
            f"AddressLimits(addresses={len(self._messages)}, sockets={sum(self._sockets.values())})"
        )

    async def new_session(self, address: str) -> bool:
        """Whether ``address`` may be given one more session now."""
        rate = self.settings.sessions_per_address_per_hour
        return await _take(self._sessions, address, rate, 3600.0)

    async def message(self, address: str) -> float | None:
        """``None`` if a message from ``address`` may go in now, else seconds to wait."""
        rate = self.settings.messages_per_address_per_minute
        if await _take(self._messages, address, rate, 60.0):
            return None
        return round(60.0 / rate, 2)

    def open_socket(self, address: str) -> bool:
        """Count a socket opened from ``address``; ``False`` (not counted) past the cap."""
        count = self._sockets.get(address, 0)
        if count >= self.settings.sockets_per_address:
            return False
        self._sockets[address] = count + 1
        return True

    def close_socket(self, address: str) -> None:
        count = self._sockets.get(address, 0) - 1
        if count > 0:
            self._sockets[address] = count
        else:
            self._sockets.pop(address, None)


async def _take(
    buckets: OrderedDict[str, AsyncLimiter], key: str, rate: int, period: float
) -> bool:
    bucket = buckets.get(key)
    if bucket is None:
        bucket = buckets[key] = AsyncLimiter(rate, period)
        if len(buckets) > MAX_TRACKED:
            buckets.popitem(last=False)
    else:
        buckets.move_to_end(key)
    if not bucket.has_capacity():
        return False
    await bucket.acquire()  # immediate: there is capacity
    return True


SPEC = ChannelSpec(
    name="web",
    section="webchat",
    title="the web chat",
    settings=WebChatSettings,
    factory="channels.webchat:build",
    capabilities=Capabilities(max_length=4000, buttons=True, files=True),
)
