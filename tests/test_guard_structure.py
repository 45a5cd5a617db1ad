"""Who speaks, to whom, and what already happened (2026-12-04, round 3): a scam told in
the third person or as an "if", or laughed off, is nobody's scam; a victim who paid a
stranger (the pretext in quotation marks beside the person paid, a word that doubts
them, a chat app, "he blocked me") is a victim; a chat link names an account that can
imitate the brand. Each with the closest message that must come out the other way.
Through the guard stage, on the real embedding model."""

from __future__ import annotations

import pytest

from channels.base import ChatKind
from tests.guard_chat import needs_model, run


@needs_model
@pytest.mark.parametrize(
    ("text", "language"),
    [
        # told in the third person, nothing asked of the reader
        ("All he needed was an upfront 'network fee' of $2,000. Mark almost sent it.", "en"),
        ("They just needed an 'upfront network fee.' He paid it. And then they vanished.", "en"),
        ("All he had to do was send 0.5 ETH to a specific address to 'verify' his wallet", "en"),
        # told as an "if", to warn
        ("If you already paid a 'recovery agent', stop sending more. Report it.", "en"),
        ("Se alguém te oferecer recuperar cripto roubada cobrando antes, é golpe. Não paga.", "pt"),
        ("Falls ihr schon an einen falschen Support gezahlt habt: nichts mehr nachzahlen.", "de"),
        ("如果已经被骗了，不要再付任何'解冻费'，所谓追回资金的也是骗子", "zh"),
        ("Si quelqu'un vous demande des frais pour débloquer un retrait, c'est une arnaque.", "fr"),
        # laughed off, the scam's words only in the quotation
        ("lmao someone just DMed me 'send 1 ETH get 2 back'. sure buddy", "en"),
        ("jajaja me llegó un mensaje 'tu cuenta será congelada, paga 100 usdt'. 😂", "es"),
        ("hey barusan ada yg DM 'selamat anda menang giveaway', padahal ikut aja enggak 🤣", "id"),
        ("Petite blague du jour : 'envoyez 1 BTC, recevez 2 BTC'.", "fr"),
        # nobody at the brand will ask
        ("Rappel : aucun membre de l'équipe ne vous demandera de payer des frais.", "fr"),
    ],
)
async def test_a_scam_told_about_laughed_off_or_warned_of_is_ordinary(
    text: str, language: str
) -> None:
    _result, context = await run(text, language, ChatKind.GROUP)
    assert context.scam.verdict == "clean", (text, context.scam)


@needs_model
@pytest.mark.parametrize(
    ("text", "language"),
    [
        # the closest scams: the demand made to the reader, a shill laughing, an offer
        ("Pay the upfront network fee of 0.2 ETH and your funds are released.", "en"),
        ("just got 2 ETH back after sending 1 to the giveaway address lol it works 🔥", "en"),
        ("If you lost funds, our expert recovers them. Contact @chain_recovery_pro now", "en"),
        (
            "need ur 12 words to resync ur wallet with the Example node, otherwise the deposit "
            "wont show. just paste them here its encrypted",
            "en",
        ),
    ],
)
async def test_the_same_words_said_to_the_reader_stay_flagged(text: str, language: str) -> None:
    _result, context = await run(text, language, ChatKind.GROUP)
    assert context.scam.verdict != "clean", (text, context.scam)


@needs_model
@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("i already sent 400 usdt to the 'verification' address the agent gave me", "en"),
        ("Pagué la 'comisión de liberación' de 0,1 ETH al soporte de WhatsApp", "es"),
        ("j'ai deja envoye 0.4 eth a l'adresse du soi-disant admin, il a bloque mon numero", "fr"),
        ("サポートを名乗る人に「ノード同期手数料」として85 USDTを送金してしまいました", "ja"),
        ("텔레그램 관리자라는 사람한테 수수료 300 USDT 보냈는데 출금이 안돼요", "ko"),
        ("minh da chuyen 2000 usdt cho ben ho tro roi, gio ho block minh luon", "vi"),
        ("Saya sudah bayar pajak penarikan 10% ke CS di WhatsApp, dana tetap tidak cair", "id"),
        ("Я уже перевел 200 USDT якобы сотруднику поддержки", "ru"),
        ("Ya envié 50 USDT al supuesto agente de soporte", "es"),
        ("Zaten 100 USDT gönderdim sözde destek ekibine", "tr"),
        ("Ich habe schon 300 USDT an den angeblichen Support überwiesen", "de"),
        ("Já paguei 80 USDT pro suposto suporte e nada", "pt"),
        ("我已经转了500U给所谓的客服", "zh"),
    ],
)
async def test_a_payment_to_a_stranger_is_a_victims(text: str, language: str) -> None:
    _result, context = await run(text, language)
    assert context.scam.verdict != "clean", (text, context.scam)


@needs_model
@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("I sent 50 USDT from 'Spot' to 'Funding', thanks for the quick help", "en"),
        ("Já paguei a fatura pelo app, obrigado ao suporte", "pt"),
        ("我已经转了500U到「资金账户」，已经显示到账了，谢谢客服", "zh"),
    ],
)
async def test_a_payment_to_ones_own_account_is_ordinary(text: str, language: str) -> None:
    _result, context = await run(text, language)
    assert "scam_paid" not in context.scam.reasons, context.scam


@needs_model
async def test_a_chat_link_that_imitates_the_brand_is_warned() -> None:
    text = "The NEW official Example channel is t.me/ExampleOfficial_New. Join now."
    _result, context = await run(text, "en", ChatKind.GROUP)
    assert "fake_handle" in context.scam.reasons, context.scam


@needs_model
async def test_the_official_chat_link_imitates_nothing() -> None:
    text = "Join our official support channel t.me/example_support for updates"
    _result, context = await run(text, "en", ChatKind.GROUP)
    assert "fake_handle" not in context.scam.reasons, context.scam
