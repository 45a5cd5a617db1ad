"""X's sending half: DMs, and replies under a mention as numbered threads whose
progress is kept, with tweepy's errors mapped to :class:`channels.base.DeliveryError`.

Mixed into ``XAdapter``, which owns the attributes declared here. A send waits for no
window: when X's window for the route is spent, the outbox is told when to retry.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import aiohttp
from tweepy.asynchronous import AsyncClient
from tweepy.errors import (
    BadRequest,
    Forbidden,
    HTTPException,
    NotFound,
    TooManyRequests,
    TwitterServerError,
)

from channels.base import Action, DeliveryError, InvitePrivate, Reply
from channels.lost_answers import watching
from channels.x.convert import DM_PREFIX, POST_PREFIX
from channels.x.cursors import Cursors
from channels.x.posts import dm_link, thread_parts
from channels.x.session import XSession, route_of
from channels.x.settings import XSettings

TWEET_ROUTE = route_of("POST", "/2/tweets")
DM_SEND_ROUTE = route_of("POST", "/2/dm_conversations/with/1/messages")


class XDelivery:
    """Performs actions on X (mixed into ``XAdapter``)."""

    settings: XSettings
    account_id: str
    _client: AsyncClient | None
    _session: XSession | None
    _cursors: Cursors | None
    _wall: Callable[[], float]

    async def perform(self, action: Action) -> str | None:
        """Post or DM ``action`` on X; the (first) post's or the DM event's id.

        Raises ``DeliveryError``: permanent when X refused (DMs closed, a deleted post,
        a refused text), with ``retry_after`` on a 429 or a window known spent, else
        retried with the sender's backoff (a 5xx, unreachable). A request that went out
        and whose answer was lost (``x.request_timeout`` ran out, the connection
        reset) is ``maybe_delivered``: X may have posted it, and the retry, after
        ``outbox.unanswered_retry_delay``, shows it twice if it did.
        """
        if self._client is None or self._session is None:
            raise DeliveryError("x is not started", retry_after=5.0)
        if not isinstance(action, Reply | InvitePrivate):
            raise DeliveryError(f"x cannot {action.type}", permanent=True)
        with watching() as exchange:
            try:
                return await self._perform(action)
            except (aiohttp.ClientError, TimeoutError) as exc:
                lost = exchange.answer_lost
                raise DeliveryError(f"x: {exc!r}", maybe_delivered=lost) from exc

    async def _perform(self, action: Reply | InvitePrivate) -> str:
        chat = action.chat_id
        try:
            if chat.startswith(DM_PREFIX):
                return await self._send_dm(chat.removeprefix(DM_PREFIX), action.text)
            if chat.startswith(POST_PREFIX):
                link = None
                if isinstance(action, InvitePrivate):
                    link = dm_link(self.account_id, action.topic)
                return await self._post(chat, action.reply_to, action.text, link)
        except TooManyRequests as exc:
            raise DeliveryError(f"429: {exc}", retry_after=self._until_reset(exc)) from exc
        except Forbidden as exc:
            # DMs closed to the account (or it blocked us): as good as unsubscribed
            raise DeliveryError(f"forbidden: {exc}", permanent=True) from exc
        except (BadRequest, NotFound) as exc:
            # a deleted post, a refused text: retrying won't help
            raise DeliveryError(f"refused: {exc}", permanent=True) from exc
        except (HTTPException, TwitterServerError) as exc:  # X answered: not done
            raise DeliveryError(f"x: {exc!r}") from exc
        raise DeliveryError(f"x has no chat {chat!r}", permanent=True)

    def _window_open(self, route: str) -> None:
        assert self._session is not None
        wait = self._session.wait_before(route, self._wall())
        if wait > 0:
            raise DeliveryError(f"{route}: window spent", retry_after=wait + 1.0)

    async def _send_dm(self, user_id: str, text: str) -> str:
        assert self._client is not None
        self._window_open(DM_SEND_ROUTE)
        sent = await self._client.create_direct_message(participant_id=user_id, text=text)
        return str(sent.data["dm_event_id"])

    async def _post(self, chat: str, reply_to: str | None, text: str, link: str | None) -> str:
        """Post ``text`` under ``reply_to`` (else the thread's root), as a numbered
        thread when long; the first post's id. A thread's progress is saved after each
        post, so a retry after a failure part-way continues it instead of repeating it."""
        assert self._client is not None and self._cursors is not None
        # "post:" alone is a new post on the account (a broadcast), replying to nothing
        parent: str | None = reply_to or chat.removeprefix(POST_PREFIX) or None
        parts = thread_parts(text)
        key = "thread:" + hashlib.sha256(f"{chat}\n{parent}\n{text}".encode()).hexdigest()[:40]
        done, first = 0, ""
        progress = await self._cursors.get(key) if len(parts) > 1 else None
        if progress:
            count, first, parent = progress.split(":")
            done = int(count)
        for index in range(done, len(parts)):
            self._window_open(TWEET_ROUTE)
            sent = await self._client.create_tweet(
                text=parts[index],
                in_reply_to_tweet_id=parent,
                direct_message_deep_link=link if index == len(parts) - 1 else None,
            )
            parent = str(sent.data["id"])
            first = first or parent
            if len(parts) > 1:
                await self._cursors.set(key, f"{index + 1}:{first}:{parent}")
        return first

    def _until_reset(self, exc: TooManyRequests) -> float:
        reset = exc.reset_time
        if reset is None:
            return self.settings.poll_max_seconds
        return max(float(reset) - self._wall(), 0.0) + 1.0
