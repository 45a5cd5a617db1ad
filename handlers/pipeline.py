"""From a normalized message to enqueued actions: inbox, router, outbox.

This is the flow of DESIGN.md in one place: redact, record (idempotent), decide,
enqueue in the same transaction that marks the message handled, wake the sender.
One user's messages are handled in order, different users in parallel.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Protocol

from channels.base import (
    Action,
    AlertStaff,
    Button,
    Capabilities,
    ChatKind,
    InvitePrivate,
    MemberEvent,
    Message,
    OpenTicket,
    Reply,
)
from handlers.attachments import AttachmentIntake, attachments_from_envelope
from handlers.attachments import attachments_to_envelope as attachments
from handlers.context import Brand, Context, Decision, ScamReport
from handlers.conversation import MAX_TEXT
from handlers.flood import FloodGate
from handlers.intake import TICKET_CATEGORIES, first_step, question
from handlers.language import LanguageDetector, choose_language
from handlers.outbox_rows import Outbox, StaffChat, desk_channels
from handlers.pressed import chosen_words
from handlers.router import Router
from handlers.secrets import redact
from handlers.staffdesk import STAFF_CALLBACK, StaffDesk
from handlers.texts import Texts
from handlers.topics import category_of_entry
from storage.buttons import ButtonStore
from storage.links import LinkStore
from storage.store import Inbound, NewOutbound, Store
from storage.subscriptions import SubscriptionStore
from storage.tickets import TicketStore

log = logging.getLogger(__name__)

# characters of a message the inbox keeps, and hands on, for every channel: twice what
# the answering stages read, so the guard still sees past that and a longer message
# is still told it is too long; the envelope's ``truncated`` says how long it was
STORED_TEXT = 2 * MAX_TEXT

Clock = Callable[[], datetime]


class MemberCheck(Protocol):
    """Looks at a member who joined or changed their name (the guard implements it).

    Implementations return the actions to take and must not raise for a member who is
    of no concern: they return ``[]``.
    """

    async def check_member(self, event: MemberEvent, ctx: Context) -> list[Action]: ...


class KeyedLocks:
    """One lock per key, dropped when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[Any, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def hold(self, key: Any) -> AsyncIterator[None]:
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)


@dataclass
class Pipeline:
    """Turns each inbound event into recorded, enqueued actions."""

    store: Store  # ``socialdesk ask`` passes None and only calls ``decide``
    router: Router
    texts: Texts
    brand: Brand
    clock: Clock
    capabilities: dict[str, Capabilities] = field(default_factory=dict)
    staff_chats: tuple[StaffChat, ...] = ()  # for the outbox made when none is given
    detector: LanguageDetector = field(default_factory=LanguageDetector)
    wake: Callable[[], None] = lambda: None
    member_checks: tuple[MemberCheck, ...] = ()
    tickets: TicketStore | None = None
    subscriptions: SubscriptionStore | None = None
    links: LinkStore | None = None
    flood: FloodGate = field(default_factory=FloodGate)
    staff_desk: StaffDesk | None = None  # claims, replies and resolutions from the staff chat
    files: AttachmentIntake | None = None  # keeps users' files, or says why not
    # the one way out; without one, an outbox over this pipeline's channels is made
    outbox: Outbox | None = None
    _locks: KeyedLocks = field(default_factory=KeyedLocks, repr=False)
    _out: Outbox = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._out = self.outbox or Outbox(
            self.store,
            self.clock,
            self.capabilities,
            staff_chats=self.staff_chats,
            desks=desk_channels(),
            wake=lambda: self.wake(),
        )

    async def dispatch(self, event: Message | MemberEvent) -> Decision | None:
        """Handle one event; returns ``None`` for a redelivered, already handled one."""
        if isinstance(event, MemberEvent):
            await self._member(event)
            return None
        async with self._locks.hold(event.conversation_key):
            return await self._handle(event)

    async def _handle(self, message: Message) -> Decision | None:
        now = self.clock()
        kept = envelope(message)
        if len(message.text) > STORED_TEXT:
            # a megabyte paste is kept (and read) up to the bound: the rest would only
            # cost disk and time, and delay everyone else's answers
            kept["truncated"] = len(message.text)
            message = replace(message, text=message.text[:STORED_TEXT])
        clean = clean_text(message.text)
        if clean != message.text:
            message = replace(message, text=clean)
        stored_text, _ = redact(message.text)
        chosen: str | None = None
        if message.callback and not stored_text.strip():
            # a press is kept as what the user chose, in words, not as an empty message
            language = message.language_hint or self.brand.default_language
            buttons = ButtonStore(self.store)
            chosen = await chosen_words(message, buttons, self.texts, language)
            stored_text = f"[{redact(chosen)[0]}]"
        inbound = await self.store.record_inbound(kept, stored_text, now)
        if inbound.already_processed:
            log.debug("inbox: %s/%s already handled", message.channel, message.platform_message_id)
            return None
        staff = self._from_staff(message)
        if staff:
            assert self.staff_desk is not None
            decision = Decision(
                message=message,
                intent="staff",
                language="en",
                actions=await self.staff_desk.handle(message, now),
                refs=[],
                scam=ScamReport(),
                handoff=False,
            )
        else:
            admitted, first_refusal = self.flood.admit(message.conversation_key, now.timestamp())
            flooding = None if admitted else first_refusal
            decision = await self.decide(message, inbound=inbound, now=now, flooding=flooding)
        if self.tickets is not None and any(isinstance(a, OpenTicket) for a in decision.actions):
            decision.actions = await self._open_ticket(message, inbound, decision, now, chosen)
        if self.files is not None and not staff:  # after the ticket: its files join it
            decision.actions[:0] = await self.files.keep(message, inbound, decision, now)
        outbound = self.outbound(decision.actions, message.channel, inbound.conversation_id)
        done = await self.store.complete_inbound(
            inbound,
            intent=decision.intent,
            language=decision.language,
            outbound=outbound,
            now=self.clock(),
        )
        if done and (outbound or staff):
            self.wake()  # a staff action may have enqueued a reply to a user itself
        return decision if done else None

    def _from_staff(self, message: Message) -> bool:
        """A message in a staff chat that is a desk (claims, replies to tickets)."""
        if self.staff_desk is None or not self.staff_desk.serves(message.channel):
            return False
        return any(
            s.channel == message.channel and s.chat_id == message.chat_id
            for s in self._out.staff_chats
        )

    async def decide(
        self,
        message: Message,
        *,
        inbound: Inbound | None = None,
        now: datetime | None = None,
        flooding: bool | None = None,
    ) -> Decision:
        """Route one message; without ``inbound`` it touches no storage (``ask``)."""
        chosen = inbound.chosen_language if inbound else None
        language = choose_language(
            message.text,
            chosen=chosen,
            previous=inbound.last_language if inbound else None,
            hint=message.language_hint,
            supported=self.brand.languages,
            default=self.brand.default_language,
            detector=self.detector,
        )
        ctx = Context(
            now=now or self.clock(),
            language=language,
            texts=self.texts,
            brand=self.brand,
            capabilities=self.capabilities.get(message.channel),
            store=self.store if inbound else None,
            identity_id=inbound.identity_id if inbound else None,
            conversation_id=inbound.conversation_id if inbound else None,
            chosen_language=chosen,
            ticket_id=inbound.open_ticket_id if inbound else None,
            tickets=self.tickets if inbound else None,
            subscriptions=self.subscriptions if inbound else None,
            links=self.links if inbound else None,
            flooding=flooding,
        )
        return await self.router.route(message, ctx)

    async def _open_ticket(
        self,
        message: Message,
        inbound: Inbound,
        decision: Decision,
        now: datetime,
        chosen: str | None = None,
    ) -> list[Action]:
        """Open (or find) the conversation's ticket and tell the user and the staff.

        Idempotent: a message handled again after a crash finds the same ticket.
        """
        assert self.tickets is not None
        request = next(a for a in decision.actions if isinstance(a, OpenTicket))
        others: list[Action] = [a for a in decision.actions if not isinstance(a, OpenTicket)]
        asked = None
        if chosen is not None:  # a button ("check my account"): what they chose and asked
            asked = await ButtonStore(self.store).last_typed(inbound.conversation_id)
            words = f"{chosen}: {asked}" if asked else chosen
        else:
            words = request.summary or message.text[:200]
        # the summary is the user's own words: stored and shown to staff, so redacted
        summary, _ = redact(words)
        category = request.category
        if category not in TICKET_CATEGORIES:  # a knowledge base's ("deposits"): the intake's
            ref = decision.refs[0] if decision.refs else ""
            category = category_of_entry(ref, category, asked or "") or "other"
        if message.chat_kind.is_public:
            # personal details never in public: the ticket starts in a private chat,
            # which the deep link opens with the request carried over
            invite = InvitePrivate(
                chat_id=message.chat_id,
                user_id=message.sender_id,
                text=self.texts.get("tickets.move_private", decision.language),
                button_label=self.texts.get("tickets.open_private", decision.language),
                topic=f"/ticket {summary}"[:500],
                reply_to=message.platform_message_id,
                thread_id=message.thread_id,
            )
            return [*others, invite]
        step = first_step(category)  # the intake's first question
        opened = await self.tickets.open(
            inbound.conversation_id,
            category=category,
            summary=summary,
            language=decision.language,
            now=now,
            priority=1 if category == "anti_fraud" else 2,
            intake_step=step,
        )
        key = "tickets.opened" if opened.created else "tickets.still_open"
        text = self.texts.get(
            key, decision.language, number=opened.ticket_id, position=opened.position
        )
        if opened.created and opened.expected_wait is not None:
            wait = self.texts.get(
                "tickets.expected_wait", decision.language, minutes=opened.expected_wait
            )
            text = f"{text} {wait}"
        ack = Reply(chat_id=message.chat_id, thread_id=message.thread_id, text=text)
        actions = [*others, ack]
        if opened.created and step is not None:
            caps = self.capabilities.get(message.channel)
            ask = question(
                step,
                self.texts,
                decision.language,
                chat_id=message.chat_id,
                buttons=caps is not None and caps.buttons,
            )
            actions.append(ask.model_copy(update={"thread_id": message.thread_id}))
        if opened.created:
            staff = self.texts.get(
                "tickets.staff_new",
                "en",
                number=opened.ticket_id,
                category=category,
                channel=message.channel,
                summary=summary[:200],
            )
            verb = "claim"
            if opened.assignee is not None:  # round robin gave it to someone already
                verb = "resolve"
                assigned = self.texts.get("tickets.staff_assigned", "en", agent=opened.assignee)
                staff = f"{staff}\n{assigned}"
            button = Button(
                label=self.texts.get(f"tickets.staff_{verb}", "en"),
                data=f"{STAFF_CALLBACK}{verb}:{opened.ticket_id}",
            )
            actions.append(AlertStaff(text=staff, buttons=((button,),)))
        return actions

    def outbound(
        self,
        actions: list[Action],
        channel: str,
        conversation_id: int | None = None,
        priority: int = 0,
        sender: str = "bot",
    ) -> list[NewOutbound]:
        """Actions as outbox rows on ``channel`` (``handlers.outbox_rows.Outbox.rows``)."""
        return self._out.rows(actions, channel, conversation_id, priority, sender)

    async def _member(self, event: MemberEvent) -> None:
        actions: list[Action] = []
        ctx = Context(
            now=self.clock(),
            language=self.brand.default_language,
            texts=self.texts,
            brand=self.brand,
            capabilities=self.capabilities.get(event.channel),
        )
        for check in self.member_checks:
            actions += await check.check_member(event, ctx)
        if actions:
            await self.store.enqueue(self.outbound(actions, event.channel), self.clock())
            self.wake()

    async def resume(self) -> int:
        """Handle messages recorded by a run that died before answering them."""
        pending = await self.store.unprocessed_inbound()
        for item in pending:
            message = message_from_envelope(item.envelope, item.text)
            async with self._locks.hold(message.conversation_key):
                await self._handle(message)
        return len(pending)


def envelope(message: Message) -> dict[str, Any]:
    """The normalized fields kept with an inbound message (text is stored apart)."""
    return {
        "channel": message.channel,
        "chat_id": message.chat_id,
        "chat_kind": message.chat_kind.value,
        "sender_id": message.sender_id,
        "platform_message_id": message.platform_message_id,
        "received_at": message.received_at.isoformat(),
        "display_name": message.display_name,
        "username": message.username,
        "language_hint": message.language_hint,
        "attachments": attachments(message.attachments),
        "reply_to": message.reply_to,
        "thread_id": message.thread_id,
        "edited": message.edited,
        "addressed": message.addressed,
        "callback": message.callback,
    }


def message_from_envelope(env: dict[str, Any], text: str) -> Message:
    return Message(
        channel=env["channel"],
        chat_id=env["chat_id"],
        chat_kind=ChatKind(env["chat_kind"]),
        sender_id=env["sender_id"],
        text=text,
        platform_message_id=env["platform_message_id"],
        received_at=datetime.fromisoformat(env["received_at"]),
        display_name=env.get("display_name") or "",
        username=env.get("username"),
        language_hint=env.get("language_hint"),
        attachments=attachments_from_envelope(env.get("attachments", [])),
        reply_to=env.get("reply_to"),
        thread_id=env.get("thread_id"),
        edited=bool(env.get("edited")),
        addressed=bool(env.get("addressed", True)),
        callback=env.get("callback"),
    )


_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean_text(text: str) -> str:
    """Text without C0/C1 control characters (line breaks and tabs stay), and with any
    lone surrogate (from a JSON escape) turned into U+FFFD so it can be stored.

    Format characters (zero-width, bidi marks) stay: the guard reads them as a sign of
    obfuscation.
    """
    text = _CONTROLS.sub("", text)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text
