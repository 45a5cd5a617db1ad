"""A fake Telegram Bot API server that the real python-telegram-bot talks to.

It speaks the wire protocol (``tests.fakes.telegram_api``: envelopes, long-polled
``getUpdates``, Telegram's published limits with real 429s carrying ``retry_after``,
a share of calls failed when asked) and keeps every call the bot made. This module is
what a test drives: what users do, and what the bot did.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import time
from collections import Counter, defaultdict, deque
from typing import Any

from aiohttp import web

from tests.fakes.serving import serve, wait_until
from tests.fakes.telegram_api import (
    BOT,
    LIMITS,
    NOT_BY_DEFAULT,
    RATE_LIMITED,
    Call,
    TelegramApi,
    utf16_length,
)
from tests.fakes.telegram_faults import TelegramFaults
from tests.fakes.telegram_files import TelegramFiles

__all__ = ["BOT", "LIMITS", "NOT_BY_DEFAULT", "RATE_LIMITED", "Call", "FakeTelegram", "help_update"]


class FakeTelegram(TelegramApi, TelegramFaults, TelegramFiles):
    """Run with ``async with FakeTelegram() as tg:``; ``tg.base_url`` goes to the bot."""

    def __init__(self, *, token: str = "123456:TEST", limits: bool = True, seed: int = 7) -> None:
        self.token = token
        self.limits = limits
        self.fail_rate = 0.0  # share of rate-limited methods answered with HTTP 500
        self.drop_rate = 0.0  # share of them whose connection is dropped unanswered
        self.calls: list[Call] = []
        self.updates: list[dict[str, Any]] = []
        # the highest update id the bot confirmed (asked getUpdates for ids past it);
        # as on Telegram, confirmed updates are forgotten
        self.confirmed = 0
        self.deliveries: Counter[int] = Counter()  # update id -> times getUpdates gave it
        # faults on the way to Telegram: getUpdates calls that never reach it
        self.poll_faults: list[int] = []  # the statuses the next calls get (fail_polls)
        self.unconfirmable: int | None = None  # calls confirming past it are lost
        self.refused_polls = 0
        self._polls = 0  # getUpdates calls so far: the latest one ends any earlier
        self.webhook: dict[str, Any] | None = None
        # the update types the bot asked for (getUpdates or setWebhook); None: the
        # default, everything but NOT_BY_DEFAULT. As on Telegram, the last list given
        # stays in force, and updates of other types are dropped, never delivered.
        self.allowed_updates: list[str] | None = None
        self.blocked: set[int] = set()  # users who blocked the bot
        self.injected: list[tuple[int, float]] = []  # (user, when), by the load control
        self._load: asyncio.Task[None] | None = None
        self.no_admin_rights: set[int] = set()  # groups where the bot cannot moderate
        self._random = random.Random(seed)
        self._update_ids = itertools.count(1)
        self._message_ids: dict[int, itertools.count[int]] = defaultdict(lambda: itertools.count(1))
        self._new_update = asyncio.Event()
        self._windows: dict[tuple[str, int], deque[float]] = defaultdict(deque)
        self._runner: web.AppRunner | None = None
        self.port = 0
        # pause(): sends wait unprocessed, as if Telegram were slow to answer; a bot
        # killed meanwhile never gets them through (release(discard=True))
        self.held = 0
        self.limited = 0  # calls answered 429
        self._resume = asyncio.Event()
        self._resume.set()
        self._discard_held = False
        # hang(): chats whose sendMessage calls are accepted and never answered
        self.hung: dict[int, asyncio.Event] = {}
        self.hanging = 0  # such calls open right now
        self.hang_rate = 0.0  # share of all sendMessage calls that hang until the end
        self._closing = asyncio.Event()
        self._init_faults(seed)  # lose_responses(), fault_rate

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    async def __aenter__(self) -> FakeTelegram:
        self._runner, self.port = await serve(self._web_app())
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.go_offline()

    def _web_app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        # control routes, for a benchmark that runs the fake in a process of its own
        app.router.add_post("/_fake/private", self._control_private)
        app.router.add_post("/_fake/load", self._control_load)
        app.router.add_get("/_fake/sent", self._control_sent)
        app.router.add_get("/_fake/count", self._control_count)
        app.router.add_route("*", "/_fake/faults", self._control_faults)
        return app

    async def go_offline(self) -> None:
        """Close the port: connections to it are refused until :meth:`back_online`."""
        self._new_update.set()
        self.unhang()
        self._closing.set()
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def back_online(self) -> None:
        """Listen again on the same port, with everything recorded so far."""
        self._closing = asyncio.Event()
        self._runner, _ = await serve(self._web_app(), self.port)

    # --- what the bot did -----------------------------------------------------------

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method.lower()]

    def sent(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        """Texts the bot sent successfully, oldest first."""
        return [
            c.params
            for c in self.calls
            if c.method == "sendmessage"
            and c.params.get("_ok")
            and (chat_id is None or int(c.params["chat_id"]) == chat_id)
        ]

    async def wait_sent(
        self, count: int, chat_id: int | None = None, within: float = 10
    ) -> list[dict[str, Any]]:
        def describe() -> str:
            got = self.sent(chat_id)
            texts = [m["text"][:60] for m in got[-5:]]
            return f"expected {count} message(s) to {chat_id}, got {len(got)}: {texts}"

        await wait_until(lambda: len(self.sent(chat_id)) >= count, within, describe)
        return self.sent(chat_id)

    async def wait_confirmed(self, update: dict[str, Any], within: float = 10) -> None:
        """Until the bot has confirmed ``update``: it fetched it and asked for the next."""
        wanted = int(update["update_id"])

        def describe() -> str:
            return f"update {wanted} not confirmed; the bot confirmed up to {self.confirmed}"

        await wait_until(lambda: self.confirmed >= wanted, within, describe)

    def fail_polls(self, *statuses: int) -> None:
        """The next ``getUpdates`` calls fail on their way with these statuses (500,
        502, or 429 with ``retry_after`` 1), one each, confirming nothing."""
        self.poll_faults.extend(statuses)

    def lose_confirmations(self, update: dict[str, Any] | None) -> None:
        """From now on every ``getUpdates`` that would confirm ``update`` fails on its
        way (502), so Telegram keeps it; ``None`` lets them through again."""
        self.unconfirmable = None if update is None else int(update["update_id"])

    def offsets(self) -> list[int]:
        """The offset of each ``getUpdates`` that reached the API (0: none named)."""
        return [int(c.params.get("offset", 0) or 0) for c in self.calls_to("getUpdates")]

    def pause(self) -> None:
        """Hold every rate-limited call unprocessed until :meth:`release`."""
        self._resume.clear()

    async def wait_held(self, within: float = 10) -> None:
        """Until at least one call is held by :meth:`pause`."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if self.held:
                return
            await asyncio.sleep(0.01)
        raise AssertionError("no call was held")

    def release(self, *, discard: bool = False) -> None:
        """Let held calls through, or (``discard``) answer them 500 unprocessed: the
        sends a killed bot had in flight that never reached Telegram."""
        self._discard_held = discard
        self._resume.set()

    def hang(self, chat_id: int) -> None:
        """From now on, accept every ``sendMessage`` to ``chat_id`` and answer none,
        as a Telegram that is stuck on that chat, until :meth:`unhang` or the end."""
        self.hung.setdefault(chat_id, asyncio.Event())

    def unhang(self, chat_id: int | None = None) -> None:
        """Answer the calls hanging for ``chat_id`` (every chat: ``None``) with a 500,
        never processed, and answer that chat's later calls as usual."""
        for chat in [chat_id] if chat_id is not None else list(self.hung):
            released = self.hung.pop(chat, None)
            if released is not None:
                released.set()

    async def wait_hanging(self, count: int, within: float = 10) -> None:
        """Until ``count`` hung calls are open at once."""

        def describe() -> str:
            return f"expected {count} hanging call(s), {self.hanging} open"

        await wait_until(lambda: self.hanging >= count, within, describe)

    # --- what users do --------------------------------------------------------------

    def user(
        self, user_id: int, name: str = "Alice", language: str | None = "en"
    ) -> dict[str, Any]:
        user: dict[str, Any] = {
            "id": user_id,
            "is_bot": False,
            "first_name": name,
            "username": name.lower(),
        }
        if language:
            user["language_code"] = language
        return user

    def message(
        self, chat: dict[str, Any], sender: dict[str, Any], text: str, **extra: Any
    ) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": next(self._message_ids[chat["id"]]),
            "date": int(time.time()),
            "chat": chat,
            "from": sender,
            "text": text,
            **extra,
        }
        entities = list(extra.get("entities", []))
        if text.startswith("/"):
            length = len(text.split()[0])
            entities.insert(0, {"type": "bot_command", "offset": 0, "length": length})
        at = text.find(f"@{BOT['username']}")
        if at >= 0:
            entities.append(
                {
                    "type": "mention",
                    "offset": utf16_length(text[:at]),
                    "length": utf16_length(BOT["username"]) + 1,
                }
            )
        if entities:
            message["entities"] = entities
        return message

    def push(self, **update: Any) -> dict[str, Any]:
        update = {"update_id": next(self._update_ids), **update}
        self.updates.append(update)
        self._new_update.set()
        return update

    def private(self, user_id: int, text: str, **kw: Any) -> dict[str, Any]:
        sender = self.user(user_id, kw.pop("name", "Alice"), kw.pop("language", "en"))
        chat = {"id": user_id, "type": "private", "first_name": sender["first_name"]}
        return self.push(message=self.message(chat, sender, text, **kw))

    def group(self, chat_id: int, user_id: int, text: str, **kw: Any) -> dict[str, Any]:
        sender = self.user(user_id, kw.pop("name", "Bob"), kw.pop("language", "en"))
        chat = {"id": chat_id, "type": "supergroup", "title": "Example community"}
        return self.push(message=self.message(chat, sender, text, **kw))

    def reply_to_bot(
        self, chat_id: int, user_id: int, text: str, bot_message_id: int
    ) -> dict[str, Any]:
        original = {
            "message_id": bot_message_id,
            "date": int(time.time()),
            "text": "...",
            "chat": {"id": chat_id, "type": "supergroup", "title": "Example community"},
            "from": BOT,
        }
        return self.group(chat_id, user_id, text, reply_to_message=original)

    def press(self, user_id: int, chat_id: int, data: str, message_id: int = 1) -> dict[str, Any]:
        chat_type = "private" if chat_id > 0 else "supergroup"
        return self.push(
            callback_query={
                "id": f"cbq{next(self._update_ids)}",
                "from": self.user(user_id),
                "chat_instance": "ci",
                "data": data,
                "message": {
                    "message_id": message_id,
                    "date": int(time.time()),
                    "from": BOT,
                    "chat": {"id": chat_id, "type": chat_type},
                    "text": "...",
                },
            }
        )

    def edit(self, update: dict[str, Any], text: str) -> dict[str, Any]:
        message = dict(update["message"], text=text, edit_date=int(time.time()) + 1)
        message.pop("entities", None)
        return self.push(edited_message=message)

    def member_update(
        self, chat_id: int, user: dict[str, Any], old: str = "left", new: str = "member"
    ) -> dict[str, Any]:
        """A ``chat_member`` update: ``user``'s status went from ``old`` to ``new``
        (a join by invite link, which large groups show no service message for)."""
        chat = {"id": chat_id, "type": "supergroup", "title": "Example community"}
        return self.push(
            chat_member={
                "chat": chat,
                "from": user,
                "date": int(time.time()),
                "old_chat_member": {"status": old, "user": user},
                "new_chat_member": {"status": new, "user": user},
            }
        )

    def channel_post(self, chat_id: int, text: str) -> dict[str, Any]:
        """A post in a channel: signed by the channel itself, no ``from``."""
        chat = {"id": chat_id, "type": "channel", "title": "Example announcements"}
        return self.push(
            channel_post={
                "message_id": next(self._message_ids[chat_id]),
                "date": int(time.time()),
                "chat": chat,
                "sender_chat": chat,
                "text": text,
            }
        )

    def join(self, chat_id: int, user: dict[str, Any]) -> dict[str, Any]:
        chat = {"id": chat_id, "type": "supergroup", "title": "Example community"}
        return self.push(
            message={
                "message_id": next(self._message_ids[chat_id]),
                "date": int(time.time()),
                "chat": chat,
                "from": user,
                "new_chat_members": [user],
            }
        )

    async def _control_private(self, request: web.Request) -> web.Response:
        body = await request.json()
        update = self.private(int(body["user"]), str(body["text"]), language=None)
        return web.json_response({"update_id": update["update_id"], "at": time.monotonic()})

    async def _control_load(self, request: web.Request) -> web.Response:
        """Inject ``count`` private messages from ``users`` users at ``rate`` per second,
        from this process, so the bot's process does nothing but be the bot; from now on
        a share ``hang_rate`` of all sendMessage calls hangs."""
        body = await request.json()
        count, users, rate = int(body["count"]), int(body["users"]), float(body["rate"])
        texts = [str(t) for t in body["texts"]]
        self.hang_rate = float(body.get("hang_rate", 0.0))

        async def load() -> None:
            began = time.monotonic()
            for i in range(count):
                self.private(1000 + i % users, texts[i % len(texts)], language=None)
                self.injected.append((1000 + i % users, time.monotonic()))
                await asyncio.sleep(max(0.0, began + (i + 1) / rate - time.monotonic()))

        self._load = asyncio.create_task(load())
        return web.json_response({"count": count})

    async def _control_sent(self, _request: web.Request) -> web.Response:
        sent = [
            {"chat_id": int(c.params["chat_id"]), "at": c.at}
            for c in self.calls
            if c.method == "sendmessage" and c.params.get("_ok")
        ]
        return web.json_response({"sent": sent, "injected": self.injected, "limited": self.limited})

    async def _control_count(self, _request: web.Request) -> web.Response:
        """How many messages were sent: cheap enough to ask often while a load runs."""
        return web.json_response({"sent": len(self.sent())})


def help_update(update_id: int, chat_id: int = 42) -> dict[str, Any]:
    """A private ``/help`` as Telegram delivers it to a webhook."""
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "date": 1700000000,
            "chat": {"id": chat_id, "type": "private"},
            "from": {"id": chat_id, "is_bot": False, "first_name": "Al"},
            "text": "/help",
            "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
        },
    }
