"""The X channel: tweepy's ``AsyncClient`` (API v2) on our event loop.

DMs (``GET /2/dm_events``) and mentions (``GET /2/users/:id/mentions``) are polled,
each in its own task, at the pace X's rate-limit headers allow, so steady polling never
meets a 429; one that comes anyway is waited out until the window resets. Where each
poll got to is kept in the database (``Cursors``): a restart neither misses a DM or
mention nor hands one over twice. A first start begins from "now" and does not answer
the account's history. In webhook mode the Account Activity API posts events to
``/x/webhook`` instead.

Public answers go under the mention they answer, as a numbered thread when long, and
the thread's progress is kept too, so a retried send continues it instead of posting it
again. Nothing personal is asked in public: :class:`InvitePrivate` becomes a public
reply with X's "send a private message" button.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from tweepy import Response
from tweepy.asynchronous import AsyncClient
from tweepy.errors import Forbidden, TooManyRequests, Unauthorized

from channels.base import Capabilities, Dispatch, Message, RateRule
from channels.x.convert import (
    DM_FIELDS,
    TWEET_FIELDS,
    USER_FIELDS,
    activity_to_messages,
    dm_to_message,
    mention_to_message,
    users_by_id,
)
from channels.x.cursors import Cursors
from channels.x.delivery import XDelivery
from channels.x.posts import DM_LIMIT
from channels.x.session import XSession, route_of
from channels.x.settings import XSettings
from channels.x.webhook import SIGNATURE_HEADER, crc_response, signature_ok

__all__ = ["Cursors", "XAdapter", "XCredentials"]

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/x/webhook"
DMS_CURSOR = "dms.newest_id"
MENTIONS_CURSOR = "mentions.since_id"
NOTHING_YET = "0"  # a cursor for "started, and nothing had arrived yet"
DMS_ROUTE = route_of("GET", "/2/dm_events")


@dataclass(frozen=True)
class XCredentials:
    """The account's secrets, from the environment; ``repr`` never shows them."""

    consumer_key: str = field(repr=False)
    consumer_secret: str = field(repr=False)
    access_token: str = field(repr=False)
    access_token_secret: str = field(repr=False)
    bearer_token: str | None = field(default=None, repr=False)


class XAdapter(XDelivery):
    """A :class:`channels.base.Channel` for one X account."""

    name = "x"

    def __init__(
        self,
        settings: XSettings,
        credentials: XCredentials,
        *,
        cursors: Cursors | None = None,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.capabilities = Capabilities(
            max_length=DM_LIMIT,
            rate_limits=(RateRule("global", settings.max_sends_per_15_minutes, 900.0),),
        )
        self._credentials = credentials
        self._cursors = cursors
        self._wall = wall  # X's windows reset at Unix times
        self._dispatch: Dispatch | None = None
        self._client: AsyncClient | None = None
        self._session: XSession | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self.account_id = settings.account_id

    def __repr__(self) -> str:
        return f"XAdapter(mode={self.settings.mode}, account={self.account_id or '?'})"

    def use_cursors(self, cursors: Cursors) -> None:
        """Where poll positions and thread progress are kept; needed before ``start``."""
        self._cursors = cursors

    # --- lifecycle -------------------------------------------------------------------

    async def start(self, dispatch: Dispatch) -> None:
        if self._cursors is None:
            raise RuntimeError("x: no cursor store given (use_cursors) before start")
        creds = self._credentials
        self._session = XSession(self.settings.api_base, timeout=self.settings.request_timeout)
        client = AsyncClient(
            bearer_token=creds.bearer_token,
            consumer_key=creds.consumer_key,
            consumer_secret=creds.consumer_secret,
            access_token=creds.access_token,
            access_token_secret=creds.access_token_secret,
        )
        client.session = self._session
        self._client = client
        if not self.account_id:
            try:
                me = await client.get_me(user_auth=True)
            except Exception:
                await self.stop()
                raise
            self.account_id = str(me.data["id"])
        self._dispatch = dispatch
        if self.settings.mode == "polling":
            if self.settings.dms:
                self._tasks.append(self._poll_forever("dms", self._poll_dms, DMS_ROUTE))
            if self.settings.mentions:
                mentions = route_of("GET", f"/2/users/{self.account_id}/mentions")
                self._tasks.append(self._poll_forever("mentions", self._poll_mentions, mentions))
        log.info("x: account %s is up (%s)", self.account_id, self.settings.mode)

    async def stop(self) -> None:
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._dispatch = None
        self._client = None
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    def routes(self) -> list[web.RouteDef]:
        """The Account Activity webhook (webhook mode only): CRC checks and events."""
        if self.settings.mode != "webhook":
            return []
        return [web.get(WEBHOOK_PATH, self._crc), web.post(WEBHOOK_PATH, self._events)]

    # --- polling ---------------------------------------------------------------------

    def _poll_forever(
        self, what: str, poll: Callable[[], Awaitable[int]], route: str
    ) -> asyncio.Task[None]:
        async def run() -> None:
            low, high = self.settings.poll_min_seconds, self.settings.poll_max_seconds
            failures = 0
            while True:
                try:
                    requests = await poll()
                    failures = 0
                    assert self._session is not None
                    wait = self._session.spacing(route, self._wall(), requests, low, high)
                except TooManyRequests as exc:
                    wait = self._until_reset(exc)
                    log.warning("x: %s poll rate-limited; waiting %.0f s for the reset", what, wait)
                except (Unauthorized, Forbidden) as exc:
                    wait = high
                    log.error("x: %s poll refused (credentials or access level?): %s", what, exc)
                except Exception as exc:  # 5xx, network, storage: try again, backing off
                    failures += 1
                    wait = min(high, low * 2**failures)
                    log.warning("x: %s poll failed (%r); again in %.1f s", what, exc, wait)
                await asyncio.sleep(wait)

        return asyncio.create_task(run(), name=f"x-{what}")

    async def _poll_dms(self) -> int:
        """Fetch DMs newer than the cursor, hand them over oldest first; the number of
        requests made. ``dm_events`` has no ``since_id``: pages (newest first) are read
        until one reaches what was seen."""
        assert self._client is not None and self._cursors is not None
        seen = await self._cursors.get(DMS_CURSOR)
        own = self.account_id
        events: list[dict[str, Any]] = []
        users: dict[str, Any] = {}
        token: str | None = None
        requests = 0
        collected: set[str] = set()
        while True:
            response: Response = await self._client.get_direct_message_events(
                event_types="MessageCreate",
                dm_event_fields=DM_FIELDS,
                expansions=["sender_id"],
                user_fields=USER_FIELDS,
                max_results=100,
                pagination_token=token,
            )
            requests += 1
            page = [event.data for event in response.data or ()]
            older = [e for e in page if seen is not None and int(e["id"]) <= int(seen)]
            # a DM that arrives while the pages are read shifts them: one event can be
            # on two pages, and is handed over once
            fresh = [e for e in page if e not in older and str(e["id"]) not in collected]
            collected.update(str(e["id"]) for e in fresh)
            events += fresh
            users.update(users_by_id(u.data for u in response.includes.get("users", ())))
            token = response.meta.get("next_token")
            if seen is None or older or not token:
                break
        await self._hand_over(
            DMS_CURSOR, events, seen is None, lambda e: dm_to_message(e, users, own)
        )
        return requests

    async def _poll_mentions(self) -> int:
        """Fetch mentions after ``since_id`` through every page, hand them over oldest
        first; the number of requests made."""
        assert self._client is not None and self._cursors is not None
        seen = await self._cursors.get(MENTIONS_CURSOR)
        own = self.account_id
        since = seen if seen not in (None, NOTHING_YET) else None
        tweets: list[dict[str, Any]] = []
        users: dict[str, Any] = {}
        token: str | None = None
        requests = 0
        while True:
            response: Response = await self._client.get_users_mentions(
                self.account_id,
                since_id=since,
                pagination_token=token,
                max_results=100 if seen is not None else 5,
                expansions=["author_id"],
                tweet_fields=TWEET_FIELDS,
                user_fields=USER_FIELDS,
                user_auth=self._credentials.bearer_token is None,
            )
            requests += 1
            tweets += [tweet.data for tweet in response.data or ()]
            users.update(users_by_id(u.data for u in response.includes.get("users", ())))
            token = response.meta.get("next_token")
            if seen is None or not token:
                break
        await self._hand_over(
            MENTIONS_CURSOR, tweets, seen is None, lambda t: mention_to_message(t, users, own)
        )
        return requests

    async def _hand_over(
        self,
        cursor: str,
        items: list[dict[str, Any]],
        first_start: bool,
        convert: Callable[[dict[str, Any]], Message | None],
    ) -> None:
        """Dispatch ``items`` oldest first, moving ``cursor`` past each once it is
        recorded, so a crash part-way repeats nothing that was handled. A first start
        only notes the newest item: the account's history is not answered."""
        assert self._cursors is not None
        items.sort(key=lambda item: int(item["id"]))
        if first_start:
            await self._cursors.set(cursor, items[-1]["id"] if items else NOTHING_YET)
            return
        for item in items:
            message = convert(item)
            if message is not None and self._dispatch is not None:
                await self._dispatch(message)
            await self._cursors.set(cursor, str(item["id"]))

    async def _crc(self, request: web.Request) -> web.StreamResponse:
        token = request.query.get("crc_token")
        if not token:
            return web.Response(status=400, text="crc_token missing")
        return web.json_response(crc_response(self._credentials.consumer_secret, token))

    async def _events(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        secret = self._credentials.consumer_secret
        if not signature_ok(secret, body, request.headers.get(SIGNATURE_HEADER)):
            return web.Response(status=403, text="bad signature")
        try:
            payload = json.loads(body)
        except (ValueError, RecursionError):
            return web.Response(status=400, text="not JSON")
        if not isinstance(payload, dict) or self._dispatch is None:
            return web.Response(status=400 if self._dispatch else 503, text="not accepted")
        if str(payload.get("for_user_id", self.account_id)) != self.account_id:
            return web.Response(text="not for this account")
        try:
            messages = activity_to_messages(payload, self.account_id)
        except ValueError as exc:
            log.warning("x: a webhook delivery of an unknown shape: %s", str(exc)[:300])
            return web.Response(status=400, text="not an activity event")
        for message in messages:
            await self._dispatch(message)
        return web.Response(text="ok")

    # --- sending ---------------------------------------------------------------------
