"""The router's chain and the foundation stages, with Message objects in (no I/O)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from channels.base import ChatKind, Delete, Reply
from handlers.commands import CommandStage, parse_command
from handlers.context import PASS, Brand, Context, Handled
from handlers.conversation import MAX_TEXT, ConversationStage
from handlers.greeting import GreetingStage
from handlers.guard import GuardStage
from handlers.language import LanguageDetector, choose_language
from handlers.router import Router
from handlers.texts import Texts
from tests.builders import VECTORS, message

BRAND = Brand(name="Example Exchange", languages=("en", "zh", "vi", "de"))
TEXTS = Texts.load()
DETECTOR = LanguageDetector()
SEED = "abandon ability able about above absent absorb abstract absurd abuse access accident"


def ctx(language: str = "en") -> Context:
    return Context(
        now=datetime(2026, 11, 23, tzinfo=UTC), language=language, texts=TEXTS, brand=BRAND
    )


def router() -> Router:
    return Router(
        GuardStage(embedding_cache=VECTORS), ConversationStage(), CommandStage(), GreetingStage()
    )


class Recorder:
    def __init__(self, name: str, result):
        self.name, self.result, self.seen = name, result, 0

    async def handle(self, message, ctx):
        self.seen += 1
        return self.result


async def test_the_first_final_answer_wins_and_later_stages_never_run() -> None:
    first = Recorder("a", PASS)
    second = Recorder("b", Handled(intent="second"))
    third = Recorder("c", Handled(intent="third"))
    decision = await Router(first, second, third).route(message(), ctx())
    assert decision.intent == "second"
    assert (first.seen, second.seen, third.seen) == (1, 1, 0)


async def test_non_final_actions_come_before_the_answer() -> None:
    warn = Reply(chat_id="c", text="careful")
    answer = Reply(chat_id="c", text="answer")
    chain = Router(
        Recorder("w", Handled("warn", [warn], final=False)), Recorder("a", Handled("faq", [answer]))
    )
    decision = await chain.route(message(), ctx())
    assert decision.actions == [warn, answer]
    assert decision.intent == "faq"


async def test_routers_nest() -> None:
    inner = Router(Recorder("x", PASS), Recorder("y", Handled(intent="inner")), name="inner")
    decision = await Router(Recorder("z", PASS), inner).route(message(), ctx())
    assert decision.intent == "inner"
    assert "inner" in repr(Router(inner))


@pytest.mark.parametrize(
    ("text", "language", "needle"),
    [
        ("hello", "en", "support assistant"),
        ("你好，请问怎么联系客服", "zh", "客服助手"),
        ("xin chào, tôi cần giúp đỡ", "vi", "trợ lý hỗ trợ"),
        ("Hallo, ich brauche bitte Hilfe", "de", "Support-Assistent"),
    ],
)
async def test_the_fallback_greets_in_the_users_language(
    text: str, language: str, needle: str
) -> None:
    chosen = choose_language(
        text, chosen=None, hint=None, supported=BRAND.languages, default="en", detector=DETECTOR
    )
    assert chosen == language
    decision = await router().route(message(text, display_name=""), ctx(chosen))
    assert decision.intent == "greeting"
    assert needle in decision.reply
    assert "/lang" in decision.reply


async def test_group_chatter_not_addressed_to_the_bot_gets_no_answer() -> None:
    decision = await router().route(
        message("anyone here trading today?", chat_kind=ChatKind.GROUP, addressed=False), ctx()
    )
    assert decision.intent == "ignored"
    assert decision.actions == []


async def test_lang_offers_one_button_per_language_and_a_press_switches() -> None:
    decision = await router().route(message("/lang"), ctx())
    buttons = [b for row in decision.actions[0].buttons for b in row]
    assert [b.data for b in buttons] == ["lang:en", "lang:zh", "lang:vi", "lang:de"]
    assert "Deutsch" in [b.label for b in buttons]
    pressed = await router().route(message("", callback="lang:de"), ctx("en"))
    assert pressed.language == "de"
    assert "Deutsch" in pressed.reply


async def test_an_unknown_language_button_is_ignored() -> None:
    decision = await router().route(message("", callback="lang:xx"), ctx())
    assert decision.actions == []


@pytest.mark.parametrize(
    ("text", "attachments", "needle"),
    [("   ", (), "empty"), ("", ("sticker",), "only read text")],
)
async def test_unreadable_input_gets_a_clear_reply(text, attachments, needle) -> None:
    from channels.base import Attachment

    msg = message(text, attachments=tuple(Attachment(kind=a) for a in attachments))
    decision = await router().route(msg, ctx())
    assert decision.intent == "unreadable"
    assert needle in decision.reply


async def test_a_megabyte_message_gets_an_answer_not_a_crash() -> None:
    decision = await router().route(message("a" * 1_000_000), ctx())
    assert decision.intent == "unreadable"
    assert str(MAX_TEXT) in decision.reply


def test_commands_parse_with_bot_names_and_payloads() -> None:
    assert parse_command("/start@support_bot ref-42") == ("start", "ref-42")
    assert parse_command("/HELP") == ("help", "")
    assert parse_command("help") is None


async def test_a_seed_phrase_in_private_warns_and_still_answers() -> None:
    decision = await router().route(message(f"is this safe? {SEED}"), ctx())
    assert decision.scam.verdict == "suspicious"
    assert "secret_seed_phrase" in decision.scam.reasons
    assert "new wallet" in decision.actions[0].text
    assert decision.intent == "greeting"  # the user still gets help


async def test_a_seed_phrase_in_a_group_is_deleted_and_staff_alerted() -> None:
    msg = message(SEED, chat_kind=ChatKind.GROUP, chat_id="-100", platform_message_id="77")
    decision = await router().route(msg, ctx())
    assert Delete(chat_id="-100", message_id="77") in decision.actions
    assert any(a.type == "alert_staff" for a in decision.actions)
    assert decision.intent == "secret_warning"
