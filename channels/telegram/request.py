"""python-telegram-bot's HTTP layer on aiohttp: :class:`TelegramRequest`.

python-telegram-bot sends through httpx by default, and on a busy bot that is where
most of the process's time goes (httpx and httpcore cost more per request than
everything else a reply needs). aiohttp, which the bot already runs its server on,
parses responses in C and is far cheaper per request. This class is the library's own
extension point for that (``telegram.request.BaseRequest``): the library builds every
request and reads every answer itself, so its errors (``RetryAfter``, ``BadRequest``,
``Forbidden``, ``ChatMigrated``) come out exactly as with httpx. What this class
raises is what ``HTTPXRequest`` raises for the same failure: ``TimedOut`` when a
timeout ran out (a "pool timeout" when no connection was free, and then nothing was
sent), ``NetworkError`` for any other failure to talk to the server.

Those failures come in two kinds, which the outbox retries differently. Before a
connection was open (refused, no route, the connect timeout, no free connection)
nothing reached Telegram. Once it was open the request may have been written and
acted on, and only its answer lost (no answer within the read timeout, the connection
reset or closed): the Bot API has no idempotency key to ask with, so whether the
message was sent cannot be known. Those raise :class:`AnswerLostTimedOut` and
:class:`AnswerLostNetworkError` (both :class:`AnswerLost`), still the library's
``TimedOut`` and ``NetworkError``.
"""

from __future__ import annotations

import asyncio
import urllib.request
from typing import Any

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData
from yarl import URL

_FORM = {"Content-Type": "application/x-www-form-urlencoded"}
POOL_TIMEOUT_MESSAGE = (
    "Pool timeout: All connections in the connection pool are occupied. "
    "Request was *not* sent to Telegram. Consider adjusting the connection "
    "pool size or the pool timeout."
)


class AnswerLost(Exception):
    """Mixed into the errors of a request that may have reached Telegram: it was
    sent (or being sent) on an open connection and its answer never came."""


class AnswerLostTimedOut(TimedOut, AnswerLost):
    """No answer within the read timeout, after the request went out."""


class AnswerLostNetworkError(NetworkError, AnswerLost):
    """The connection failed after it was open: reset, closed, a broken answer."""


# failures before any byte of the request could have reached the server
_NOT_SENT: tuple[type[BaseException], ...] = (
    aiohttp.ClientConnectorError,  # refused, unreachable, DNS, TLS handshake
    aiohttp.ConnectionTimeoutError,  # the connect timeout
    aiohttp.InvalidURL,
)


class TelegramRequest(BaseRequest):
    """Requests to the Bot API over one pooled ``aiohttp.ClientSession``.

    The session is opened by :meth:`initialize` and closed by :meth:`shutdown` (the
    application calls both). At most ``connections`` requests are on the wire at once,
    each on a connection of its own; a request that finds none free waits up to its
    pool timeout and then fails with ``TimedOut`` without having been sent.

    Timeouts are per request, as python-telegram-bot passes them; the constructor's
    are the defaults. ``connect_timeout`` bounds opening a connection and
    ``read_timeout`` the wait for each piece of the answer once the request is sent:
    a request that Telegram accepts and never answers fails after ``read_timeout``
    and frees its connection then. aiohttp has no timeout per write; an upload (a
    request with files, whose body can be large) is bounded as a whole by its connect,
    write and read timeouts together instead. Other requests are small enough to be
    written at once.

    Proxies named in the environment (``HTTPS_PROXY``, ``ALL_PROXY``, ``NO_PROXY``)
    are used, as httpx uses them.
    """

    def __init__(
        self,
        *,
        connections: int = 256,
        connect_timeout: float | None = 5.0,
        read_timeout: float | None = 10.0,
        write_timeout: float | None = 10.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        if connections < 1:
            raise ValueError("connections must be at least 1")
        self._connections = connections
        self._connect_timeout = connect_timeout
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None
        self._slots = asyncio.Semaphore(connections)
        self._timeouts: dict[tuple[float | None, ...], aiohttp.ClientTimeout] = {}

    def __repr__(self) -> str:
        state = "open" if self._session is not None and not self._session.closed else "closed"
        return (
            f"TelegramRequest(connections={self._connections}, "
            f"read_timeout={self._read_timeout}, {state})"
        )

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout (python-telegram-bot adds a long poll's own
        ``timeout`` to it for ``getUpdates``)."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Open the session; again after :meth:`shutdown`, a no-op while open."""
        if self._session is not None and not self._session.closed:
            return
        self._slots = asyncio.Semaphore(self._connections)  # of this event loop
        connector = aiohttp.TCPConnector(limit=self._connections, limit_per_host=0)
        # aiohttp looks the proxy up again on every request when trusting the
        # environment, in a thread: only when the environment names one
        proxied = any(k in ("http", "https") for k in urllib.request.getproxies())
        self._session = aiohttp.ClientSession(
            connector=connector,
            headers={"User-Agent": self.USER_AGENT},
            cookie_jar=aiohttp.DummyCookieJar(),
            trust_env=proxied,
        )

    async def shutdown(self) -> None:
        """Close the session and its connections; a no-op when closed."""
        session, self._session = self._session, None
        if session is not None and not session.closed:
            await session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """See ``BaseRequest.do_request``: the HTTP status and the body.

        Raises ``TimedOut`` when a timeout ran out, ``NetworkError`` when the server
        could not be reached or dropped the connection (each as :class:`AnswerLost`
        when the request may have reached it), ``RuntimeError`` before
        :meth:`initialize`.
        """
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This TelegramRequest is not initialized!")
        files = request_data.contains_files if request_data is not None else False
        read = self._read_timeout if isinstance(read_timeout, DefaultValue) else read_timeout
        connect = (
            self._connect_timeout if isinstance(connect_timeout, DefaultValue) else connect_timeout
        )
        pool = self._pool_timeout if isinstance(pool_timeout, DefaultValue) else pool_timeout
        if isinstance(write_timeout, DefaultValue):
            write = self._media_write_timeout if files else self._write_timeout
        else:
            write = write_timeout
        timeout = self._timeout(connect, read, write if files else None)
        data, headers = _body(request_data)
        await self._take_slot(pool)
        try:
            async with session.request(
                method,
                url,
                data=data,
                headers=headers,
                timeout=timeout,
                allow_redirects=False,  # as python-telegram-bot's httpx client
            ) as response:
                return response.status, await response.read()
        except TimeoutError as exc:  # aiohttp's own timeouts are TimeoutErrors too
            if isinstance(exc, _NOT_SENT):
                raise TimedOut from exc
            raise AnswerLostTimedOut from exc
        except aiohttp.ClientError as exc:
            message = f"aiohttp.{exc.__class__.__name__}: {exc}"
            if isinstance(exc, _NOT_SENT):
                raise NetworkError(message) from exc
            raise AnswerLostNetworkError(message) from exc
        finally:
            self._slots.release()

    async def _take_slot(self, pool: float | None) -> None:
        if not self._slots.locked():
            await self._slots.acquire()  # free: taken at once
            return
        try:
            async with asyncio.timeout(pool):
                await self._slots.acquire()
        except TimeoutError as exc:
            raise TimedOut(POOL_TIMEOUT_MESSAGE) from exc

    def _timeout(
        self, connect: float | None, read: float | None, write: float | None
    ) -> aiohttp.ClientTimeout:
        """The timeouts of one request (a handful of distinct ones in a bot's life)."""
        key = (connect, read, write)
        timeout = self._timeouts.get(key)
        if timeout is None:
            parts = (connect, write, read)
            whole = sum(p for p in parts if p is not None) if None not in parts else None
            timeout = aiohttp.ClientTimeout(
                total=whole if write is not None else None,
                connect=connect,
                sock_connect=connect,
                sock_read=read,
            )
            if len(self._timeouts) > 64:
                self._timeouts.clear()
            self._timeouts[key] = timeout
        return timeout


def _body(request_data: RequestData | None) -> tuple[Any, dict[str, str] | None]:
    """The request body as httpx sends it for python-telegram-bot: form-encoded
    parameters, or ``multipart/form-data`` when files are uploaded; none without
    parameters."""
    if request_data is None:
        return None, None
    if request_data.contains_files:
        form = aiohttp.FormData()
        for name, value in request_data.json_parameters.items():
            form.add_field(name, value)
        for name, (filename, content, mimetype) in request_data.multipart_data.items():
            form.add_field(name, content, filename=filename, content_type=mimetype)
        return form, None
    parameters = request_data.json_parameters
    if not parameters:
        return None, None
    # the same form encoding as urllib's urlencode (which httpx uses), by yarl's quoter
    # in C: urlencode quotes byte by byte in Python, a quarter of a send's time
    return URL.build(query=parameters).raw_query_string.encode(), _FORM
