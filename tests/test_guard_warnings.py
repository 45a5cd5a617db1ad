"""Warnings that name a look-alike, questions about one, and words about scams in
general: what a moderator or a user says of a fake domain or handle ("xyz is not ours,
don't click", "ignore @fake, we never DM you") stays in the group and gets no finding;
a question whether one is genuine gets the guard's answer, never a removal; news and
explanations of a scam get no finding. Beside each, the closest scam, which is still
caught: a "warning" that points to another unofficial place, calls one the real
support, or asks the reader to act there. Through the guard stage, on the real
embedding model (shared, loaded once)."""

from __future__ import annotations

import pytest

from channels.base import ChatKind, Delete, Restrict
from tests.guard_chat import needs_model, replies, run


def removed(result) -> bool:
    return any(isinstance(a, Delete | Restrict) for a in getattr(result, "actions", ()))


@needs_model
@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("example-support.com is not ours, don't click", "en"),
        ("ignore @example_supp0rt, we never DM you first", "en"),
        ("PSA: example-airdrop.net is a phishing site. Only use example.com", "en"),
        ("@bob hi, the site example-login.io is a scam, do not enter your seed there", "en"),
        ("@Examp1e_Support is impersonating us. Please report it.", "en"),
        ("提醒：example-help.com 是钓鱼网站，别点", "zh"),
        ("@example_admin はなりすましです。運営からDMすることはありません", "ja"),
        ("주의: example-kr.support 는 공식 사이트가 아닙니다", "ko"),
        ("example-help.com la trang gia mao, dung bam vao", "vi"),
        ("example-help.com adalah situs palsu, jangan klik", "id"),
        ("example-help.com sahte, tıklamayın", "tr"),
        ("Внимание: examp1e.io — фишинг, официальный домен только example.com", "ru"),
        ("example-help.com es falso, no hagas clic", "es"),
        ("o perfil @example_suporte_br foi banido, era golpista pedindo taxa", "pt"),
        ("example-help.com est une arnaque, ne cliquez pas", "fr"),
        ("example-help.com ist Fake, nicht klicken", "de"),
    ],
)
async def test_a_warning_that_names_a_lookalike_stays_and_gets_no_finding(
    text: str, language: str
) -> None:
    result, context = await run(text, language, ChatKind.GROUP)
    assert not removed(result), (text, context.scam)
    assert context.scam.verdict == "clean", (text, context.scam)


@needs_model
@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Is example-claim.app legit? got it in a DM about the airdrop", "en"),
        ("このリンク example-event.vip って本物ですか？", "ja"),
        ("esse link example-apk.download e oficial?", "pt"),
        ("cho minh hoi @example_vn_official2 co phai kenh that khong?", "vi"),
    ],
)
async def test_a_question_whether_a_lookalike_is_genuine_is_answered_not_removed(
    text: str, language: str
) -> None:
    result, context = await run(text, language, ChatKind.GROUP)
    assert not removed(result), (text, context.scam)
    assert context.scam.verdict == "suspicious", (text, context.scam)
    assert replies(result)


@needs_model
@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Beware of fake sites! Verify your account only at example-verify.com", "en"),
        ("example-verify.com is fake. Claim your bonus at example-bonus.com", "en"),
        ("Is the airdrop real? Yes! Claim at example-bonus.com", "en"),
        ("Atualize seu cadastro para evitar bloqueio: hxxps://example-br[.]site/atualizar", "pt"),
        ("小心假网站！官方领取地址 example-claim.com", "zh"),
        ("cuidado con los falsos, verifica tu cuenta en example-verifica.com", "es"),
    ],
)
async def test_a_warning_that_sends_the_reader_to_a_lookalike_is_removed(
    text: str, language: str
) -> None:
    result, context = await run(text, language, ChatKind.GROUP)
    assert context.scam.verdict == "scam", (text, context.scam)
    assert removed(result), (text, result)


@needs_model
@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Beware of fakes, the REAL support is @example_helpdesk", "en"),
        ("Ignore @example_supp0rt, he is fake. Our help desk: @example_help_desk", "en"),
        ("Scam alert: many fake admins around. DM me for help", "en"),
        ("DO NOT PAY THOSE SCAMMERS AGAIN!! I lost 40k and @chain_trace_expert got it back", "en"),
    ],
)
async def test_a_warning_that_points_to_another_place_is_still_warned(
    text: str, language: str
) -> None:
    result, context = await run(text, language, ChatKind.GROUP)
    assert context.scam.verdict != "clean", (text, context.scam)
    assert replies(result)


@needs_model
@pytest.mark.parametrize(
    ("text", "language"),
    [
        (
            "How the fee scam works: they show a fake balance, then demand an 'unlock fee' "
            "before withdrawal.",
            "en",
        ),
        ("Meldung: Betrueger mit 'Doppelt zurueck'-Aktion erbeuteten rund 80.000 Euro", "de"),
        (
            "Забанили фейкового «модератора», который предлагал удвоить депозит. "
            "Не пишите никому в ЛС",
            "ru",
        ),
    ],
)
async def test_news_and_explanations_of_a_scam_get_no_finding(text: str, language: str) -> None:
    result, context = await run(text, language, ChatKind.GROUP)
    assert context.scam.verdict == "clean", (text, context.scam)
    assert not removed(result)


@needs_model
@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Dana kena scam bisa balik! Hubungi tim pemulihan kami", "id"),
        ("詐欺で失った暗号資産を取り戻します。手数料前払いでOK", "ja"),
        ("я юрист по крипто-мошенничеству, верну ваши деньги, нужен только аванс", "ru"),
        ("出金が凍結されています。解除には残高の10%を保証金として入金してください", "ja"),
    ],
)
async def test_a_scam_that_names_scams_is_still_caught(text: str, language: str) -> None:
    _result, context = await run(text, language, ChatKind.GROUP)
    assert context.scam.verdict != "clean", (text, context.scam)


@needs_model
async def test_a_victim_who_names_the_scam_still_gets_the_urgent_ticket() -> None:
    result, context = await run("I got scammed by a fake support agent, they took my 2 ETH")
    assert context.scam.verdict != "clean", context.scam
    assert getattr(result, "handoff", False), result
