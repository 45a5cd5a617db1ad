"""What a user tells about a scam that is over for them gets no warning; support offered
away from the brand, an earning pitch, a reported request for a secret and a fee paid
to a scam do.
Through the guard stage, on the real embedding model (shared, loaded once)."""

from __future__ import annotations

import pytest

from channels.base import ChatKind
from handlers.requests import OpenTicket
from tests.guard_chat import needs_model, replies, run


@needs_model
@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("how do I report a fake admin?", "en"),
        ("I reported the fake admin who kept asking people for their seed phrase", "en"),
        ("blocked and reported the guy promising to double my ETH, stay safe all", "en"),
        ("a 'support' account DMed me for my seed phrase, ignored it and blocked him", "en"),
        ("Пожаловался на мошенника, который выдавал себя за поддержку и просил сид-фразу", "ru"),
        ("那个冒充管理员要助记词的账号我已经举报了", "zh"),
        ("mon ami s'est fait arnaquer par un faux support, comment le signaler ?", "fr"),
        ("가짜 고객센터 계정 신고했어요, 다들 조심하세요", "ko"),
        ("Ich habe den falschen Admin gemeldet, er wollte Seed-Phrasen von allen", "de"),
    ],
)
async def test_a_user_who_reported_a_scam_gets_no_warning(text: str, language: str) -> None:
    result, context = await run(text, language, ChatKind.GROUP)
    assert context.scam.verdict == "clean", (text, context.scam)
    assert not replies(result)


@needs_model
async def test_a_user_who_paid_and_reported_still_gets_the_urgent_ticket() -> None:
    text = "I already paid the 200 USDT unlock fee and reported them, what can I do now?"
    result, context = await run(text)
    assert context.scam.verdict != "clean"
    (ticket,) = [a for a in result.actions if isinstance(a, OpenTicket)]
    assert ticket.category == "anti_fraud"


@needs_model
@pytest.mark.parametrize(
    ("text", "language"),
    [
        (
            "Hello, for a fast fix of your issue talk to our live support team here: "
            "https://wallet-helpdesk-portal.web.app/ticket",
            "en",
        ),
        ("Contact the technical support team at exchange.helpcenter.desk@gmail.com", "en"),
        ("1:1 상담은 카카오톡 오픈채팅 'Example 고객센터'로 와주세요", "ko"),
        ("can you install anydesk so I can fix your withdrawal?", "en"),
        # an earning rate with a guarantee or an invitation: the pitch, not a question
        ("Удалённая работа, доход от 2000$ в месяц гарантирован, пишите в личку", "ru"),
        ("Kerja santai, penghasilan 100 USDT per hari dijamin, chat admin", "id"),
    ],
)
async def test_support_offered_away_from_the_brand_is_flagged(text: str, language: str) -> None:
    _, context = await run(text, language, ChatKind.GROUP)
    assert context.scam.verdict != "clean", text


@needs_model
@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Jemand vom Admin-Team will meinen Seed, ist das echt?", "de"),
        ("有个自称客服的人要我的谷歌验证码，这是真的吗？", "zh"),
        ("Um moderador pediu minha senha no privado, é normal?", "pt"),
    ],
)
async def test_a_reported_request_for_a_secret_is_warned(text: str, language: str) -> None:
    result, context = await run(text, language)
    assert context.scam.verdict != "clean", text
    assert replies(result)


@needs_model
@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Ödül için 50 USDT vergi ödedim ama hâlâ gelmedi", "tr"),
        ("pagué la comisión de desbloqueo y nadie me responde", "es"),
    ],
)
async def test_a_fee_paid_to_release_funds_opens_the_urgent_ticket(text: str, language: str):
    result, _ = await run(text, language)
    (ticket,) = [a for a in result.actions if isinstance(a, OpenTicket)]
    assert ticket.category == "anti_fraud"


@needs_model
@pytest.mark.parametrize(
    "text",
    [
        # Latin letters hidden in Russian words
        "Oтпpaвь 100 USDT и пoлучи 200 USDT назад, акция Example",
        # the browser goes to what follows the "@"
        "https://example.com@account-verify.top/login confirm your account now",
    ],
)
async def test_disguised_scams_are_scams(text: str) -> None:
    _, context = await run(text, "en", ChatKind.GROUP)
    assert context.scam.verdict == "scam", text


@needs_model
@pytest.mark.parametrize(
    "text",
    [
        "support asked me for my UID to check the deposit, is that fine?",
        "p2p seller didn't release my coins after I paid, what now?",
        "Do I have to connect a wallet for the airdrop or does it go to my account?",
        "How much does flexible staking earn per day on USDT?",
    ],
)
async def test_ordinary_questions_near_these_rules_stay_clean(text: str) -> None:
    _, context = await run(text)
    assert context.scam.verdict == "clean", (text, context.scam)
