"""The inbox: the one way in for a user's message.

``receive`` keeps the message's text clean and bounded, redacts what will be stored,
records it (idempotent on channel, chat and platform message id: a redelivered update
is answered once), then hands it down the middleware chain, chained once when the
inbox is built: flood control, then the staff desk (a staff chat's messages end
there), then the router. Last, ``complete`` marks the message handled, makes the state
changes the stages deferred (``Context.defer``) and enqueues every reply in ONE
transaction: after a crash either all of it is there or none of it, and ``resume``
handles the message again. One user's messages are handled in order (a lock per
conversation), different users in parallel.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from channels.base import Action, Capabilities, Message
from handlers.attachments import AttachmentIntake
from handlers.context import Brand, Context, Decision, ScamReport, Write, quietly
from handlers.conversation import MAX_TEXT
from handlers.envelope import clean_text, envelope, message_from_envelope
from handlers.flood import FloodCounter, FloodGate
from handlers.language import LanguageDetector, choose_language
from handlers.outbox_rows import Outbox, StaffChat, desk_channels
from handlers.pressed import chosen_words
from handlers.requests import AlertStaff, OpenTicket, Step
from handlers.router import Router
from handlers.secrets import Redacted, redact, redacted
from handlers.staffdesk import StaffDesk
from handlers.texts import Texts
from storage.buttons import ButtonStore
from storage.inbox import MAYBE
from storage.links import LinkStore
from storage.store import Inbound, NewOutbound, Store
from storage.subscriptions import SubscriptionStore
from storage.tickets import TicketStore

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

log = logging.getLogger(__name__)

# characters of a message the inbox keeps, and hands on, for every channel: twice what
# the answering stages read, so the guard still sees past that and a longer message
# is still told it is too long; the envelope's ``truncated`` says how long it was
STORED_TEXT = 2 * MAX_TEXT

Clock = Callable[[], datetime]


@dataclass(slots=True)
class Arrival:
    """A recorded message on its way down the middleware chain: what the inbox knows
    of it besides the message itself. Middleware may set ``flooding`` and ``staff``."""

    inbound: Inbound
    now: datetime
    pressed: str | None = None  # a button press, in the words of the choice made
    flooding: bool | None = None  # over the flood limit (True: say so, False: stay quiet)
    staff: bool = False  # a staff desk's message, handled by the desk
    writes: list[Write] = field(default_factory=list)
    redacted: Redacted | None = None  # the message's text as stored (secrets taken out)

    def defer(self, write: Callable[[Connection], object]) -> None:
        """Run ``write(conn)`` in the transaction that completes the message."""
        self.writes.append(quietly(write))


CallNext = Callable[[Message, Arrival], Awaitable[Decision]]
# ``(call_next, message, arrival)``: decides itself (the staff desk), or notes what it
# found on ``arrival`` and calls ``call_next``
Middleware = Callable[[CallNext, Message, Arrival], Awaitable[Decision]]


def chain(middleware: Sequence[Middleware], last: CallNext) -> CallNext:
    """``middleware`` in order, each calling the next, the last calling ``last``."""
    call = last
    for step in reversed(middleware):
        call = partial(step, call)
    return call


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
class Inbox:
    """Turns each inbound message into recorded state and enqueued actions.

    Its actions become outbox rows through ``outbox`` (``handlers.outbox_rows``:
    splitting, staff-chat addressing), the one every other sender uses too.
    """

    store: Store  # ``socialdesk ask`` passes None and only calls ``decide``
    router: Router
    texts: Texts
    brand: Brand
    clock: Clock
    capabilities: dict[str, Capabilities] = field(default_factory=dict)
    staff_chats: tuple[StaffChat, ...] = ()
    detector: LanguageDetector = field(default_factory=LanguageDetector)
    wake: Callable[[], None] = lambda: None
    tickets: TicketStore | None = None
    subscriptions: SubscriptionStore | None = None
    links: LinkStore | None = None
    flood: FloodCounter = field(default_factory=FloodGate)  # shared when Redis is set
    staff_desk: StaffDesk | None = None  # claims, replies and resolutions from the staff chat
    files: AttachmentIntake | None = None  # keeps users' files, or says why not
    # the one way out; without one, an outbox over this inbox's channels is made
    outbox: Outbox | None = None
    _locks: KeyedLocks = field(default_factory=KeyedLocks, repr=False)
    _chain: CallNext = field(init=False, repr=False)
    _out: Outbox = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._chain = chain((self._flood_control, self._staff_only), self._route)
        self._out = self.outbox or Outbox(
            self.store,
            self.clock,
            self.capabilities,
            staff_chats=self.staff_chats,
            desks=desk_channels(),
            wake=lambda: self.wake(),
        )

    def outbound(
        self,
        actions: Sequence[Action | AlertStaff],
        channel: str,
        conversation_id: int | None = None,
        priority: int = 0,
        sender: str = "bot",
    ) -> list[NewOutbound]:
        """Actions as outbox rows on ``channel`` (``handlers.outbox_rows.Outbox.rows``)."""
        return self._out.rows(actions, channel, conversation_id, priority, sender)

    async def receive(self, message: Message) -> Decision | None:
        """Handle one message; ``None`` for a redelivered, already handled one."""
        async with self._locks.hold(message.conversation_key):
            return await self._handle(message)

    async def resume(self) -> int:
        """Handle messages recorded by a run that died before answering them."""
        pending = await self.store.unprocessed_inbound()
        for item in pending:
            message = message_from_envelope(item.envelope, item.text)
            async with self._locks.hold(message.conversation_key):
                await self._handle(message)
        return len(pending)

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
        # nothing is stored unredacted: secrets are taken out before the record, once;
        # the stages that store or judge the same text take this result from the context
        said = redacted(message.text)
        stored_text = said.text
        pressed: str | None = None
        if message.callback and not stored_text.strip():
            # a press is kept as what the user chose, in words, not as an empty message
            language = message.language_hint or self.brand.default_language
            buttons = ButtonStore(self.store)
            pressed = await chosen_words(message, buttons, self.texts, language)
            stored_text = f"[{redact(pressed)[0]}]"
        inbound = await self.store.record_inbound(kept, stored_text, now)
        if inbound.already_processed:
            log.debug("inbox: %s/%s already handled", message.channel, message.platform_message_id)
            return None
        arrival = Arrival(inbound, now, pressed, redacted=said)
        decision = await self._chain(message, arrival)
        return await self._complete(message, arrival, decision)

    async def _flood_control(self, call_next: CallNext, message: Message, at: Arrival) -> Decision:
        """Over the limit: the first refusal is said, the rest are quiet."""
        key, now = message.conversation_key, at.now.timestamp()
        admitted, first_refusal = await self.flood.admit(key, now)
        at.flooding = None if admitted else first_refusal
        return await call_next(message, at)

    async def _staff_only(self, call_next: CallNext, message: Message, at: Arrival) -> Decision:
        """A staff desk's chat (claims, replies to tickets) is the desk's, not the bot's."""
        if not self._from_staff(message):
            return await call_next(message, at)
        assert self.staff_desk is not None
        at.staff = True
        return Decision(
            message=message,
            intent="staff",
            language="en",
            actions=list(await self.staff_desk.handle(message, at.now)),
            refs=[],
            scam=ScamReport(),
            handoff=False,
        )

    async def _route(self, message: Message, at: Arrival) -> Decision:
        decision = await self.decide(
            message,
            inbound=at.inbound,
            now=at.now,
            flooding=at.flooding,
            pressed=at.pressed,
            writes=at.writes,
            redacted=at.redacted,
        )
        if self.files is not None:  # kept after the ticket's opening: its files join it
            notes = await self.files.keep(message, at.inbound, decision, at.now, at.defer)
            decision.actions[:0] = notes
        return decision

    def _from_staff(self, message: Message) -> bool:
        """A message in a staff chat that is a desk (claims, replies to tickets)."""
        if self.staff_desk is None or not self.staff_desk.serves(message.channel):
            return False
        return any(
            s.channel == message.channel and s.chat_id == message.chat_id for s in self.staff_chats
        )

    async def decide(
        self,
        message: Message,
        *,
        inbound: Inbound | None = None,
        now: datetime | None = None,
        flooding: bool | None = None,
        pressed: str | None = None,
        writes: list[Write] | None = None,
        redacted: Redacted | None = None,
    ) -> Decision:
        """Route one message; without ``inbound`` it touches no storage (``ask``), and
        the state changes the stages decide on are left unmade."""
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
            pressed=pressed,
            writes=[] if writes is None else writes,
            lookups=inbound.lookups if inbound else MAYBE,
            redacted=redacted,
        )
        return await self.router.route(message, ctx)

    async def _complete(self, message: Message, at: Arrival, decision: Decision) -> Decision | None:
        """Handler state, outbox rows and the inbox mark, in one transaction."""
        channel, conversation = message.channel, at.inbound.conversation_id
        told: dict[int, list[Step]] = {}  # by write: a retried transaction runs them again

        def rows_of(index: int, write: Write, conn: Connection) -> list[NewOutbound]:
            told[index] = list(write(conn) or ())
            return self.outbound(_sendable(told[index]), channel, conversation)

        outbound = self.outbound(_sendable(decision.actions), channel, conversation)
        done = await self.store.complete_inbound(
            at.inbound,
            intent=decision.intent,
            language=decision.language,
            outbound=outbound,
            now=self.clock(),
            writes=[partial(rows_of, i, w) for i, w in enumerate(at.writes)],
        )
        if not done:
            return None
        decision.actions += [step for i in sorted(told) for step in told[i]]
        if outbound or told or at.staff:
            self.wake()  # a staff action may have enqueued a reply to a user itself
        return decision


def _sendable(steps: Sequence[Step]) -> list[Action | AlertStaff]:
    """What reaches the outbox: actions, and staff alerts (addressed by ``outbound``).
    A ticket request left over has no handoff stage to take it (a router without one)."""
    kept: list[Action | AlertStaff] = []
    for step in steps:
        if isinstance(step, OpenTicket):
            log.debug("inbox: a ticket was asked for, but no stage opens tickets")
            continue
        kept.append(step)
    return kept
