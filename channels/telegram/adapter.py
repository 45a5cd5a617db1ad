"""The Telegram channel: python-telegram-bot, on our event loop.

The bot is started through its lifecycle (``initialize``, ``start``), never
``run_polling``, which would take the loop, and without PTB's ``Updater``: in polling
mode ``channels.telegram.polling`` fetches updates and confirms each one to Telegram
only after the inbox committed it (the ``Updater`` confirms what it has fetched,
committed or not). In webhook mode the bot's own aiohttp server receives Telegram's
POSTs at ``/telegram/webhook``, checks the secret token, and feeds the application's
queue. Both end in ``_receive``. Sends are plain text (no parse mode), so whatever a
user wrote is shown exactly as written and nothing needs escaping.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hmac
import logging
import secrets
from collections import OrderedDict
from typing import Any

from aiohttp import web
from telegram import (
    BotCommand,
    ChatPermissions,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter, TelegramError
from telegram.ext import Application, ApplicationBuilder

from channels.base import (
    Action,
    Attachment,
    Capabilities,
    Delete,
    DeliveryError,
    Dispatch,
    FetchError,
    FileSource,
    Image,
    InvitePrivate,
    Message,
    RateRule,
    Reply,
    Restrict,
    Unpin,
)
from channels.telegram.convert import to_events, update_from_json
from channels.telegram.files import fetch, send_image
from channels.telegram.markup import keyboard, reply_parameters
from channels.telegram.names import NameBook
from channels.telegram.polling import TelegramPoller
from channels.telegram.request import AnswerLost, TelegramRequest
from channels.telegram.send import send_text
from channels.telegram.settings import TelegramSettings

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/telegram/webhook"
# chat_member is never sent unless asked for: without it the bot misses joins that
# large groups announce with no service message
ALLOWED_UPDATES = [
    "message",
    "edited_message",
    "callback_query",
    "channel_post",
    "edited_channel_post",
    "chat_member",
]
MAX_TOPICS = 10_000
# Connections to the Bot API: well above the sender's concurrency, so a send Telegram
# never answers holds only its own, until its read timeout, and other chats' sends go on.
SEND_CONNECTIONS = 256

# command -> description, per language code ("" = every other language)
CommandTexts = dict[str, dict[str, str]]


class TelegramAdapter:
    """A :class:`channels.base.Channel` for one Telegram bot."""

    name = "telegram"

    def __init__(
        self,
        settings: TelegramSettings,
        token: str,
        *,
        webhook_secret: str | None = None,
        commands: CommandTexts | None = None,
        concurrency: int = 64,
    ) -> None:
        self.settings = settings
        self.capabilities = Capabilities(
            max_length=4096,
            length_unit="utf16",
            buttons=True,
            delete=True,
            restrict=True,
            edit=True,
            threads=True,
            pin=True,
            files=True,
            rate_limits=(
                RateRule("global", settings.max_per_second, 1.0),
                RateRule("chat", settings.max_per_chat_per_second, 1.0),
                RateRule("chat", settings.max_per_group_per_minute, 60.0, chat_prefix="-"),
            ),
        )
        self._token = token
        self._webhook_secret = webhook_secret
        self._commands = commands or {}
        self._concurrency = concurrency
        self._dispatch: Dispatch | None = None
        self._app: Application[Any, Any, Any, Any, Any, Any] | None = None
        self._poller: TelegramPoller | None = None
        self._topics: OrderedDict[str, str] = OrderedDict()  # deep-link payload -> topic
        self._names = NameBook(self.name)  # a rename is noticed when the member speaks
        self._warned_rights: set[str] = set()
        self._files: FileSource | None = None  # kept files, for agents' images
        self.username = ""
        self.bot_id = 0

    def __repr__(self) -> str:
        return f"TelegramAdapter(mode={self.settings.mode}, bot=@{self.username or '?'})"

    # --- lifecycle -------------------------------------------------------------------

    async def start(self, dispatch: Dispatch) -> None:
        self._dispatch = dispatch
        request = self._request()  # one session for sends and getUpdates alike
        app = (
            ApplicationBuilder()
            .token(self._token)
            .base_url(self.settings.base_url)
            .base_file_url(self.settings.base_url.replace("/bot", "/file/bot"))
            .concurrent_updates(self._concurrency)
            .request(request)
            .get_updates_request(request)
            .updater(None)
            .build()
        )
        await app.initialize()  # getMe
        self._app = app
        self.username = app.bot.username
        self.bot_id = app.bot.id
        await self._register_commands()
        await app.start()
        if self.settings.mode == "webhook":
            assert self.settings.webhook_url is not None
            await app.bot.set_webhook(
                self.settings.webhook_url,
                secret_token=self._webhook_secret,
                allowed_updates=ALLOWED_UPDATES,
            )
        else:
            self._poller = TelegramPoller(
                app.bot,
                self._receive,
                timeout=self.settings.poll_timeout,
                allowed_updates=ALLOWED_UPDATES,
                concurrency=self._concurrency,
            )
            await self._poller.start()
        log.info("telegram: @%s is up (%s)", self.username, self.settings.mode)

    def _request(self) -> TelegramRequest:
        """The HTTP layer python-telegram-bot calls through, with our timeouts."""
        return TelegramRequest(
            connections=SEND_CONNECTIONS,
            connect_timeout=self.settings.connect_timeout,
            read_timeout=self.settings.read_timeout,
            write_timeout=self.settings.read_timeout,
        )

    async def stop(self) -> None:
        poller, self._poller = self._poller, None
        if poller is not None:
            await poller.stop()  # first: the batch in hand is handled while we can
        app, self._app = self._app, None
        if app is None:
            return
        if app.running:
            await app.stop()
        await app.shutdown()
        self._dispatch = None

    def routes(self) -> list[web.RouteDef]:
        """The webhook route, mounted on the bot's server (webhook mode only)."""
        if self.settings.mode != "webhook":
            return []
        return [web.post(WEBHOOK_PATH, self._webhook)]

    def use_files(self, files: FileSource) -> None:
        """Where the images agents send are read from."""
        self._files = files

    async def fetch_attachment(self, attachment: Attachment, limit: int) -> bytes:
        """A user's photo or document (see ``handlers.attachments.Fetcher``)."""
        if self._app is None:
            raise FetchError("telegram is not started")
        return await fetch(self._app.bot, attachment, limit)

    async def _register_commands(self) -> None:
        assert self._app is not None
        for language, texts in self._commands.items():
            commands = [BotCommand(name, text) for name, text in texts.items()]
            await self._app.bot.set_my_commands(commands, language_code=language or None)

    # --- receiving -------------------------------------------------------------------

    async def _webhook(self, request: web.Request) -> web.StreamResponse:
        given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
        if not self._webhook_secret or not hmac.compare_digest(given, self._webhook_secret):
            return web.Response(status=403, text="wrong secret token")
        try:
            update = update_from_json(await request.read(), self._app.bot if self._app else None)
        except ValueError as exc:
            log.warning("telegram: unreadable webhook body: %s", exc)
            return web.Response(status=400, text="not an Update")
        if self._app is None or update is None:
            return web.Response(status=503, text="starting")
        try:
            # answered once the update is committed: a crash before that leaves Telegram
            # without its 200, and Telegram delivers the update again (the inbox
            # deduplicates), so nothing is lost between the answer and the commit
            await self._receive(update)
        except Exception:
            log.exception("telegram: webhook update %s not handled", update.update_id)
            return web.Response(status=500, text="not handled; deliver it again")
        return web.Response(text="ok")

    async def _receive(self, update: Update) -> None:
        """Hand the update's events to the inbox; returns once they are handled, and
        raises if they could not be (the poller then keeps the update unconfirmed)."""
        if self._dispatch is None:
            raise RuntimeError("telegram is stopping: the update was not handed over")
        try:
            events = to_events(update, self.bot_id, self.username)
        except Exception:  # nothing to commit: fetching it again would only fail again
            log.exception("telegram: update %s could not be read; skipped", update.update_id)
            return
        if update.callback_query is not None:
            # stop the client's spinner at once; the answer itself comes as a message
            asyncio.create_task(self._answer_callback(update))  # noqa: RUF006
        for event in events:
            if isinstance(event, Message):
                renamed = self._names.renamed(event)
                if renamed is not None:
                    await self._dispatch(renamed)
                event = self._carry_topic(event)
            else:
                self._names.remember(
                    event.chat_id, event.user_id, event.display_name, event.username
                )
            await self._dispatch(event)

    async def _answer_callback(self, update: Update) -> None:
        assert update.callback_query is not None
        try:
            await update.callback_query.answer()
        except TelegramError as exc:
            log.info("telegram: answering a button press failed: %s", exc)

    def _carry_topic(self, message: Message) -> Message:
        """``/start <payload>`` from a deep link continues the conversation it came from."""
        command, _, payload = message.text.partition(" ")
        if command.split("@")[0] != "/start" or not payload:
            return message
        topic = self._topics.get(payload.strip())
        if topic is None:
            return message
        from dataclasses import replace

        return replace(message, text=topic)

    # --- sending ---------------------------------------------------------------------

    async def perform(self, action: Action) -> str | None:
        """Do ``action`` on Telegram; the sent message's id, for sends.

        Raises ``DeliveryError``: permanent when Telegram refused (blocked, malformed,
        no rights), with ``retry_after`` on a 429, else retried with the sender's
        backoff (unreachable, a 5xx). A send whose answer was lost after it went out
        (``TimedOut``: no answer within ``telegram.read_timeout``; the connection
        reset or closed) may have been delivered all the same, and the Bot API has no
        idempotency key to ask with: it is ``maybe_delivered``, and its retry, after
        ``outbox.unanswered_retry_delay``, shows the message twice if it was.
        """
        if self._app is None:
            raise DeliveryError("telegram is not started", retry_after=5.0)
        return await self._perform(self._app.bot, action)

    async def _perform(self, bot: Any, action: Action) -> str | None:
        try:
            if isinstance(action, Reply):
                sent = await send_text(
                    bot,
                    int(action.chat_id),
                    action.text,
                    reply_markup=keyboard(action),
                    reply_parameters=reply_parameters(action.reply_to),
                    thread_id=int(action.thread_id) if action.thread_id else None,
                )
                if action.pin:
                    await self._pin(bot, int(action.chat_id), sent)
                return str(sent)
            if isinstance(action, Image):
                return await send_image(bot, action, self._files)
            if isinstance(action, InvitePrivate):
                payload = self._remember(action.topic)
                link = f"https://t.me/{self.username}?start={payload}"
                markup = InlineKeyboardMarkup(
                    [[InlineKeyboardButton(action.button_label, url=link)]]
                )
                sent = await send_text(
                    bot,
                    int(action.chat_id),
                    action.text,
                    reply_markup=markup,
                    reply_parameters=reply_parameters(action.reply_to),
                    thread_id=int(action.thread_id) if action.thread_id else None,
                )
                return str(sent)
            if isinstance(action, Delete):
                await bot.delete_message(int(action.chat_id), int(action.message_id.split(":")[0]))
                return None
            if isinstance(action, Unpin):
                try:
                    await bot.unpin_chat_message(int(action.chat_id), int(action.message_id))
                except BadRequest as exc:
                    log.info("telegram: unpinning in %s: %s", action.chat_id, exc)
                return None  # unpinned, or not pinned any more: what we wanted
            if isinstance(action, Restrict):
                if int(action.user_id) < 0:
                    return None  # a chat (a channel's own post), not a member to time out
                await bot.restrict_chat_member(
                    int(action.chat_id),
                    int(action.user_id),
                    ChatPermissions.no_permissions(),
                    until_date=action.until,
                )
                return None
        except RetryAfter as exc:
            wait = exc.retry_after
            seconds = wait.total_seconds() if isinstance(wait, dt.timedelta) else float(wait)
            raise DeliveryError(f"429: {exc}", retry_after=seconds) from exc
        except Forbidden as exc:
            raise DeliveryError(f"forbidden: {exc}", permanent=True) from exc
        except ChatMigrated as exc:
            raise DeliveryError(f"chat moved to {exc.new_chat_id}", permanent=True) from exc
        except BadRequest as exc:
            if isinstance(action, Delete) and "not found" in str(exc).lower():
                return None  # gone already: what we wanted
            if (
                isinstance(action, Reply | InvitePrivate | Delete | Unpin | Restrict)
                and "rights" in str(exc).lower()
                and action.chat_id not in self._warned_rights
            ):
                self._warned_rights.add(action.chat_id)
                log.warning("telegram: no admin rights in chat %s: %s", action.chat_id, exc)
            raise DeliveryError(f"bad request: {exc}", permanent=True) from exc
        except TelegramError as exc:  # NetworkError, TimedOut, 5xx
            lost = isinstance(exc, AnswerLost)  # sent, maybe done: its answer never came
            raise DeliveryError(f"telegram: {exc}", maybe_delivered=lost) from exc
        raise DeliveryError(f"telegram cannot {action.type}", permanent=True)

    async def _pin(self, bot: Any, chat_id: int, message_id: int) -> None:
        """Pin quietly; a failure (no right to pin) is logged, the message stays sent."""
        try:
            await bot.pin_chat_message(chat_id, message_id, disable_notification=True)
        except TelegramError as exc:
            log.warning("telegram: could not pin message %s in %s: %s", message_id, chat_id, exc)

    def _remember(self, topic: str) -> str:
        payload = secrets.token_urlsafe(12)
        self._topics[payload] = topic
        while len(self._topics) > MAX_TOPICS:
            self._topics.popitem(last=False)
        return payload
