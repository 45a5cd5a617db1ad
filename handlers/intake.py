"""Structured intake: when a ticket opens in private, the bot asks what the agent needs.

One question at a time, chosen by the ticket's category (a deposit that did not arrive
needs coin, network, amount, transaction hash and destination address; a missing reward
needs which one and the UID), with buttons where the channel has them. Answers are
checked against what the named network allows, so an agent does not start from a
transaction hash that cannot exist; the user may skip any question. The answers land in
the ticket's own columns, where the agent's ticket view shows them.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

import base58

from channels.base import Button, Message, Reply
from handlers.context import PASS, Context, Handled, Pass
from handlers.requests import Step
from handlers.scam.addresses import addresses_in, named_networks
from handlers.secrets import redact
from handlers.texts import Texts
from handlers.topics import category_of
from storage.tickets import IntakeState, TicketStore

if TYPE_CHECKING:  # it reads the knowledge base, whose stage imports the commands
    from sqlalchemy.engine import Connection

    from handlers.intake_words import CategoryReader

INTAKE_CALLBACK = "intake:"
SKIP = "skip"
CATEGORY = "category"
CATEGORIES = (
    "deposit_missing",
    "wrong_network",
    "wrong_coin",
    "withdrawal_delayed",
    "reward_missing",
    "account_kyc",
    "other",
)
# every category a ticket can have: the user's choices, and the guard's anti-fraud one
TICKET_CATEGORIES = (*CATEGORIES, "anti_fraud")
_TRANSFER = ("coin", "network", "amount", "tx_hash", "address")
FLOWS: dict[str, tuple[str, ...]] = {
    "deposit_missing": _TRANSFER,
    "wrong_network": _TRANSFER,
    "wrong_coin": _TRANSFER,
    "withdrawal_delayed": _TRANSFER,
    "reward_missing": ("reward", "uid"),
    "account_kyc": ("uid",),
    "anti_fraud": _TRANSFER,  # the scammer's address and the transfer, for the report
    "other": (),
}
CHOICES: dict[str, tuple[str, ...]] = {
    "coin": ("USDT", "BTC", "ETH", "USDC"),
    "network": ("ERC20", "TRC20", "BEP20", "Bitcoin", "Solana", "TON"),
}
# what a transaction id looks like on each network family
_HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")
_EVM_TX = re.compile(r"^0x[0-9a-fA-F]{64}$")
_AMOUNT = re.compile(r"^(\d+(?:[.,]\d+)?)(?:\s*[A-Za-z]{2,10})?$")
_COIN = re.compile(r"^[A-Za-z0-9]{2,12}$")
_UID = re.compile(r"^\d{4,20}$")


@dataclass(frozen=True, slots=True)
class Problem:
    """Why an answer cannot be right, as a text key and its values."""

    key: str
    values: dict[str, str]


def first_step(category: str) -> str | None:
    """The first question for a ticket opened in ``category`` (unknown: which one)."""
    if category == "other" or category not in FLOWS:
        return CATEGORY
    flow = FLOWS[category]
    return flow[0] if flow else None


def next_step(category: str, step: str) -> str | None:
    """The question after ``step``; ``None`` when the intake is complete."""
    flow = FLOWS.get(category, ())
    if step == CATEGORY:
        return flow[0] if flow else None
    at = flow.index(step) if step in flow else len(flow)
    return flow[at + 1] if at + 1 < len(flow) else None


def question(step: str, texts: Texts, language: str, *, chat_id: str, buttons: bool) -> Reply:
    """The question for ``step``: buttons for the choices and Skip, or, on a channel
    without buttons, the choices numbered in the text and how to skip."""
    text = texts.get(f"intake.ask.{step}", language)
    options = _options(step, texts, language)
    skip = Button(label=texts.get("intake.skip", language), data=f"{INTAKE_CALLBACK}{step}:{SKIP}")
    if buttons:
        pressed = [Button(label=label, data=f"{INTAKE_CALLBACK}{step}:{v}") for v, label in options]
        rows = [tuple(pressed[i : i + 2]) for i in range(0, len(pressed), 2)]
        return Reply(chat_id=chat_id, text=text, buttons=(*rows, (skip,)))
    listed = "\n".join(f"{n}. {label}" for n, (_v, label) in enumerate(options, 1))
    hint = texts.get("intake.skip_hint", language)
    return Reply(chat_id=chat_id, text="\n".join(p for p in (text, listed, hint) if p))


def _options(step: str, texts: Texts, language: str) -> list[tuple[str, str]]:
    if step == CATEGORY:
        return [(c, texts.get(f"intake.category.{c}", language)) for c in CATEGORIES]
    return [(v, v) for v in CHOICES.get(step, ())]


def is_skip(answer: str, texts: Texts, language: str) -> bool:
    words = {SKIP, f"/{SKIP}", texts.get("intake.skip", language).lower()}
    return answer.strip().lower() in words


def check(step: str, answer: str, state: IntakeState, texts: Texts, language: str) -> str | Problem:
    """The value to store for ``answer``, or the problem that makes it impossible."""
    answer = answer.strip()
    if step == CATEGORY:
        return _category(answer, texts, language)
    if not answer:
        return Problem("intake.empty", {})
    if step in CHOICES:
        chosen = _numbered(answer, [v for v, _ in _options(step, texts, language)])
        answer = chosen or answer
    if step == "coin":
        return answer.upper() if _COIN.match(answer) else Problem("intake.bad_coin", {})
    if step == "network":
        return answer[:32]
    if step == "amount":
        match = _AMOUNT.match(answer)
        if match is None or float(match.group(1).replace(",", ".")) <= 0:
            return Problem("intake.bad_amount", {})
        return match.group(1).replace(",", ".")
    # "deposit on the wrong network": the network named and the one the hash or the
    # address belongs to differing is the very problem reported, not a mistake
    network = None if state.category == "wrong_network" else state.network
    if step == "tx_hash":
        return _tx_hash(answer, network, texts, language)
    if step == "address":
        return _address(answer, network, texts, language)
    if step == "uid":
        return answer if _UID.match(answer) else Problem("intake.bad_uid", {})
    return answer[:200]  # reward: the user's own words


def _numbered(answer: str, values: list[str]) -> str | None:
    if answer.isdigit() and 1 <= int(answer) <= len(values):
        return values[int(answer) - 1]
    return None


def _category(answer: str, texts: Texts, language: str) -> str | Problem:
    options = _options(CATEGORY, texts, language)
    by_number = _numbered(answer, [v for v, _ in options])
    if by_number:
        return by_number
    wanted = answer.lower()
    for value, label in options:
        if wanted in (value, label.lower()):
            return value
    return Problem("intake.pick_one", {})


def family(network: str | None) -> str | None:
    """The one network family a user's network answer names, or ``None``."""
    families = named_networks(network or "")
    return next(iter(families)) if len(families) == 1 else None


def tx_hash_fits(tx: str, network_family: str | None) -> bool:
    """Whether ``tx`` has the shape of a transaction id on ``network_family``
    (``None``: on any network socialdesk knows)."""
    shapes: dict[str, Callable[[str], bool]] = {
        "evm": lambda t: bool(_EVM_TX.match(t)),
        "tron": lambda t: bool(_HEX64.match(t)),
        "btc": lambda t: bool(_HEX64.match(t)),
        "ltc": lambda t: bool(_HEX64.match(t)),
        "doge": lambda t: bool(_HEX64.match(t)),
        "xrp": lambda t: bool(_HEX64.match(t)),
        "solana": _solana_signature,
        "ton": lambda t: bool(_HEX64.match(t)) or _ton_hash(t),
    }
    if network_family is None:
        return any(fits(tx) for fits in shapes.values())
    return shapes[network_family](tx)


def _solana_signature(tx: str) -> bool:
    try:
        return len(base58.b58decode(tx)) == 64
    except ValueError:
        return False


def _ton_hash(tx: str) -> bool:
    try:
        return len(tx) == 44 and len(base64.urlsafe_b64decode(tx.replace("+", "-"))) == 32
    except ValueError:
        return False


def _tx_hash(tx: str, network: str | None, texts: Texts, language: str) -> str | Problem:
    found = family(network)
    if tx_hash_fits(tx, found):
        return tx
    if found is None:
        return Problem("intake.bad_tx_any", {})
    return Problem(
        "intake.bad_tx",
        {"network": network or "", "shape": texts.get(f"intake.tx_shape.{found}", language)},
    )


def _address(raw: str, network: str | None, texts: Texts, language: str) -> str | Problem:
    found = addresses_in(raw)
    if len(found) != 1 or found[0].text != raw.strip():
        return Problem("intake.bad_address", {})
    address = found[0]
    if not address.valid:
        return Problem("intake.address_checksum", {})
    expected = family(network)
    if expected is not None and address.network != expected:
        return Problem(
            "intake.address_other_network",
            {
                "found": texts.get(f"intake.network_name.{address.network}", language),
                "network": network or "",
            },
        )
    return address.text


def _typed_words(state: IntakeState, answer: str, ctx: Context) -> bool:
    """At the category question, words that are neither a choice nor "skip"."""
    if state.step != CATEGORY or is_skip(answer, ctx.texts, ctx.language):
        return False
    return isinstance(check(CATEGORY, answer, state, ctx.texts, ctx.language), Problem)


class IntakeStage:
    """Takes the answers to the intake questions while a ticket's intake is running.

    Typed words at the category question are read (``reader``) rather than refused."""

    def __init__(self, reader: CategoryReader | None = None) -> None:
        self.reader = reader  # None: the cue words alone name the category

    def __repr__(self) -> str:
        return f"IntakeStage({self.reader!r})"

    async def handle(self, message: Message, ctx: Context) -> Handled | Pass:
        if (
            ctx.ticket_id is None
            or ctx.tickets is None
            or message.chat_kind.is_public
            or ctx.flooding is not None
            or not message.addressed
        ):
            return PASS
        pressed = message.callback
        if pressed is not None and not pressed.startswith(INTAKE_CALLBACK):
            return PASS
        if (
            pressed is None
            and message.text.strip().startswith("/")
            and not is_skip(message.text, ctx.texts, ctx.language)
        ):
            return PASS  # a command: the conversation stage answers it
        state = await ctx.tickets.intake(ctx.ticket_id)
        if state is None or state.step is None:
            return Handled(intent="ignored") if pressed else PASS
        if pressed is not None:
            step, _, answer = pressed[len(INTAKE_CALLBACK) :].partition(":")
            if step != state.step:
                return Handled(intent="ignored")  # a button of an earlier question
        else:
            # what is stored never keeps a secret; the hash asked for is not one
            answer = redact(message.text, transaction_hash=state.step == "tx_hash")[0]
            if _typed_words(state, answer, ctx):
                return await self._typed_category(message, ctx, state, answer)
        return await self._answer(message, ctx, state, answer)

    async def _typed_category(
        self, message: Message, ctx: Context, state: IntakeState, words: str
    ) -> Handled:
        """The user wrote their problem instead of choosing: answer it when the
        knowledge base can, take the category it names, keep it as the description."""
        assert ctx.tickets is not None
        if not words.strip():
            return await self._answer(message, ctx, state, words)
        if self.reader is not None:
            reading = await self.reader.read(message, ctx)
            found, answer = reading.category, reading.answer
        else:
            found, answer = category_of(words), []
        placeholder = (ctx.texts.get("tickets.asked_for_person", ctx.language),)
        ctx.defer(
            partial(
                TicketStore._describe,
                ticket_id=state.ticket_id,
                words=words,
                replacing=placeholder,
            )
        )
        actions: list[Step] = list(answer)
        category = found or "other"
        following = next_step(category, CATEGORY)
        ctx.defer(_recorded(state.ticket_id, CATEGORY, category, following))
        if following == "reward":  # the reward they wrote about is the answer to it
            after = next_step(category, following)
            ctx.defer(_recorded(state.ticket_id, following, words[:200], after))
            following = after
        if found is not None:
            label = ctx.texts.get(f"intake.category.{category}", ctx.language)
            noted = ctx.t("frontdoor.intake_understood", category=label)
        else:
            noted = ctx.t("frontdoor.intake_noted")
        if following is None:
            text = f"{noted} {ctx.t('intake.done')}"
            actions.append(Reply(chat_id=message.chat_id, text=text))
        else:
            buttons = ctx.capabilities is not None and ctx.capabilities.buttons
            ask = question(
                following, ctx.texts, ctx.language, chat_id=message.chat_id, buttons=buttons
            )
            actions.append(ask.model_copy(update={"text": f"{noted}\n\n{ask.text}"}))
        return Handled(intent="intake_answer", actions=actions)

    async def _answer(
        self, message: Message, ctx: Context, state: IntakeState, answer: str
    ) -> Handled:
        assert state.step is not None and ctx.tickets is not None
        step = state.step
        buttons = ctx.capabilities is not None and ctx.capabilities.buttons
        value: str | None = None
        if not is_skip(answer, ctx.texts, ctx.language):
            checked = check(step, answer, state, ctx.texts, ctx.language)
            if isinstance(checked, Problem):
                # the user is here: a ticket waiting for them is open again
                ctx.defer(partial(TicketStore._user_wrote, ticket_id=state.ticket_id))
                again = question(
                    step, ctx.texts, ctx.language, chat_id=message.chat_id, buttons=buttons
                )
                why = ctx.t(checked.key, **checked.values)
                text = f"{why}\n\n{again.text}"
                return Handled(
                    intent="intake_question", actions=[again.model_copy(update={"text": text})]
                )
            value = checked
        category = (value or "other") if step == CATEGORY else state.category
        following = next_step(category, step)
        ctx.defer(_recorded(state.ticket_id, step, value, following))
        if following is None:
            reply = Reply(chat_id=message.chat_id, text=ctx.t("intake.done"))
        else:
            reply = question(
                following, ctx.texts, ctx.language, chat_id=message.chat_id, buttons=buttons
            )
        return Handled(intent="intake_answer", actions=[reply])


def _recorded(
    ticket_id: int, step: str, value: str | None, following: str | None
) -> Callable[[Connection], object]:
    """One answer stored and the next question set, with the message's replies
    (conditional on ``step`` still awaiting, like ``TicketStore.record_intake``)."""
    return partial(
        TicketStore._record_intake, ticket_id=ticket_id, step=step, value=value, following=following
    )
