"""The fake Telegram's Bot API: ``POST /bot<token>/<method>`` with form-encoded or
JSON parameters, answered in ``{"ok": ..., "result": ...}`` envelopes whose HTTP
status is the error code. Telegram's published limits are enforced with real 429s
carrying ``retry_after``, a share of calls can be failed (500s, dropped
connections), and sends can hang (one chat's, or a share of all): accepted and never
answered. ``tests.fakes.telegram_faults`` adds answers lost after delivery and a mix
of every fault.

``getUpdates`` keeps Telegram's contract with a polling bot: a call with offset N
confirms every update below N, and Telegram forgets those; an update not confirmed is
returned again by every later call, also one that names no offset. A second consumer
terminates the first one's long poll with 409, as does a webhook that is set. Faults
of the way to Telegram can be injected (``fail_polls``, ``lose_confirmations``): those
calls never reach the API, so they confirm nothing."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import math
import random
import time
from collections import Counter, defaultdict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

BOT = {"id": 777000, "is_bot": True, "first_name": "Support", "username": "example_support_bot"}
# what Telegram leaves out when a bot names no update types (allowed_updates=[])
NOT_BY_DEFAULT = {"chat_member", "message_reaction", "message_reaction_count"}
LIMITS = {"global": (30, 1.0), "private": (1, 1.0), "group": (20, 60.0)}
RATE_LIMITED = {
    "sendmessage",
    "editmessagetext",
    "deletemessage",
    "restrictchatmember",
    "banchatmember",
    "pinchatmessage",
    "unpinchatmessage",
    "sendphoto",
}


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)


class TelegramApi:
    """Mixed into ``FakeTelegram``, which sets the attributes declared here."""

    token: str
    limits: bool
    fail_rate: float
    drop_rate: float
    calls: list[Call]
    updates: list[dict[str, Any]]
    webhook: dict[str, Any] | None
    allowed_updates: list[str] | None
    blocked: set[int]
    confirmed: int
    deliveries: Counter[int]
    poll_faults: list[int]
    unconfirmable: int | None
    refused_polls: int
    _polls: int
    no_admin_rights: set[int]
    held: int
    limited: int
    hung: dict[int, asyncio.Event]
    hanging: int
    hang_rate: float
    _closing: asyncio.Event
    _random: random.Random
    _message_ids: defaultdict[int, itertools.count[int]]
    _new_update: asyncio.Event
    _windows: defaultdict[tuple[str, int], deque[float]]
    _resume: asyncio.Event
    _discard_held: bool
    user: Callable[..., dict[str, Any]]
    _fault_before: Callable[[int], str | None]
    _lose_answer: Callable[[web.Request, Call, str], Awaitable[web.StreamResponse]]

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return _envelope(404, error="Not Found")
        method = request.match_info["method"].lower()
        params = await _params(request)
        if method == "getupdates" and self._poll_refused(params):
            return _poll_fault(self.poll_faults.pop(0) if self.poll_faults else 502)
        if method in RATE_LIMITED and not self._resume.is_set():
            self.held += 1
            await self._resume.wait()
            self.held -= 1
            if self._discard_held:
                return _envelope(500, error="Internal Server Error")
        call = Call(method, params)
        self.calls.append(call)
        fault = None
        if method == "sendmessage":
            chat = str(params.get("chat_id"))
            if chat.lstrip("-").isdigit() and int(chat) in self.hung:
                return await self._hang(self.hung[int(chat)])
            if self.hang_rate and self._random.random() < self.hang_rate:
                return await self._hang(self._closing)
            fault = self._fault_before(int(chat) if chat.lstrip("-").isdigit() else 0)
            if fault == "hang":
                return await self._hang(self._closing)
            if fault == "5xx":
                return _envelope(500, error="Internal Server Error")
            if fault == "429":
                return _envelope(
                    429, error="Too Many Requests: retry after 1", parameters={"retry_after": 1}
                )
        if method in RATE_LIMITED:
            if self._random.random() < self.drop_rate:
                assert request.transport is not None
                request.transport.close()
                return web.Response(status=500)
            if self._random.random() < self.fail_rate:
                return _envelope(500, error="Internal Server Error")
            wait = self._rate_limit(int(params.get("chat_id", 0)))
            if wait is not None:
                self.limited += 1
                return _envelope(
                    429,
                    error=f"Too Many Requests: retry after {wait}",
                    parameters={"retry_after": wait},
                )
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return _envelope(404, error="Not Found: method not found")
        status, result = await handler(params)
        params["_status"] = status
        if status == 200:
            params["_ok"] = True
            if fault is not None:  # delivered: only its answer is lost
                return await self._lose_answer(request, call, fault)
            return _envelope(200, result=result)
        return _envelope(status, error=result)

    async def _hang(self, released: asyncio.Event) -> web.StreamResponse:
        """Accept the call and answer nothing until released (then a 500: it was
        never processed, so nothing was delivered)."""
        self.hanging += 1
        try:
            await released.wait()
        finally:
            self.hanging -= 1
        return _envelope(500, error="Internal Server Error")

    def _rate_limit(self, chat_id: int) -> int | None:
        if not self.limits:
            return None
        now = time.monotonic()
        keys = [("global", 0), ("group" if chat_id < 0 else "private", chat_id)]
        for kind, key in keys:
            window = self._windows[(kind, key)]
            limit, period = LIMITS[kind]
            while window and window[0] <= now - period:
                window.popleft()
            if len(window) >= limit:
                return max(1, math.ceil(window[0] + period - now))
        for kind, key in keys:
            self._windows[(kind, key)].append(now)
        return None

    async def _m_getme(self, _p: dict[str, Any]) -> tuple[int, Any]:
        return 200, BOT

    async def _m_getupdates(self, p: dict[str, Any]) -> tuple[int, Any]:
        if self.webhook is not None:
            return 409, (
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first"
            )
        offset = int(p.get("offset", 0) or 0)
        if offset < 0:  # the last -offset updates; every one before them is forgotten
            waiting = [u["update_id"] for u in self.updates if u["update_id"] > self.confirmed]
            if len(waiting) > -offset:
                self.confirmed = waiting[offset] - 1
            offset = 0
        self.confirmed = max(self.confirmed, offset - 1)
        timeout = float(p.get("timeout", 0) or 0)
        if "allowed_updates" in p:
            self.allowed_updates = list(p["allowed_updates"] or []) or None
        self._polls += 1
        mine = self._polls
        self._new_update.set()  # a long poll still waiting is ended by this one
        deadline = time.monotonic() + timeout
        while True:
            if self._polls != mine:
                return 409, (
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running"
                )
            pending = [
                u for u in self.updates if u["update_id"] > self.confirmed and self._allowed(u)
            ][: int(p.get("limit", 100) or 100)]
            # going offline ends a long poll at once (its port is about to close), as
            # the bot's own stop does not: the closing port would wait out its timeout
            if pending or time.monotonic() >= deadline or self._closing.is_set():
                self.deliveries.update(u["update_id"] for u in pending)
                return 200, pending
            self._new_update.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(deadline - time.monotonic()):
                    await self._new_update.wait()

    def _poll_refused(self, p: dict[str, Any]) -> bool:
        """Whether this ``getUpdates`` fails on its way, before Telegram sees it."""
        offset = int(p.get("offset", 0) or 0)
        lost = self.unconfirmable is not None and offset > self.unconfirmable
        if self.poll_faults or lost:
            self.refused_polls += 1
            return True
        return False

    def _allowed(self, update: dict[str, Any]) -> bool:
        kind = next(k for k in update if k != "update_id")
        if self.allowed_updates is None:
            return kind not in NOT_BY_DEFAULT
        return kind in self.allowed_updates

    async def _m_deletewebhook(self, _p: dict[str, Any]) -> tuple[int, Any]:
        self.webhook = None
        return 200, True

    async def _m_setwebhook(self, p: dict[str, Any]) -> tuple[int, Any]:
        self.webhook = p
        if "allowed_updates" in p:
            self.allowed_updates = list(p["allowed_updates"] or []) or None
        return 200, True

    async def _m_setmycommands(self, _p: dict[str, Any]) -> tuple[int, Any]:
        return 200, True

    async def _m_sendmessage(self, p: dict[str, Any]) -> tuple[int, Any]:
        chat_id = int(p["chat_id"])
        if chat_id in self.blocked:
            return 403, "Forbidden: bot was blocked by the user"
        if not str(p.get("text", "")).strip():
            return 400, "Bad Request: message text is empty"
        if utf16_length(p["text"]) > 4096:
            return 400, "Bad Request: message is too long"
        chat_type = "private" if chat_id > 0 else "supergroup"
        message = {
            "message_id": next(self._message_ids[chat_id]),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": chat_type},
            "from": BOT,
            "text": p["text"],
        }
        p["_message_id"] = message["message_id"]
        return 200, message

    async def _m_editmessagetext(self, p: dict[str, Any]) -> tuple[int, Any]:
        chat_id = int(p["chat_id"])
        return 200, {
            "message_id": int(p["message_id"]),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private"},
            "text": p["text"],
        }

    async def _moderate(self, p: dict[str, Any]) -> tuple[int, Any]:
        if int(p["chat_id"]) in self.no_admin_rights:
            return 400, "Bad Request: not enough rights to restrict/unrestrict chat member"
        return 200, True

    _m_deletemessage = _moderate
    _m_restrictchatmember = _moderate
    _m_banchatmember = _moderate
    _m_pinchatmessage = _moderate
    _m_unpinchatmessage = _moderate

    async def _m_answercallbackquery(self, _p: dict[str, Any]) -> tuple[int, Any]:
        return 200, True

    async def _m_getchatmember(self, p: dict[str, Any]) -> tuple[int, Any]:
        status = "administrator" if int(p["user_id"]) == BOT["id"] else "member"
        return 200, {
            "status": status,
            "user": BOT if status == "administrator" else self.user(int(p["user_id"])),
        }

    async def _m_getchat(self, p: dict[str, Any]) -> tuple[int, Any]:
        chat_id = int(p["chat_id"])
        return 200, {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"}


async def _params(request: web.Request) -> dict[str, Any]:
    if request.content_type == "application/json":
        data = await request.json()
        return dict(data) if isinstance(data, dict) else {}
    form = await request.post()
    params: dict[str, Any] = {}
    for key, value in form.items():
        if isinstance(value, str) and value[:1] in "[{" and key != "text":
            try:
                params[key] = json.loads(value)
                continue
            except json.JSONDecodeError:
                pass
        params[key] = value
    return params


def _poll_fault(status: int) -> web.Response:
    """What the way to Telegram answers: a 429 names its wait, a 5xx comes from a proxy."""
    if status == 429:
        return _envelope(
            429, error="Too Many Requests: retry after 1", parameters={"retry_after": 1}
        )
    return _envelope(status, error="Bad Gateway" if status == 502 else "Internal Server Error")


def _envelope(status: int, *, result: Any = None, error: str = "", **extra: Any) -> web.Response:
    body: dict[str, Any]
    if status == 200:
        body = {"ok": True, "result": result}
    else:
        body = {"ok": False, "error_code": status, "description": error, **extra}
    return web.Response(
        status=status, body=json.dumps(body).encode(), content_type="application/json"
    )


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2
