"""Ordinary messages that share words with scams stay ordinary: a password that is only
mentioned, "double-check", two-factor sign-in, a double charge or a fee that doubled,
leverage, a user's own token transfer next to an address, a withdrawal's hash. In a
group each of them used to be deleted (a "posted password") or deleted with its sender
timed out (a "fee scam", a "fake contract"); the scams those rules exist for are still
caught. The guard runs on its rules alone here: these are the rules' doing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from channels.base import Capabilities, ChatKind, Delete, Reply, Restrict
from handlers.context import PASS, Brand, Context
from handlers.guard import GuardStage
from handlers.scam.settings import GuardSettings
from handlers.secrets import redact
from handlers.texts import Texts
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
CONTRACT = "0x52908400098527886E0F7030069857D2E4169EE7"  # the official ABC contract
OTHER = "0x8617E340B3D01FA5F11F306F4090FD50E238070D"
HASH = "bebb2737f6a6f0fb23c6f5da2cec255404e4fb440034d6608697a8d41bed440e"


async def in_group(text: str, language: str = "en"):
    """The message as posted in a group, where a scam or a posted secret is removed."""
    stage = GuardStage(GuardSettings(semantic=False), official_contracts={"ABC": CONTRACT})
    context = Context(now=NOW, language=language, texts=TEXTS, brand=BRAND, capabilities=CAPS)
    result = await stage.handle(
        message(text, chat_kind=ChatKind.GROUP, chat_id="-100", sender_id="u1"), context
    )
    return result, context


async def assert_left_alone(text: str, language: str = "en") -> None:
    """Nothing happens to it: no warning, no removal, no time out."""
    result, context = await in_group(text, language)
    assert result is PASS, (text, context.scam.reasons)
    assert context.scam.verdict == "clean"


def removed(result) -> bool:
    return any(isinstance(a, Delete) for a in getattr(result, "actions", ()))


def timed_out(result) -> bool:
    return any(isinstance(a, Restrict) for a in getattr(result, "actions", ()))


# --- passwords --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("I forgot my password yesterday, how do I reset it?", "en"),
        ("password reset email never arrived", "en"),
        ("my password isn't working after the update", "en"),
        ("Passwort vergessen, was tun?", "de"),
        ("mein Passwort ist abgelaufen", "de"),
        ("密码忘了怎么办", "zh"),
        ("密码忘了怎么重置？", "zh"),
        ("パスワードを忘れました", "ja"),
        ("비밀번호 변경은 어디서 하나요?", "ko"),
        ("Olvidé mi contraseña ayer", "es"),
        ("Esqueci minha senha, como recupero?", "pt"),
        ("пароль не подходит, что делать?", "ru"),
        ("Şifremi değiştirdikten sonra çekimler kilitlendi", "tr"),
        ("Kata sandi saya lupa, bagaimana reset?", "id"),
        ("quên mật khẩu rồi, làm sao lấy lại?", "vi"),
        ("mot de passe oublié, que faire ?", "fr"),
        # the next word of a sentence after "password is", not a password
        ("my password is expired, how do I change it?", "en"),
        ("password is wrong again after the update", "en"),
        ("the password is reset every 90 days?", "en"),
        ("my password is too short for the new rules", "en"),
        ("mon mot de passe est bloqué depuis hier", "fr"),
        ("mi contraseña es incorrecta según la app", "es"),
        ("minha senha é fraca, como troco?", "pt"),
        ("kata sandi saya adalah salah terus", "id"),
    ],
)
async def test_a_password_only_mentioned_is_kept_and_the_message_left_alone(
    text: str, language: str
) -> None:
    assert redact(text) == (text, [])  # stored as written
    await assert_left_alone(text, language)


@pytest.mark.parametrize(
    ("text", "password"),
    [
        ("my password is Sup3rSecret99", "Sup3rSecret99"),
        ("my password is hunter2", "hunter2"),
        ("my password is 'sunshine'", "sunshine"),
        # a plain word after "password is" is the password
        ("my password is sunshine", "sunshine"),
        ("mein Passwort ist sonnenschein", "sonnenschein"),
        ("mon mot de passe est soleil", "soleil"),
        ("minha senha é banana", "banana"),
        ("密码是sunshine", "sunshine"),
        ("password: geheim", "geheim"),
        ("passwort 123456 funktioniert nicht", "123456"),
        ("密码是abc123你看看", "abc123"),
        ("パスワードは Secret123 です", "Secret123"),
        ("비밀번호는 Secret123 입니다", "Secret123"),
        ("kata sandi saya Rahasia99", "Rahasia99"),
        ("mật khẩu của tôi là Matkhau2024", "Matkhau2024"),
    ],
)
async def test_a_posted_password_is_hidden_removed_and_warned_about(
    text: str, password: str
) -> None:
    redacted, kinds = redact(text)
    assert password not in redacted and kinds == ["password"]
    result, context = await in_group(text)
    assert "secret_password" in context.scam.reasons
    assert removed(result) and not timed_out(result)  # the user is protected, not punished
    (reply,) = [a for a in result.actions if isinstance(a, Reply)]
    assert "posted a password" in reply.text and password not in reply.text


# --- "double" that promises nothing -------------------------------------------------


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("I want to double check before sending", "en"),
        ("is this my deposit address? let me double-check it before I send 50 USDT", "en"),
        ("do I need double authentication before I deposit?", "en"),
        ("I was charged twice, the fee was taken double when I paid", "en"),
        ("I sent the same deposit twice, there is a duplicate transaction", "en"),
        ("why did the fee double when I send BTC now?", "en"),
        ("can I open a 2x leverage long after my deposit arrives?", "en"),
        ("Faut-il activer la double authentification avant de déposer ?", "fr"),
        ("¿Hace falta activar la doble verificación antes de depositar?", "es"),
        ("Fui cobrado em dobro na taxa quando enviei o pagamento", "pt"),
        ("la comisión de retiro se duplicó, ¿por qué tengo que pagar tanto?", "es"),
        ("为什么手续费翻倍了？充值要付这么多", "zh"),
        ("Die Gebühr hat sich verdoppelt, ich zahle das nicht", "de"),
    ],
)
async def test_double_that_promises_nothing_is_no_scam(text: str, language: str) -> None:
    """Not removed, its sender not timed out. (A question that names a payment, a fee
    and a withdrawal, as the Spanish one does, is still a weak fee phrase, which the
    semantic layer judges when it is on; with the rules alone it is a warning.)"""
    result, context = await in_group(text, language)
    assert context.scam.verdict != "scam", (text, context.scam.reasons)
    assert not removed(result) and not timed_out(result)


@pytest.mark.parametrize(
    "text",
    [
        "send 0.1 ETH get 0.2 back",
        "s e n d 0.1 E T H to get 0.2 E T H back",
        "double your BTC: send now, we pay back in 10 minutes",
        "Deposita USDT y duplicamos tu saldo al instante",
        "向这个地址转入1个ETH，立即返还双倍",
        "官方活动：打入USDT即可翻倍返还",
        "pay the fee and we return double",
    ],
)
async def test_a_doubling_giveaway_is_removed_and_its_sender_timed_out(text: str) -> None:
    result, context = await in_group(text)
    assert context.scam.verdict == "scam" and "fee_scam" in context.scam.reasons
    assert removed(result) and timed_out(result)


# --- an address beside the token's name -------------------------------------------------


@pytest.mark.parametrize(
    ("text", "language"),
    [
        (f"I sent my ABC to {OTHER} an hour ago, not arrived", "en"),
        (f"withdrew ABC to my wallet {OTHER}, is it done?", "en"),
        (f"我昨天提现ABC到{OTHER}，还没到账", "zh"),
        (f"Envié ABC a {OTHER} y no llegó", "es"),
        (f"ABC를 {OTHER} 로 보냈는데 안 왔어요", "ko"),
    ],
)
async def test_a_users_own_token_transfer_is_not_a_fake_contract(text: str, language: str) -> None:
    await assert_left_alone(text, language)


@pytest.mark.parametrize(
    "text",
    [
        f"ABC token contract {OTHER}",
        f"New $ABC CA: {OTHER} buy before listing",
        f"$ABC presale is live! Send BNB to {OTHER} and receive ABC",
        f"I sent ABC to the new contract {OTHER}, is it the right one?",
    ],
)
async def test_another_address_given_for_the_token_is_a_fake_contract(text: str) -> None:
    _, context = await in_group(text)
    assert "fake_contract" in context.scam.reasons


# --- 64 hex digits --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "language"),
    [
        (f"my ERC20 withdrawal 0x{HASH} has been pending for 3 hours", "en"),
        (f"deposit 50 USDT 0x{HASH} not credited", "en"),
        (f"提现 0x{HASH} 还没到账", "zh"),
        (f"Lệnh rút tiền {HASH} vẫn đang chờ", "vi"),
        (f"mi retiro {HASH} sigue pendiente", "es"),
        (f"meu saque {HASH} não chegou", "pt"),
        (f"вывод 0x{HASH} висит уже час", "ru"),
        (f"çekim {HASH} hâlâ beklemede", "tr"),
        (f"penarikan {HASH} belum masuk", "id"),
        (f"출금 {HASH} 확인 부탁드려요", "ko"),
        (f"出金 {HASH} がまだ届きません", "ja"),
        (f"Auszahlung: 0x{HASH} ist nicht angekommen", "de"),
        (f"mon retrait {HASH} est bloqué", "fr"),
    ],
)
async def test_a_withdrawals_or_deposits_hash_is_kept(text: str, language: str) -> None:
    assert redact(text) == (text, [])
    await assert_left_alone(text, language)


@pytest.mark.parametrize(
    "text",
    [f"0x{HASH}", f"my wallet 0x{HASH} pls help", f"private key of my withdrawal wallet 0x{HASH}"],
)
async def test_a_key_is_still_hidden_and_removed(text: str) -> None:
    assert HASH not in redact(text)[0]
    result, context = await in_group(text)
    assert "secret_private_key" in context.scam.reasons and removed(result)
