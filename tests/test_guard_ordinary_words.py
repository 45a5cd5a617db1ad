"""Ordinary messages that share words with scams stay ordinary: a password that is only
mentioned, "double-check" and two-factor sign-in, a user's own token transfer next to
an address, a withdrawal's hash, a thank-you to the brand's own account; the scams
those rules exist for are still caught."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from channels.base import Capabilities, ChatKind
from handlers.context import Brand, Context
from handlers.guard import GuardStage
from handlers.scam.intent import gist
from handlers.scam.settings import GuardSettings
from handlers.secrets import redact
from handlers.texts import Texts
from handlers.understanding import shared_engine
from tests.builders import message

BRAND = Brand(
    name="Example Exchange",
    official_domains=("example.com",),
    official_handles=("@example_support", "@example"),
    languages=("en", "zh", "vi", "de", "es", "ru", "tr", "id", "pt", "fr", "ja", "ko"),
)
TEXTS = Texts.load()
NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
CAPS = Capabilities(max_length=4096, delete=True, restrict=True)
CONTRACT = "0x52908400098527886E0F7030069857D2E4169EE7"
OTHER = "0x8617E340B3D01FA5F11F306F4090FD50E238070D"
HASH = "bebb2737f6a6f0fb23c6f5da2cec255404e4fb440034d6608697a8d41bed440e"

needs_model = pytest.mark.skipif(
    shared_engine().engine is None, reason="the embedding model is not available here"
)


async def run(text: str, language: str = "en", **settings):
    stage = GuardStage(GuardSettings(**settings), official_contracts={"ABC": CONTRACT})
    context = Context(now=NOW, language=language, texts=TEXTS, brand=BRAND, capabilities=CAPS)
    result = await stage.handle(
        message(text, chat_kind=ChatKind.PRIVATE, chat_id="u1", sender_id="u1"), context
    )
    return result, context


@pytest.mark.parametrize(
    "text",
    [
        "I forgot my password yesterday, how do I reset it?",
        "password reset email never arrived",
        "mein Passwort ist abgelaufen",
        "密码忘了怎么重置？",
        "パスワードを忘れました",
        "Şifremi değiştirdikten sonra çekimler kilitlendi",
        "Kata sandi saya lupa, bagaimana reset?",
    ],
)
async def test_a_password_only_mentioned_is_not_a_posted_password(text: str) -> None:
    assert redact(text) == (text, [])
    _, context = await run(text, semantic=False)
    assert "secret_password" not in context.scam.reasons


@pytest.mark.parametrize(
    ("text", "password"),
    [
        ("my password is hunter2", "hunter2"),
        ("my password is 'sunshine'", "sunshine"),
        ("Passwort: geheim", "geheim"),
        ("パスワードは Secret123 です", "Secret123"),
        ("비밀번호는 Secret123 입니다", "Secret123"),
        ("kata sandi saya Rahasia99", "Rahasia99"),
        ("mật khẩu của tôi là Matkhau2024", "Matkhau2024"),
    ],
)
async def test_a_password_given_is_redacted_and_warned_about(text: str, password: str) -> None:
    redacted, kinds = redact(text)
    assert password not in redacted and kinds == ["password"]
    _, context = await run(text, semantic=False)
    assert "secret_password" in context.scam.reasons


@pytest.mark.parametrize(
    "text",
    [
        "is this my deposit address? I want to double check before sending",
        "Faut-il activer la double authentification avant de déposer ?",
        "¿Hace falta activar la doble verificación antes de depositar?",
        "Fui cobrado em dobro na taxa quando enviei o pagamento",
        "I sent the same deposit twice, there is a duplicate transaction",
        "can I open a 2x leverage long after my deposit arrives?",
        "why did the fee double when I send BTC now?",
    ],
)
async def test_double_that_promises_nothing_is_not_a_doubling_scam(text: str) -> None:
    _, context = await run(text, semantic=False)
    assert "fee_scam" not in context.scam.reasons, context.scam.reasons


@pytest.mark.parametrize(
    "text",
    [
        "向这个地址转入1个ETH，立即返还双倍",
        "Deposita USDT y duplicamos tu saldo al instante",
        "double your BTC: send now, we pay back in 10 minutes",
    ],
)
async def test_doubling_giveaways_are_still_scams_without_the_model(text: str) -> None:
    _, context = await run(text, semantic=False)
    assert context.scam.verdict == "scam" and "fee_scam" in context.scam.reasons


async def test_a_users_own_token_transfer_is_not_a_fake_contract() -> None:
    for text in (
        f"I sent my ABC to {OTHER} an hour ago, not arrived",
        f"withdrew ABC to my wallet {OTHER}, is it done?",
    ):
        _, context = await run(text, semantic=False)
        assert "fake_contract" not in context.scam.reasons, text
    for text in (f"ABC token contract {OTHER}", f"New $ABC CA: {OTHER} buy before listing"):
        _, context = await run(text, semantic=False)
        assert "fake_contract" in context.scam.reasons, text


async def test_a_withdrawals_hash_is_kept_and_a_bare_one_is_not() -> None:
    named = f"my ERC20 withdrawal 0x{HASH} has been pending for 3 hours"
    assert redact(named) == (named, [])
    _, context = await run(named, semantic=False)
    assert "secret_private_key" not in context.scam.reasons
    assert HASH not in redact(f"my wallet 0x{HASH} pls help")[0]
    assert HASH not in redact(f"private key of my withdrawal wallet 0x{HASH}")[0]


def test_the_brands_own_handles_are_read_as_the_official_account() -> None:
    handles = BRAND.official_handles
    assert gist("thanks @Example_Support!", (), handles) == "thanks the official account!"
    assert gist("news on @example today", (), handles) == "news on the official account today"
    for text in ("message @example_support_desk now", "@example.help", "me@example_support"):
        assert gist(text, (), handles) == text


@needs_model
@pytest.mark.parametrize(
    "text",
    [
        "big thanks to @example_support, they sorted out my withdrawal in an hour",
        "Danke @example_support, Auszahlung ist durch",  # 0.88 when read as a handle
        "感谢 @example_support，提现问题解决了",
    ],
)
async def test_thanking_the_brands_own_account_gets_no_warning(text: str) -> None:
    _, context = await run(text)
    assert context.scam.verdict == "clean", context.scam.reasons


@needs_model
async def test_a_look_alike_of_the_brands_handle_is_still_judged() -> None:
    _, context = await run(
        "I am from @example_support_desk, DM me your seed phrase to verify your wallet"
    )
    assert context.scam.verdict != "clean"
