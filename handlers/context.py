"""What every handler is given and what the router hands back.

The context is explicit and typed: a handler reads the instant, the reply language and
the brand from it instead of reaching for globals, so any answer can be computed "as of"
any instant (tests, ``socialdesk ask --at``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any, Literal

from channels.base import Capabilities, Message, Reply
from handlers.requests import Step
from handlers.secrets import Redacted
from storage.inbox import MAYBE, Lookups

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from handlers.texts import Texts
    from storage.links import LinkStore
    from storage.store import Store
    from storage.subscriptions import SubscriptionStore
    from storage.tickets import TicketStore

# A state change a stage decided on, run later in the transaction that marks the message
# handled and enqueues its replies (``Store.complete_inbound``), so both commit or
# neither does. It may return what only its result can tell the user (a new ticket's
# number); most return ``None``.
Write = Callable[["Connection"], Sequence[Step] | None]

Verdict = Literal["clean", "suspicious", "scam"]
_SEVERITY: dict[str, int] = {"clean": 0, "suspicious": 1, "scam": 2}


@dataclass(frozen=True, slots=True)
class Brand:
    """The exchange the bot speaks for; the guard compares look-alikes against it."""

    name: str = "Example Exchange"
    official_domains: tuple[str, ...] = ()
    official_handles: tuple[str, ...] = ()
    languages: tuple[str, ...] = ("en",)
    default_language: str = "en"


@dataclass(slots=True)
class ScamReport:
    """The guard's finding for one message: a verdict, reason codes and evidence."""

    verdict: Verdict = "clean"
    reasons: list[str] = field(default_factory=list)
    evidence: list[dict[str, str]] = field(default_factory=list)

    def raise_to(self, verdict: Verdict, reason: str, **evidence: str) -> None:
        """Record a finding; the verdict only ever rises (clean < suspicious < scam)."""
        if _SEVERITY[verdict] > _SEVERITY[self.verdict]:
            self.verdict = verdict
        if reason not in self.reasons:
            self.reasons.append(reason)
        if evidence:
            self.evidence.append({"reason": reason, **evidence})

    def to_json(self) -> dict[str, Any]:
        return {"verdict": self.verdict, "reasons": list(self.reasons), "evidence": self.evidence}


@dataclass(slots=True)
class Context:
    """Everything a handler may use besides the message itself."""

    now: datetime
    language: str
    texts: Texts
    brand: Brand
    capabilities: Capabilities | None = None
    store: Store | None = None
    identity_id: int | None = None
    conversation_id: int | None = None
    chosen_language: str | None = None
    ticket_id: int | None = None  # an open ticket: the user is talking to people
    flooding: bool | None = None  # over the flood limit (True: say so, False: stay quiet)
    tickets: TicketStore | None = None
    subscriptions: SubscriptionStore | None = None
    links: LinkStore | None = None
    scam: ScamReport = field(default_factory=ScamReport)
    pressed: str | None = None  # a button press, in the words of the choice made
    writes: list[Write] = field(default_factory=list)
    lookups: Lookups = MAYBE  # what the per-message reads can find
    redacted: Redacted | None = None  # the message's text as the inbox stored it

    def t(self, key: str, **values: Any) -> str:
        """The localized text ``key`` in the reply language."""
        return self.texts.get(key, self.language, **values)

    def defer(self, write: Callable[[Connection], object]) -> None:
        """Run ``write(conn)`` in the transaction that enqueues the message's replies.

        Reads during routing see the state as it was when the message arrived; a
        stage that needs a write's outcome decides from a read first (one message of
        a conversation at a time, so nothing changes that state in between). Without
        storage (``socialdesk ask``) the writes are never run.
        """
        self.writes.append(quietly(write))

    def defer_telling(self, write: Write) -> None:
        """Like :meth:`defer`, for a write whose outcome the user is told (a new
        ticket's number): the steps it returns are sent with the other replies."""
        self.writes.append(write)


def quietly(write: Callable[[Connection], object]) -> Write:
    """``write`` as a deferred write that tells the user nothing (its result unused)."""
    return partial(_run, write)


def _run(write: Callable[[Connection], object], conn: Connection) -> None:
    write(conn)


@dataclass(slots=True)
class Handled:
    """A stage's answer. ``final=False`` adds actions and lets the chain go on."""

    intent: str
    actions: list[Step] = field(default_factory=list)
    refs: list[str] = field(default_factory=list)
    handoff: bool = False
    final: bool = True
    confidence: float | None = None  # how sure an answering stage was, 0 to 1


class Pass:
    """The marker a stage returns when the message is not its concern."""

    _instance: Pass | None = None

    def __new__(cls) -> Pass:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "PASS"


PASS = Pass()


@dataclass(slots=True)
class Decision:
    """What the bot does about one message: the shape ``socialdesk ask --json`` prints."""

    message: Message
    intent: str
    language: str
    actions: list[Step]
    refs: list[str]
    scam: ScamReport
    handoff: bool
    confidence: float | None = None

    @property
    def reply(self) -> str:
        """The text the user would see, parts joined as they would arrive."""
        return "\n\n".join(
            a.text
            for a in self.actions
            if isinstance(a, Reply) and a.chat_id == self.message.chat_id
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "language": self.language,
            "intent": self.intent,
            "refs": list(self.refs),
            "reply": self.reply,
            "actions": [a.model_dump(mode="json") for a in self.actions],
            "scam": self.scam.to_json(),
            "handoff": self.handoff,
            "confidence": None if self.confidence is None else round(self.confidence, 3),
        }
