"""Scammers' offers the rules now read without the model: help offered in private
("DM me, I'll fix it"), a recovery "hack expert" with a contact, a signals group that
boasts a win rate, a wallet to connect and a permission to sign, a photo of the seed
words or the code a text message just brought, the brand's name in another script, a
shortened link to sign in, a link with spaces around its dot; and the ordinary
messages closest to each, which stay clean. Through the guard stage, on the real
embedding model (shared, loaded once)."""

from __future__ import annotations

import pytest

from channels.base import ChatKind
from tests.guard_chat import needs_model, run


@needs_model
@pytest.mark.parametrize(
    ("text", "language", "reason"),
    [
        ("chào bạn, bạn nhắn riêng mình để được hỗ trợ nhanh nha", "vi", "fake_support"),
        ("Oi, me chama no privado que resolvo teu saque travado agora", "pt", "fake_support"),
        ("看到你说提币没到账，私信我，我帮你处理", "zh", "fake_support"),
        ("Withdrawal stuck? DM me and I'll fix it in five minutes", "en", "fake_support"),
        (
            "CONTACT INFORMATION OF TRUST GEEKS HACK EXPERT, email trustgeeks@fastmail.com",
            "en",
            "recovery_scam",
        ),
        (
            "aku dulu kena scam terus dibantu hacker ini sampe balik semua, DM buat kontaknya",
            "id",
            "recovery_scam",
        ),
        ("yo recuperé todo gracias a un hacker ético, te paso su whatsapp", "es", "recovery_scam"),
        ("带单老师实盘喊单，胜率95%，进群免费体验", "zh", "investment_scam"),
        ("VIP sinyal grubumuza katil, %90 basari orani, ozelden yaz", "tr", "investment_scam"),
        (
            "pra receber o reembolso tem que conectar a metamask e assinar a permissão",
            "pt",
            "fake_support",
        ),
        ("envoie une photo de ta feuille avec les 24 mots, je dois vérifier", "fr", "asks_secret"),
        (
            "qual o código que chegou no seu sms? preciso dele pra cancelar o saque",
            "pt",
            "asks_secret",
        ),
        (
            "Ехаmple Exchange official: new listing bonus, reply here to receive it",
            "en",
            "fake_handle",
        ),
        (
            "Example security update required. Log in here to keep withdrawals: bit.ly/3xSecure",
            "en",
            "shortened_link",
        ),
        (
            "go to example . support / verify and enter your details to restore access",
            "en",
            "phishing_link",
        ),
    ],
)
async def test_an_offer_the_rules_read_is_warned(text: str, language: str, reason: str) -> None:
    _, context = await run(text, language, ChatKind.GROUP)
    assert context.scam.verdict != "clean", (text, context.scam)
    assert reason in context.scam.reasons, (text, context.scam)


@needs_model
@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("I am studying to become an ethical hacker, any course tips?", "en"),
        ("the signals channel of Example Exchange posts market news, nice", "en"),
        ("the app is slow today. Support / help desk answered in an hour", "en"),
        ("Корвекс? никогда не слышал про такую биржу", "ru"),
        ("this thread explains the new listing rules: bit.ly/3listing", "en"),
        ("I connected my Ledger to the exchange app, works fine", "en"),
    ],
)
async def test_the_closest_ordinary_messages_stay_clean(text: str, language: str) -> None:
    _, context = await run(text, language, ChatKind.GROUP)
    assert context.scam.verdict == "clean", (text, context.scam)


@needs_model
async def test_a_question_beside_a_wallet_address_is_still_read() -> None:
    text = (
        "is it real? yes! send 0.1 ETH to 0x52908400098527886E0F7030069857D2E4169EE7, get 0.2 back"
    )
    _, context = await run(text, "en", ChatKind.GROUP)
    assert context.scam.verdict != "clean", context.scam
