"""What a user tells or asks about a scam, and what a scammer says in a question's
clothes: a stranger's demand the user asks about ("someone says I must pay a fee, is
it true?"), a fee paid for an airdrop or an unlock, a seed typed into a fake site, a
claim to be staff that asks a question first, a pump group's invitation; and the
ordinary messages closest to each (a reply that warns another user, a question whether
something seen in public is a scam), which stay clean. Through the guard stage, on
the real embedding model (shared, loaded once)."""

from __future__ import annotations

import pytest

from channels.base import ChatKind
from tests.guard_chat import needs_model, replies, run


@needs_model
@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("someone says I have to pay a fee to unlock my withdrawal, is it real?", "en"),
        ("누가 에어드랍 받으려면 수수료 먼저 내라는데 이거 진짜인가요?", "ko"),
        ("birisi cekimimi acmak icin ucret odemem gerektigini soyluyor, bu dogru mu?", "tr"),
        ("co nguoi nhan tin doi 12 tu khoi phuc cua minh, co phai nhan vien that ko?", "vi"),
        ("有人说我中奖了要先交100U手续费，这是官方活动吗", "zh"),
        ("me dicen que tengo que pagar una comisión para liberar el premio, ¿es real?", "es"),
        ("alguém me mandou DM pedindo minha frase de recuperação, isso é oficial?", "pt"),
        ("ada yang minta saya bayar biaya aktivasi dulu, apakah ini resmi?", "id"),
    ],
)
async def test_a_strangers_demand_the_user_asks_about_is_a_report(text: str, language: str):
    result, context = await run(text, language, ChatKind.GROUP)
    assert context.scam.verdict != "clean", (text, context.scam)
    assert "scam_report" in context.scam.reasons, context.scam
    assert replies(result)


@needs_model
@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("解除手数料として200 USDT送金しました。いつエアドロップが届きますか？", "ja"),
        ("I paid the 0.01 ETH gas fee, when does the airdrop come?", "en"),
        ("I accidentally put my seed phrase on a phishing site, what do I do?", "en"),
        ("我在假网站输入了助记词，怎么办", "zh"),
        ("ввёл сид-фразу на фейковом сайте, что теперь делать", "ru"),
    ],
)
async def test_a_fee_or_a_seed_already_given_opens_the_urgent_ticket(
    text: str, language: str
) -> None:
    result, context = await run(text, language)
    assert context.scam.verdict != "clean", (text, context.scam)
    assert getattr(result, "handoff", False), (text, result)


@needs_model
@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Halo kak, saya CS resmi. Deposit belum masuk? chat saya lewat DM ya", "id"),
        ("亲 提现卡住了吗？私信我 我是技术支持，五分钟帮你搞定", "zh"),
        ("Withdrawal stuck? I am the official support, DM me and I fix it in 5 minutes", "en"),
        ("공식 헬프데스크 입니다~ 카톡 오픈채팅으로 문의 주세요", "ko"),
        ("Official announcement from the admin team: migrate your funds. Contact me", "en"),
        ("PUMP ALERT we pump $QVX at 18:00 UTC, buy before, join t.me/qvx_pumpers", "en"),
        ("kita pump bareng jam 8 malem, join sebelum penuh t.me/pump_id", "id"),
    ],
)
async def test_staff_who_ask_a_question_first_and_pump_groups_are_warned(
    text: str, language: str
) -> None:
    result, context = await run(text, language, ChatKind.GROUP)
    assert context.scam.verdict != "clean", (text, context.scam)
    assert replies(result)


@needs_model
@pytest.mark.parametrize(
    ("text", "language"),
    [
        # a reply opens with the handle of whom it answers: it points nowhere
        ("@osama89700 Hi, I believe the police who contacted you were impostors", "en"),
        ("@dana_k don't send anything, it's a scam", "en"),
        # a link or handle inside quotes is what a warning names, not where it sends
        ("the 'wallet-sync.io' links going around are phishing, don't click them", "en"),
        ("les messages « écrivez à @aide_retraits » sont une arnaque, n'envoyez rien", "fr"),
        # asking whether something seen in public is genuine, nobody asking the user
        ("is the 'send 1 ETH get 2 back' thing on youtube a scam?", "en"),
        ("alguém sabe se aquela promo de dobrar USDT é golpe?", "pt"),
        ("推特上那个送币活动是不是骗子？", "zh"),
        ("¿Esa promo de duplicar USDT que circula es estafa?", "es"),
        # the nearest ordinary words of the new rules
        ("someone said the withdrawal fee is 1 USDT, is that true?", "en"),
        ("never put your seed phrase on a fake site", "en"),
        ("I deposited 100 USDT for the campaign, when does the airdrop arrive?", "en"),
        ("入金しました。反映はいつですか？", "ja"),
        # how to look after one's own account, nobody else in the story
        ("lost my phone with the authenticator, how do I reset my 2FA", "en"),
        ("认证アプリの入ったスマホを紛失しました、どうすればいいですか", "ja"),
        ("Hesabım kilitlendi, ne yapmalıyım?", "tr"),
        ("esqueci minha senha, como recupero minha conta?", "pt"),
        # nearly a victim: nothing was lost or handed over
        ("I almost got scammed yesterday by a fake airdrop, be careful everyone", "en"),
        ("I almost entered my seed phrase on a fake site today, check the domain!", "en"),
        ("我差点被骗了，大家小心", "zh"),
        # a reward the exchange credited by itself
        ("recompensa do campeonato de trade caiu direto na carteira spot", "pt"),
        ("trading yarismasi odulleri spot cuzdana geldi", "tr"),
        ("phần thưởng cuộc thi giao dịch đã về ví spot rồi nhé", "vi"),
        ("空投已经自动发到现货账户了", "zh"),
    ],
)
async def test_the_closest_ordinary_messages_stay_clean(text: str, language: str) -> None:
    _, context = await run(text, language, ChatKind.GROUP)
    assert context.scam.verdict == "clean", (text, context.scam)


@needs_model
@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("@dana_k beware of fake admins, the real support is @helpdesk_fix, write him", "en"),
        ("a guy in DM says he's admin and wants my seed phrase, what do I do?", "en"),
        ("I gave my 12 words to the support agent and now my wallet is empty", "en"),
        ("고객센터라는 사람한테 복구 문구 알려줬는데 지갑이 털렸어요", "ko"),
        ("I was scammed 5 days ago by a bot, is it possible to recover my funds?", "en"),
        ("your reward is in your spot wallet, to withdraw it pay the 50 USDT unlock fee", "en"),
    ],
)
async def test_a_warning_or_question_that_points_elsewhere_or_tells_a_loss_is_warned(
    text: str, language: str
) -> None:
    _, context = await run(text, language, ChatKind.GROUP)
    assert context.scam.verdict != "clean", (text, context.scam)
