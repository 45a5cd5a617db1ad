"""Scams in forms the guard was not written beside: typed without accents, a Cyrillic
"х2", someone claiming to be the brand's new account or its staff, a scammer who says
"we blocked your account"; and the ordinary messages closest to each, which stay clean.
Through the guard stage, on the real embedding model (shared, loaded once)."""

from __future__ import annotations

import pytest

from channels.base import ChatKind
from tests.guard_chat import needs_model, replies, run


@needs_model
@pytest.mark.parametrize(
    ("text", "language"),
    [
        # typed on a keyboard without accents: the send/receive words still read
        ("gui 0.5 ETH nhan lai 1 ETH ngay, chi hom nay", "vi"),
        ("0.5 ETH gonder 1 ETH geri al, acele et", "tr"),
        ("schick 1 ETH und bekomme 2 ETH zurueck, nur heute", "de"),
        # a Cyrillic х beside the number
        ("Отправь 1 ETH, вернём х2 сразу же", "ru"),
        # the amount back names no coin again
        ("转1个ETH立即返2个", "zh"),
    ],
)
async def test_doubling_in_other_spellings_is_a_scam(text: str, language: str) -> None:
    result, context = await run(text, language, ChatKind.GROUP)
    assert context.scam.verdict == "scam", (text, context.scam)
    assert replies(result)


@needs_model
@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Official Example Exchange account: our old account was suspended, follow us here", "en"),
        ("Esta es la nueva cuenta oficial, la anterior fue hackeada. Síguenos aquí", "es"),
        ("Đây là tài khoản chính thức mới, tài khoản cũ bị khóa rồi, mọi người theo dõi nhé", "vi"),
        ("我是官方客服，有问题请私信我处理", "zh"),
        ("I'm the official admin of this group, DM me with any withdrawal problem", "en"),
        ("Saya admin resmi di grup ini, kalau ada masalah japri saya saja", "id"),
    ],
)
async def test_someone_claiming_to_be_the_brand_is_warned(text: str, language: str) -> None:
    result, context = await run(text, language, ChatKind.GROUP)
    assert context.scam.verdict != "clean", (text, context.scam)
    assert replies(result)


@needs_model
@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("We have blocked your account. To unblock it pay a 50 USDT verification fee", "en"),
        ("Nous avons bloqué votre compte, payez 30 USDT de frais pour le débloquer", "fr"),
    ],
)
async def test_a_scammer_who_blocked_your_account_is_no_bystander(text: str, language: str):
    _, context = await run(text, language, ChatKind.GROUP)
    assert context.scam.verdict != "clean", (text, context.scam)


@needs_model
@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("is this the new official account? the old one was hacked?", "en"),
        ("I opened a new account yesterday, how long does verification take", "en"),
        ("I reported him and blocked him, thanks for the warning", "en"),
        ("minh nap 100 USDT tu vi khac, bao lau thi vao tai khoan", "vi"),
        ("cekim ne kadar surer, 2 saattir bekliyorum", "tr"),
    ],
)
async def test_the_closest_ordinary_messages_stay_clean(text: str, language: str) -> None:
    _, context = await run(text, language)
    assert context.scam.verdict == "clean", (text, context.scam)


@needs_model
async def test_an_official_domain_before_an_at_sign_without_the_scheme_is_phishing() -> None:
    _, context = await run("Your account is limited. Restore access: example.com@restore-now.click")
    assert context.scam.verdict == "scam", context.scam
    _, context = await run("mail me at jane.doe@gmail.com about the meetup")
    assert context.scam.verdict == "clean", context.scam


@needs_model
@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("heads up: the 'send 1 ETH get 2 back' replies are a scam, don't send anything", "en"),
        ("el bot que pide tu frase semilla es una estafa, no compartas nada", "es"),
        ("那个说充值返双倍的是骗子，大家不要转账", "zh"),
    ],
)
async def test_a_warning_to_the_others_is_not_warned(text: str, language: str) -> None:
    _, context = await run(text, language, ChatKind.GROUP)
    assert context.scam.verdict == "clean", (text, context.scam)


@needs_model
@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("someone in DM says he is support and wants my seed phrase, is it a scam?", "en"),
        ("beware of fake admins, the real support is me, DM me for help", "en"),
    ],
)
async def test_a_question_or_a_warning_that_points_to_the_sender_is_still_warned(
    text: str, language: str
) -> None:
    _, context = await run(text, language, ChatKind.GROUP)
    assert context.scam.verdict != "clean", (text, context.scam)
