"""A fake X API v2 that the real tweepy ``AsyncClient`` talks to, on 127.0.0.1.

It serves what the X channel calls (``/2/users/me``, mentions, DM events, posting a
post and sending a DM) with X's JSON shapes (``data``, ``includes``, ``meta`` with
``result_count``, ``newest_id`` and ``next_token``), newest first and paged. Every
answer carries ``x-rate-limit-*`` headers from a real fixed window per endpoint, a
spent window answers 429, and 429s or 5xxs can be injected, or a call done and its
answer lost (``lose_answers``). Authorization is checked
the way X does: DMs and posting need user context (OAuth 1.0a), not an app bearer.
It also plays X's side of the Account Activity webhook: the CRC challenge and signed
event deliveries.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import itertools
import json
import math
import re
import secrets
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from tests.fakes.faults import LostAnswers, abandoned_while_held
from tests.fakes.serving import serve, wait_until

ACCOUNT = {"id": "1000", "name": "Example Support", "username": "example_support"}
CONSUMER_KEY = "ck-test"
CONSUMER_SECRET = "cs-test"
BEARER = "bearer-test"
WINDOW = 900  # seconds, X's usual
_IDS = re.compile(r"(?<=[a-z_])/\d+(?=/|$)")


@dataclass
class Call:
    method: str
    route: str
    params: dict[str, str]
    body: Any
    status: int = 200
    reset: int = 0  # the x-rate-limit-reset it was answered with
    at: float = field(default_factory=time.time)


@dataclass
class Window:
    limit: int
    period: int
    ends: int = 0
    used: int = 0


class FakeX:
    """``async with FakeX() as x:``; point the channel's ``api_base`` at ``x.base_url``."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.posts: list[dict[str, Any]] = []  # what the account posted
        self.dms_sent: list[dict[str, Any]] = []  # what the account sent by DM
        self.closed_dms: set[str] = set()  # users who do not accept DMs from the account
        self.limits: dict[str, tuple[int, int]] = {}  # route -> (calls, period seconds)
        self.page_limit: int | None = None  # fewer results per page than asked, as X may
        self._tweets: dict[str, dict[str, Any]] = {}
        self._mentions: list[dict[str, Any]] = []
        self._dm_events: list[dict[str, Any]] = []
        self._users: dict[str, dict[str, Any]] = {ACCOUNT["id"]: ACCOUNT}
        self._faults: dict[str, deque[tuple[int, int] | None]] = {}
        self._losing = LostAnswers()  # route -> its next calls' lost answers
        self._closing = asyncio.Event()  # set on exit: unanswered calls are let go
        self._windows: dict[str, Window] = {}
        self._ids = itertools.count(1_860_000_000_000_000_000, 7)
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def __aenter__(self) -> FakeX:
        app = web.Application()
        app.router.add_route("*", "/2/{tail:.*}", self._handle)
        self._runner, self.port = await serve(app)
        return self

    async def __aexit__(self, *_exc: object) -> None:
        self._closing.set()
        if self._runner is not None:
            await self._runner.cleanup()

    # --- what users do --------------------------------------------------------------

    def user(self, user_id: str, name: str = "Alice") -> dict[str, Any]:
        user = {"id": user_id, "name": name, "username": name.lower().replace(" ", "_")}
        self._users[user_id] = user
        return user

    def mention(
        self, author: str, text: str, *, in_reply_to: str | None = None, lang: str = "en"
    ) -> dict[str, Any]:
        """A post by ``author`` that mentions the account (``@example_support``)."""
        self._users.setdefault(author, {"id": author, "name": "Alice", "username": "alice"})
        tweet = self._tweet(author, f"@{ACCOUNT['username']} {text}", in_reply_to, lang)
        self._mentions.append(tweet)
        return tweet

    def dm(self, sender: str, text: str) -> dict[str, Any]:
        """A DM from ``sender`` to the account."""
        self._users.setdefault(sender, {"id": sender, "name": "Alice", "username": "alice"})
        return self._dm_event(sender, text)

    # --- faults and what the account did -------------------------------------------

    def fail_next(
        self, route: str, status: int, count: int = 1, *, reset_in: int = 1, after: int = 0
    ) -> None:
        """Answer ``count`` calls to ``route`` (``"GET /2/dm_events"``) with ``status``,
        once ``after`` more have been answered normally; a 429 says the window resets
        ``reset_in`` seconds from now. Status 0 is a hang: the call is held ``reset_in``
        seconds, then answered normally if the client still waits."""
        queue = self._faults.setdefault(route, deque())
        queue.extend([None] * after + [(status, reset_in)] * count)

    def lose_answers(self, route: str, times: int = 1, *, unanswered: bool = False) -> None:
        """The next ``times`` successful calls to ``route`` are done (the post is up, the
        DM sent) and their answer is lost: the connection is closed at once, or with
        ``unanswered`` held open without an answer until the fake closes."""
        self._losing.add(route, times, unanswered=unanswered)

    def calls_to(self, route: str) -> list[Call]:
        return [c for c in self.calls if c.route == route]

    def thread_of(self, post_id: str) -> list[str]:
        """Ids from ``post_id`` up through what it replies to, to the thread's root."""
        chain = [post_id]
        while (parent := self._tweets[chain[-1]].get("_in_reply_to")) is not None:
            chain.append(parent)
        return chain

    async def wait_until(
        self, condition: Callable[[], bool], within: float = 10.0, what: str = ""
    ) -> None:
        await wait_until(condition, within, lambda: f"not within {within} s: {what or condition}")

    # --- X's side of the Account Activity webhook ------------------------------------

    async def crc(self, url: str) -> tuple[int, bool]:
        """Challenge the app at ``url``; (status, whether it proved the secret)."""
        token = secrets.token_urlsafe(24)
        expected = _sign(CONSUMER_SECRET, token.encode())
        async with aiohttp.ClientSession() as http, http.get(url, params={"crc_token": token}) as r:
            body = await r.json(content_type=None) if r.status == 200 else {}
            return r.status, body.get("response_token") == expected

    async def deliver(self, url: str, payload: dict[str, Any], signature: str | None = "") -> int:
        """POST an event as X does; ``signature=""`` signs it, ``None`` leaves it off."""
        body = json.dumps(payload).encode()
        headers = {"Content-Type": "application/json"}
        if signature is not None:
            headers["x-twitter-webhooks-signature"] = signature or _sign(CONSUMER_SECRET, body)
        async with aiohttp.ClientSession() as http, http.post(url, data=body, headers=headers) as r:
            return r.status

    # --- the API --------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        route = f"{request.method} {_IDS.sub('/:id', request.path)}"
        body = await request.json() if request.can_read_body else None
        call = Call(request.method, route, dict(request.query), body)
        self.calls.append(call)
        window = self._window(route)
        queue = self._faults.get(route)
        head = queue[0] if queue else None
        held = queue.popleft()[1] if queue and head is not None and head[0] == 0 else None
        if held is not None and await abandoned_while_held(request, held):
            call.status = 499  # the client gave up: nothing was done
            return web.Response(status=499)
        status, payload = self._fault(route, window)
        if status == 200:
            status, payload = self._authorize(request, route)
        if status == 200:
            window.used += 1
            name = f"_{request.method.lower()}{_IDS.sub('_id', request.path)}".replace("/", "_")
            handler = getattr(self, name, None)
            if handler is None:
                status, payload = 404, _problem(404, "Not Found")
            else:
                status, payload = handler(request, body)
        call.status, call.reset = status, window.ends
        if status < 300 and (lost := self._losing.take(route)):
            call.params["_lost"] = lost
            return await self._losing.lose(request, lost, self._closing)
        headers = {
            "x-rate-limit-limit": str(window.limit),
            "x-rate-limit-remaining": str(max(window.limit - window.used, 0)),
            "x-rate-limit-reset": str(window.ends),
        }
        return web.json_response(payload, status=status, headers=headers)

    def _window(self, route: str) -> Window:
        limit, period = self.limits.get(route, (300, WINDOW))
        window = self._windows.setdefault(route, Window(limit, period))
        if time.time() >= window.ends:
            window.ends, window.used = math.ceil(time.time()) + period, 0
        return window

    def _fault(self, route: str, window: Window) -> tuple[int, Any]:
        queue = self._faults.get(route)
        fault = queue.popleft() if queue else None
        if fault is not None:
            status, reset_in = fault
            if status == 429:
                window.used, window.ends = window.limit, math.ceil(time.time()) + reset_in
                return 429, _problem(429, "Too Many Requests")
            return status, _problem(status, "Service Unavailable")
        if window.used >= window.limit:
            return 429, {"errors": [{"code": 88, "message": "Rate limit exceeded"}]}
        return 200, None

    def _authorize(self, request: web.Request, route: str) -> tuple[int, Any]:
        auth = request.headers.get("Authorization", "")
        user_context = auth.startswith("OAuth ") and f'oauth_consumer_key="{CONSUMER_KEY}"' in auth
        if user_context or auth == f"Bearer {BEARER}":
            if user_context or route.startswith("GET /2/users/:id/mentions"):
                return 200, None
            return 403, _problem(403, "Unsupported Authentication")
        return 401, _problem(401, "Unauthorized")

    def _get_2_users_me(self, _r: web.Request, _b: Any) -> tuple[int, Any]:
        return 200, {"data": ACCOUNT}

    def _get_2_users_id_mentions(self, request: web.Request, _b: Any) -> tuple[int, Any]:
        if request.match_info["tail"].split("/")[1] != ACCOUNT["id"]:
            return 200, {"meta": {"result_count": 0}}
        since = int(request.query.get("since_id", 0))
        found = [t for t in reversed(self._mentions) if int(t["id"]) > since]
        page, meta = _page(found, request.query, 10, self.page_limit)
        authors = {t["author_id"] for t in page}
        payload: dict[str, Any] = {"meta": meta}
        if page:
            payload["data"] = [_public(t) for t in page]
            if "author_id" in request.query.get("expansions", ""):
                payload["includes"] = {"users": [self._users[a] for a in sorted(authors)]}
        return 200, payload

    def _get_2_dm_events(self, request: web.Request, _b: Any) -> tuple[int, Any]:
        page, meta = _page(list(reversed(self._dm_events)), request.query, 100, self.page_limit)
        payload: dict[str, Any] = {"meta": meta}
        if page:
            payload["data"] = page
            if "sender_id" in request.query.get("expansions", ""):
                senders = sorted({e["sender_id"] for e in page})
                payload["includes"] = {"users": [self._users[s] for s in senders]}
        return 200, payload

    def _post_2_tweets(self, _r: web.Request, body: Any) -> tuple[int, Any]:
        text = str(body.get("text", ""))
        parent = body.get("reply", {}).get("in_reply_to_tweet_id")
        if not text.strip() or _weighted(text) > 280:
            return 400, {"errors": [{"message": "text must be 1 to 280 characters"}]}
        if parent is not None and parent not in self._tweets:
            return 400, {"errors": [{"message": "the post replied to does not exist"}]}
        tweet = self._tweet(ACCOUNT["id"], text, parent, "en")
        self.posts.append(
            {
                "id": tweet["id"],
                "text": text,
                "in_reply_to": parent,
                "deep_link": body.get("direct_message_deep_link"),
            }
        )
        return 201, {"data": {"id": tweet["id"], "text": text, "edit_history_tweet_ids": []}}

    def _post_2_dm_conversations_with_id_messages(
        self, request: web.Request, body: Any
    ) -> tuple[int, Any]:
        participant = request.match_info["tail"].split("/")[2]
        text = str(body.get("text", ""))
        if participant in self.closed_dms:
            return 403, _problem(403, "You cannot send messages to this user.")
        if not text.strip() or len(text) > 10_000:
            return 400, {"errors": [{"message": "text must be 1 to 10000 characters"}]}
        event = self._dm_event(ACCOUNT["id"], text, to=participant)
        self.dms_sent.append({"id": event["id"], "participant_id": participant, "text": text})
        conversation = event["dm_conversation_id"]
        return 201, {"data": {"dm_conversation_id": conversation, "dm_event_id": event["id"]}}

    # --- records ----------------------------------------------------------------------

    def _tweet(self, author: str, text: str, in_reply_to: str | None, lang: str) -> dict[str, Any]:
        tweet_id = str(next(self._ids))
        root = self._tweets[in_reply_to]["conversation_id"] if in_reply_to else tweet_id
        tweet: dict[str, Any] = {
            "id": tweet_id,
            "text": text,
            "author_id": author,
            "conversation_id": root,
            "created_at": _now_iso(),
            "lang": lang,
            "edit_history_tweet_ids": [tweet_id],
            "_in_reply_to": in_reply_to,
        }
        if in_reply_to:
            tweet["referenced_tweets"] = [{"type": "replied_to", "id": in_reply_to}]
        self._tweets[tweet_id] = tweet
        return tweet

    def _dm_event(self, sender: str, text: str, to: str | None = None) -> dict[str, Any]:
        other = to or sender
        low, high = sorted((int(ACCOUNT["id"]), int(other)))
        event = {
            "id": str(next(self._ids)),
            "event_type": "MessageCreate",
            "text": text,
            "sender_id": sender,
            "dm_conversation_id": f"{low}-{high}",
            "created_at": _now_iso(),
        }
        self._dm_events.append(event)
        return event


def _page(
    items: list[dict[str, Any]], query: Any, default: int, cap: int | None
) -> tuple[list[Any], Any]:
    size = int(query.get("max_results", default))
    size = min(size, cap) if cap else size
    start = int(query.get("pagination_token", "p0")[1:])
    page = items[start : start + size]
    meta: dict[str, Any] = {"result_count": len(page)}
    if page:
        meta["newest_id"], meta["oldest_id"] = page[0]["id"], page[-1]["id"]
    if start + size < len(items):
        meta["next_token"] = f"p{start + size}"
    return page, meta


def _public(tweet: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in tweet.items() if not k.startswith("_")}


def _problem(status: int, title: str) -> dict[str, Any]:
    return {"title": title, "detail": title, "type": "about:blank", "status": status}


def _sign(secret: str, data: bytes) -> str:
    digest = hmac.new(secret.encode(), data, hashlib.sha256).digest()
    return "sha256=" + base64.b64encode(digest).decode()


def _weighted(text: str) -> int:
    """X's count: a link is 23, CJK and emoji 2, the rest 1 (twitter-text v3)."""
    links = re.findall(r"https?://\S+", text)
    rest = re.sub(r"https?://\S+", "", text)
    light = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))
    heavy = sum(0 if any(lo <= ord(c) <= hi for lo, hi in light) else 1 for c in rest)
    return len(rest) + heavy + 23 * len(links)


def _now_iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
