"""The web chat across several processes: a frame reaches the socket another process holds.

A browser holds its websocket to ONE process behind the load balancer, while the
reply to it (an agent's answer, a notice) may be sent by any process that claimed the
outbox row. The sending process keeps the line in the chat's history (the database)
and writes it to the sockets it holds itself, as with one process; then it publishes
the frame on one Redis channel (``<prefix>:webchat:frames``, the chat id inside), to
which every process subscribes, and the processes holding a socket of that chat write
it there.

What holds:

- **Delivered once.** The outbox row is delivered when the line is kept: from then on
  a tab that connects, to any process, is sent it with the chat's history. Nothing
  after that raises, so the row is never retried and the line never kept twice. The
  page shows a line once by its id (``out-<n>``), whether it came live, in history, or
  both.
- **How the sender learns a socket was reached.** ``PUBLISH`` returns how many
  processes received the frame, not how many hold a socket of the chat, and a process
  that received it may have none, or see its socket close first. So every subscriber
  answers on a reply key of that frame (``RPUSH``: how many of its sockets it wrote,
  ``0`` for none; the sender itself answers ``0``), and the sender waits with
  ``BLPOP`` for as many answers as ``PUBLISH`` counted, at most ``answer_wait``
  seconds. The sum is the number of sockets the frame was written to ("written": put
  on an open socket, not proven read; a browser that dropped gets it on reconnect).
  An answer later than the wait is not counted; the frame was still written.
- **Nobody holds the socket** (the user is offline everywhere): every answer is ``0``
  and the line waits in the history for the browser to come back, as with one process.
- **Redis unavailable**: sockets in the sending process still get their frames; one
  log line says the fan-out is down; the chats sent to meanwhile are remembered. Once
  the subscription is back, this process sends each of its open tabs the chat's
  history again and asks the others to do the same for the remembered chats, so a tab
  held elsewhere catches up without a reload. Nothing is lost: the lines are in the
  database all along.
- **The agents' console** reads the database over HTTP (it polls), so any process
  serves it; it needs no fan-out.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry

log = logging.getLogger(__name__)

# (chat, frame) -> how many of this process's sockets of the chat the frame was written to
Deliver = Callable[[str, dict[str, Any]], Awaitable[int]]
# chat (None: every chat) -> this process's open tabs of it are sent its history again
Resync = Callable[[str | None], Awaitable[None]]

ANSWER_WAIT = 1.5  # seconds a sender waits for the other processes' answers
ANSWER_TTL = 10  # seconds a reply key lives: answers after the wait are not read
MAX_PENDING = 10_000  # chats remembered during an outage; past it, every chat resyncs
RETRY_FIRST, RETRY_MOST = 0.2, 5.0  # seconds between attempts to subscribe again
POLL = 1.0  # seconds the listener waits for a frame before it looks at its state
_FAILURES = (RedisError, OSError)


class Fanout(Protocol):
    """Reaches the web chat's sockets held by the other processes.

    ``start`` subscribes (a failure is logged, never raised: the chat works in this
    process meanwhile) and calls ``deliver`` for each frame another process sends and
    ``resync`` when a chat (or every chat) may have missed frames. ``publish`` returns
    how many sockets elsewhere the frame was written to; it never raises. ``stop``
    unsubscribes and closes the connections.
    """

    async def start(self, deliver: Deliver, resync: Resync) -> None: ...

    async def stop(self) -> None: ...

    async def publish(self, chat_id: str, frame: dict[str, Any]) -> int: ...


class RedisFanout:
    """A :class:`Fanout` over Redis pub/sub, with answers on reply keys.

    The URL may carry a password: it is not kept in any attribute that is shown, and
    never logged.
    """

    def __init__(self, url: str, prefix: str, *, answer_wait: float = ANSWER_WAIT) -> None:
        options: dict[str, Any] = {
            "socket_connect_timeout": 1.0,
            "socket_timeout": answer_wait + 5.0,  # past the longest BLPOP
            "socket_keepalive": True,
            "health_check_interval": 10,
        }
        self._redis = Redis.from_url(url, retry=Retry(NoBackoff(), 1), **options)
        # the subscription never reconnects by itself: a gap must be seen, to catch up
        self._listening = Redis.from_url(url, retry=Retry(NoBackoff(), 0), **options)
        self._channel = f"{prefix}:webchat:frames"
        self._reply_prefix = f"{prefix}:webchat:answer:"
        self._me = secrets.token_hex(8)
        self._seq = itertools.count(1)
        self.answer_wait = answer_wait
        self._deliver: Deliver | None = None
        self._resync: Resync | None = None
        self._up = False
        self._down_logged = False
        self._again = asyncio.Event()  # a publish failed: subscribe again to know
        self._pending: set[str] = set()  # chats sent to while the fan-out was down
        self._pending_all = False
        self._listener: asyncio.Task[None] | None = None
        self._handling: set[asyncio.Task[None]] = set()

    def __repr__(self) -> str:
        state = "up" if self._up else "down"
        return f"RedisFanout({self._channel}, {state}, pending={len(self._pending)})"

    @property
    def up(self) -> bool:
        """Whether this process is subscribed and its last publish went through."""
        return self._up

    async def start(self, deliver: Deliver, resync: Resync) -> None:
        self._deliver, self._resync = deliver, resync
        pubsub = await self._subscribe()
        self._listener = asyncio.create_task(self._listen(pubsub), name="webchat-fanout")

    async def stop(self) -> None:
        tasks = [t for t in (self._listener, *self._handling) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._listener, self._up = None, False
        for client in (self._listening, self._redis):
            with contextlib.suppress(*_FAILURES):
                await client.aclose()

    async def publish(self, chat_id: str, frame: dict[str, Any]) -> int:
        """How many sockets in the other processes ``frame`` was written to (see the
        module's docstring); 0 when the fan-out is down, the chat then remembered."""
        if not self._up:
            self._remember(chat_id)
            return 0
        reply = f"{self._reply_prefix}{self._me}:{next(self._seq)}"
        note = {"kind": "frame", "chat": chat_id, "frame": frame, "from": self._me, "reply": reply}
        try:
            listeners = await self._redis.publish(self._channel, json.dumps(note))
            return await self._answers(reply, int(listeners))
        except _FAILURES as exc:
            self._remember(chat_id)
            self._down(exc)
            return 0

    async def _answers(self, reply: str, listeners: int) -> int:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.answer_wait
        written = answered = 0
        while answered < listeners:
            left = deadline - loop.time()
            if left < 0.01:
                break
            got = await self._redis.blpop([reply], timeout=round(left, 3))
            if got is None:
                break
            answered += 1
            written += int(got[1])
        if answered < listeners:
            log.debug("web chat: %d of %d processes answered in time", answered, listeners)
        return written

    async def _subscribe(self) -> PubSub | None:
        """The subscription, caught up; ``None`` (logged once) when Redis cannot be had."""
        pubsub = self._listening.pubsub(ignore_subscribe_messages=True)
        try:
            await pubsub.subscribe(self._channel)
            self._again.clear()
            self._up = True
            await self._catch_up()
        except _FAILURES as exc:
            self._up = False
            self._down(exc)
            with contextlib.suppress(*_FAILURES):
                await pubsub.aclose()
            return None
        if self._down_logged:
            self._down_logged = False
            log.info("web chat: the fan-out to the other processes is back; open chats caught up")
        return pubsub

    async def _catch_up(self) -> None:
        """After a gap (or at start: a tab may have connected before the subscription),
        this process's tabs get their history again; the chats sent to meanwhile are
        announced, so that the processes holding them do the same."""
        assert self._resync is not None
        try:
            await self._resync(None)
        except Exception:  # the database, most likely: the tabs get it when they reconnect
            log.exception("web chat: the open tabs could not be sent their history again")
        chats, every = self._pending, self._pending_all
        self._pending, self._pending_all = set(), False
        try:
            for chat in [None] if every else sorted(chats):
                note = {"kind": "sync", "chat": chat, "from": self._me}
                await self._redis.publish(self._channel, json.dumps(note))
        except _FAILURES:
            self._pending |= chats
            self._pending_all |= every
            raise

    async def _listen(self, pubsub: PubSub | None) -> None:
        delay = RETRY_FIRST
        while True:
            if pubsub is None:
                await asyncio.sleep(delay)  # the time between attempts, not a wait on an outcome
                delay = min(delay * 2, RETRY_MOST)
                pubsub = await self._subscribe()
                continue
            delay = RETRY_FIRST
            try:
                while not self._again.is_set():
                    message = await pubsub.get_message(timeout=POLL)
                    if message is not None and message.get("type") == "message":
                        self._spawn(message["data"])
            except _FAILURES as exc:
                self._down(exc)
            except Exception:
                log.exception("web chat: the fan-out's subscription failed; subscribing again")
            self._up = False
            with contextlib.suppress(*_FAILURES):
                await pubsub.aclose()
            pubsub = None  # subscribed again after the first delay

    def _spawn(self, data: bytes) -> None:
        task = asyncio.create_task(self._handle(data))
        self._handling.add(task)
        task.add_done_callback(self._handling.discard)

    async def _handle(self, data: bytes) -> None:
        assert self._deliver is not None and self._resync is not None
        try:
            note = json.loads(data)
            kind, chat, origin = note["kind"], note["chat"], note["from"]
            if kind == "frame":
                mine = origin == self._me  # its own tabs were written before it published
                written = 0 if mine else await self._deliver(str(chat), dict(note["frame"]))
                async with self._redis.pipeline(transaction=False) as pipe:
                    pipe.rpush(str(note["reply"]), written)
                    pipe.expire(str(note["reply"]), ANSWER_TTL)
                    await pipe.execute()
            elif kind == "sync" and origin != self._me:
                await self._resync(None if chat is None else str(chat))
        except (ValueError, KeyError, TypeError) as exc:
            log.warning("web chat: an unreadable fan-out message was ignored (%s)", exc)
        except _FAILURES as exc:
            self._down(exc)
        except Exception:
            log.exception("web chat: a frame from another process could not be delivered")

    def _remember(self, chat_id: str) -> None:
        if len(self._pending) >= MAX_PENDING:
            self._pending_all = True
        else:
            self._pending.add(chat_id)

    def _down(self, exc: BaseException) -> None:
        """One log line per outage; the listener subscribes again to find out when it
        is over (no URL in the line: it may carry a password)."""
        self._up = False
        self._again.set()
        if not self._down_logged:
            self._down_logged = True
            log.warning(
                "web chat: the fan-out to the other processes is unavailable (%s: %s); "
                "sockets in this process still get their frames, the others catch up when "
                "it is back",
                type(exc).__name__,
                exc,
            )
