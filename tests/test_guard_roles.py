"""A role at the brand claimed in the first person ("I'm the founder of Example",
"我是Example的创始人"): the brand's people speak through its official accounts, which
the guard exempts, so a member who says they hold one is impersonating it. The closest
ordinary messages (a user who manages something else, a user talking about the brand's
CEO) stay clean. Through the guard stage, on the real embedding model."""

from __future__ import annotations

import pytest

from channels.base import ChatKind
from tests.guard_chat import needs_model, replies, run


@needs_model
@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Hi, I am Daniel, CEO of Example Exchange. I selected you for our VIP program.", "en"),
        ("我是Example的创始人，这是我的私人号，有个内部项目想邀请你参与", "zh"),
        ("Example ExchangeのマネージャーのCEOです。個別にご案内します", "ja"),
        ("저는 Example Exchange 매니저입니다. 특별 이벤트에 선정되셨습니다", "ko"),
        ("Chào bạn, mình là nhân viên của Example Exchange, bạn được chọn nhận thưởng", "vi"),
        ("Halo, saya manajer regional Example Indonesia. Akun Anda terpilih", "id"),
        ("Merhaba, Example Exchange Türkiye müdürüyüm, hesabınız seçildi", "tr"),
        ("Здравствуйте, я менеджер Example Exchange, для вас есть предложение", "ru"),
        ("Soy el gerente regional de Example Exchange, tenemos una oferta para ti", "es"),
        ("Sou gerente de contas da Example Brasil, seu perfil foi escolhido", "pt"),
        ("Bonjour, je suis le responsable de Example Exchange en France", "fr"),
        ("Hallo, ich bin Mitarbeiter von Example Exchange und habe ein Angebot", "de"),
    ],
)
async def test_a_role_at_the_brand_claimed_in_the_first_person_is_warned(
    text: str, language: str
) -> None:
    result, context = await run(text, language, ChatKind.GROUP)
    assert context.scam.verdict != "clean", (text, context.scam)
    assert replies(result)


@needs_model
@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("I'm a store manager in Lyon. Does Example Exchange support SEPA deposits?", "en"),
        ("I watched the Example Exchange CEO's interview yesterday, great plans", "en"),
        ("我是新用户，请问Example怎么充值？", "zh"),
        ("soy gerente de una tienda y quiero saber como pagar con cripto", "es"),
    ],
)
async def test_a_role_elsewhere_or_the_brands_ceo_mentioned_is_ordinary(
    text: str, language: str
) -> None:
    _result, context = await run(text, language, ChatKind.GROUP)
    assert context.scam.verdict == "clean", (text, context.scam)
