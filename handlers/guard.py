"""The guard: the first stage, which reads every message (addressed or not, edited too).

It runs the detectors of ``handlers.scam`` (rules, then the semantic layer on the
shared understanding model), records the verdict in ``ctx.scam``, and acts by policy
(``[guard]``): in a group a scam is removed, its sender timed out and staff alerted;
everywhere the user is told what is wrong and what to do. A user who reports a scam
("support asked me for my seed phrase") is warned, never removed; one who says the
money is already gone gets the urgent anti-fraud ticket. In a private chat it never
stops the chain otherwise: a user in danger must still get help with what they asked.
Staff accounts (``bot.official_handles``) are exempt.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import NoReturn, cast

from channels.base import Action, Delete, MemberEvent, Message, Reply, Restrict
from handlers.context import PASS, Context, Handled, Pass
from handlers.requests import AlertStaff, OpenTicket, Step
from handlers.scam.detect import TRANSFER_NOTICES, Finding, inspect
from handlers.scam.gone import already_sent
from handlers.scam.handles import imitates
from handlers.scam.intent import IntentCheck
from handlers.scam.links import BlockList, hosts_in
from handlers.scam.normalize import readable
from handlers.scam.settings import GuardSettings
from handlers.secrets import HEX64, redact, redacted
from handlers.understanding.engine import model_threads

log = logging.getLogger(__name__)

# what a user reports: warned and helped, never removed or timed out
REPORTS = ("scam_report", "scam_paid")
# findings about a transfer gone wrong, not about a scammer
NOT_FRAUD = TRANSFER_NOTICES
# characters of a message the rules may read on the event loop: their time grows with
# the text (about 0.1 ms for a short one), and a longer message goes to the model
# threads whatever it holds, so one long text never holds every chat up
LOOP_CHARS = 1000


class _ModelNeeded(BaseException):
    """The rules reached the semantic layer: this message needs the model threads.

    A ``BaseException``, so that no ``except Exception`` in a detector can take it for
    a failure of the model and carry on without it: it always ends the pass on the loop.
    """


class _NoModel:
    """Stands in for the semantic layer while the rules read a message on the event
    loop: whatever the detectors ask of it (``judge``, or anything else they may come
    to ask) stops them, and the message is read again with the real one."""

    def judge(self, *_args: object, **_kwargs: object) -> NoReturn:
        raise _ModelNeeded

    def __getattr__(self, _name: str) -> NoReturn:
        raise _ModelNeeded


_STAND_IN = cast(IntentCheck, _NoModel())


def rules_alone(read: Callable[..., list[Finding]], text: str) -> list[Finding] | None:
    """The findings of ``read`` (:func:`inspect` with its options bound) when the rules
    decide ``text`` without the model, else ``None``.

    Exact by construction, not a guess at what the model would say: the rules run as
    they would in the model threads, with the same options, up to the point where
    they would hand the message to the semantic layer; a message that gets there is
    ``None`` (read again, whole, in the threads), and one that does not gets the very
    findings the threads would have returned, since nothing else differs. A short
    message with no link, address, secret, phrase or cue never reaches the model:
    this saves it the hop to a thread and back (0.1-0.2 ms of CPU a reply), at the
    price, for the messages that do reach the model (milliseconds each), of the rules
    read twice. Texts over :data:`LOOP_CHARS` are ``None`` without being read."""
    if len(text) > LOOP_CHARS:
        return None
    try:
        return read(intent=_STAND_IN)
    except _ModelNeeded:
        return None


class GuardStage:
    """Scam and safety checks that run before anything is answered."""

    def __init__(
        self,
        settings: GuardSettings | None = None,
        *,
        official_contracts: Mapping[str, str] | None = None,
        embedding_cache: Path | None = None,
        intent: IntentCheck | None = None,
    ) -> None:
        self.settings = settings or GuardSettings()
        self.official_contracts = dict(official_contracts or {})
        self.blocklist = BlockList()
        if intent is None and self.settings.semantic:
            intent = IntentCheck.shared(embedding_cache)
        self.intent = intent
        self.reload()

    def reload(self) -> bool:
        """Read the block lists again (the scheduler does, every few minutes).

        A missing or broken file is logged and the lists in service stay: a bad
        download must not switch the phishing check off.
        """
        try:
            self.blocklist = BlockList.load(Path(p) for p in self.settings.blocklist_paths)
        except (OSError, ValueError) as exc:
            log.error("guard: block lists not reloaded, the previous ones stay: %s", exc)
            return False
        return True

    def __repr__(self) -> str:
        semantic = "on" if self.intent is not None else "off"
        return f"GuardStage(blocklist={self.blocklist.size} domains, semantic layer {semantic})"

    async def handle(self, message: Message, ctx: Context) -> Handled | Pass:
        if _is_staff(message.username, ctx):
            return PASS
        hash_asked = await _asked_for_hash(message, ctx)
        # the inbox's search found the secrets already, unless 64 hex digits are a hash
        known = None if hash_asked else redacted(message.text, ctx.redacted).kinds
        read = partial(
            inspect,
            message.text,
            official_domains=ctx.brand.official_domains,
            blocklist=self.blocklist,
            official_addresses=tuple(self.settings.official_addresses),
            official_contracts=self.official_contracts,
            intent=self.intent,
            transaction_hash=hash_asked,
            secret_kinds=known,
            official_handles=ctx.brand.official_handles,
            brand=ctx.brand.name,
        )
        if self.intent is None:
            findings = read()  # the rules alone: a fraction of a millisecond
        elif (decided := rules_alone(read, message.text)) is not None:
            findings = decided  # the rules decide it: no model, so no hop to its threads
        else:  # the models off the event loop, a busy group's messages side by side
            loop = asyncio.get_running_loop()
            findings = await loop.run_in_executor(model_threads(), read)
        if not findings:
            return PASS
        for f in findings:
            evidence = {k: redact(v)[0] for k, v in f.evidence.items()}
            ctx.scam.raise_to(f.verdict, f.reason, **evidence)
        return self._act(message, ctx, findings)

    def _act(self, message: Message, ctx: Context, findings: list[Finding]) -> Handled:
        public = message.chat_kind.is_public
        caps = ctx.capabilities
        secret = any(f.reason.startswith("secret_") for f in findings)
        scam = ctx.scam.verdict == "scam"
        remove = public and (secret or (scam and self.settings.delete_in_groups))
        gone = not secret and _money_gone(message.text, findings)
        warning = self._warning(findings, ctx)
        paid = ctx.t("guard.scam_paid", brand=ctx.brand.name)
        if gone and paid not in warning:
            warning = f"{warning}\n\n{paid}"  # what to do now that the money is gone
        actions: list[Step] = []
        if remove and (caps is None or caps.delete):
            actions.append(Delete(chat_id=message.chat_id, message_id=message.platform_message_id))
        restrict = public and scam and self.settings.restrict_minutes > 0
        restrict = restrict and (caps is None or caps.restrict) and not gone
        if restrict and not self._reports(message.text, ctx):
            # (a victim quoting the scam, or saying they paid, is helped, never timed out)
            actions.append(
                Restrict(
                    chat_id=message.chat_id,
                    user_id=message.sender_id,
                    until=ctx.now + timedelta(minutes=self.settings.restrict_minutes),
                    reason=", ".join(ctx.scam.reasons),
                )
            )
        if (remove or scam) and self.settings.alert_staff:
            actions.append(self._alert(message, ctx, findings))
        if remove:
            name = message.display_name or message.username or message.sender_id
            text = ctx.t("guard.removed_public", name=name, reason_text=warning)
            actions.append(Reply(chat_id=message.chat_id, text=text, thread_id=message.thread_id))
            if gone:  # a victim's message quoting the scam: removed, and they are helped
                actions.append(self._anti_fraud(message, ctx))
                return Handled(intent="handoff", actions=actions, handoff=True)
            return Handled(intent="secret_warning" if secret else "scam_removed", actions=actions)
        actions.append(
            Reply(
                chat_id=message.chat_id,
                text=warning,
                thread_id=message.thread_id,
                reply_to=message.platform_message_id if public else None,
            )
        )
        if gone:
            actions.append(self._anti_fraud(message, ctx))
            return Handled(intent="handoff", actions=actions, handoff=True)
        intent = "secret_warning" if secret else "scam_warning"
        return Handled(intent=intent, actions=actions, final=False)

    @staticmethod
    def _anti_fraud(message: Message, ctx: Context) -> OpenTicket:
        """The funds are gone: an anti-fraud ticket, at the front of the queue."""
        said = redacted(message.text, ctx.redacted).text[:300]
        summary = f"anti-fraud: {', '.join(ctx.scam.reasons)}: {said}"
        return OpenTicket(category="anti_fraud", summary=summary)

    def _reports(self, text: str, ctx: Context) -> bool:
        """Whether a message the rules call a scam is a user telling about it."""
        if self.intent is None:
            return False
        judged = self.intent.judge(text, ctx.brand.official_domains)
        return judged.report and judged.flagged

    @staticmethod
    def _warning(findings: list[Finding], ctx: Context) -> str:
        parts: list[str] = []
        officials = ", ".join(ctx.brand.official_domains)
        handles = ", ".join(ctx.brand.official_handles)
        for finding in findings:
            key = f"guard.{finding.reason}"
            values = {
                "brand": ctx.brand.name,
                "officials": officials,
                "handles": handles,
                **finding.evidence,
            }
            text = ctx.t(key, **values)
            if text not in parts:
                parts.append(text)
        quiet = ("secret_", *REPORTS)  # these texts already say it
        if not any(f.reason.startswith(quiet) for f in findings):
            parts.append(ctx.t("guard.never_dm", brand=ctx.brand.name))
        return "\n\n".join(parts)

    @staticmethod
    def _alert(message: Message, ctx: Context, findings: list[Finding]) -> AlertStaff:
        evidence = [
            ("channel", message.channel),
            ("chat", message.chat_id),
            ("user", message.username or message.sender_id),
            ("verdict", ctx.scam.verdict),
        ]
        for finding in findings:
            detail = ", ".join(f"{k}={v}" for k, v in finding.evidence.items())
            evidence.append((finding.reason, detail))
        text = ctx.texts.get(
            "guard.staff_alert",
            "en",
            verdict=ctx.scam.verdict,
            user=message.username or message.sender_id,
            chat=message.chat_id,
            channel=message.channel,
            reasons=", ".join(ctx.scam.reasons),
        )
        return AlertStaff(text=text, evidence=tuple(evidence))

    async def check_member(self, event: MemberEvent, ctx: Context) -> list[Action | AlertStaff]:
        """A new or renamed member who looks like staff, the brand or the bot."""
        if _is_staff(event.username, ctx):
            return []
        imitates = _imitates(event.display_name, event.username, ctx)
        if imitates is None:
            return []
        name = event.display_name or event.username or event.user_id
        text = ctx.texts.get(
            "guard.impersonator",
            "en",
            chat=event.chat_id,
            channel=event.channel,
            name=name,
            imitates=imitates,
        )
        actions: list[Action | AlertStaff] = [
            AlertStaff(
                text=text,
                evidence=(
                    ("user_id", event.user_id),
                    ("username", event.username or ""),
                    ("display_name", event.display_name),
                    ("event", event.kind),
                ),
            )
        ]
        caps = ctx.capabilities
        if self.settings.restrict_impersonators and (caps is None or caps.restrict):
            actions.append(
                Restrict(
                    chat_id=event.chat_id, user_id=event.user_id, reason=f"impersonates {imitates}"
                )
            )
        return actions


def _money_gone(text: str, findings: list[Finding]) -> bool:
    """The user says they already paid a scammer: the semantic layer heard a report of
    payment, or they say so beside any scam finding (a report too: "I sent 300 USDT to
    the admin who promised to double it" reads like "someone asked me", but the money
    is gone)."""
    if any(f.reason == "scam_paid" for f in findings):
        return True
    fraud = [f for f in findings if f.reason not in NOT_FRAUD]
    return bool(fraud) and already_sent(readable(text))


async def _asked_for_hash(message: Message, ctx: Context) -> bool:
    """Whether this private message answers the intake's "transaction hash" question
    (then 64 hex digits are that hash, not a key). Reads storage only when the text
    holds 64 hex digits and a ticket is open."""
    if message.chat_kind.is_public or ctx.ticket_id is None or ctx.tickets is None:
        return False
    if HEX64.search(message.text) is None:
        return False
    state = await ctx.tickets.intake(ctx.ticket_id)
    return state is not None and state.step == "tx_hash"


def is_official(item: str, ctx: Context) -> bool:
    """Whether a handle (``@name``) or a link belongs to the exchange (``/verify``)."""
    item = item.strip()
    hosts = hosts_in(item.casefold())
    if hosts:
        return all(
            any(h.registered == d or h.host.endswith("." + d) for d in ctx.brand.official_domains)
            for h in hosts
        )
    handles = {h.lstrip("@").casefold() for h in ctx.brand.official_handles}
    return item.lstrip("@").casefold() in handles


def _is_staff(username: str | None, ctx: Context) -> bool:
    if not username:
        return False
    handles = {h.lstrip("@").casefold() for h in ctx.brand.official_handles}
    return username.lstrip("@").casefold() in handles


def _imitates(display_name: str, username: str | None, ctx: Context) -> str | None:
    """What a member name imitates: an official handle, or the brand dressed as staff."""
    for raw in (display_name, username or ""):
        found = imitates(raw, ctx.brand.official_handles, ctx.brand.name)
        if found is not None:
            return found[0]
    return None
