"""The guard's semantic layer and generalized rules: what a user asked, reported or
posted is warned about in their language; ordinary questions with scam vocabulary are
not. Runs on the real embedding model (shared, loaded once)."""

from __future__ import annotations

import pytest

from channels.base import ChatKind, Delete, Restrict
from handlers.requests import AlertStaff, OpenTicket
from handlers.scam.cues import worth_a_look
from handlers.scam.links import hosts_in, lookalike
from handlers.scam.normalize import readable
from handlers.secrets import redact
from tests.guard_chat import BRAND, needs_model, replies, run

KEY = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"


# --- what users report, in English as a new user writes it ----------------------------


@needs_model
@pytest.mark.parametrize(
    "text",
    [
        "a guy from support wants my recovery phrase",
        "admin DMed me asking for my seed phrase",
        "is it safe to give my private key to the moderator?",
    ],
)
async def test_a_user_asked_for_a_secret_is_warned_not_greeted(text: str) -> None:
    result, context = await run(text)
    assert context.scam.verdict != "clean", text
    (warning,) = replies(result)
    assert "scam" in warning and "never" in warning
    assert not result.final  # they still get help with what they asked


@needs_model
async def test_a_user_who_already_sent_to_a_giveaway_gets_the_anti_fraud_ticket() -> None:
    text = "I already sent 0.5 ETH to the giveaway address, when do I get 1 ETH back?"
    result, _ = await run(text)
    (ticket,) = [a for a in result.actions if isinstance(a, OpenTicket)]
    assert ticket.category == "anti_fraud" and result.handoff
    assert "urgent anti-fraud ticket" in replies(result)[0]


@needs_model
@pytest.mark.parametrize(
    ("text", "language", "words"),
    [
        ("我已经转了保证金，但还是没有解冻，客服也不回我", "zh", "反欺诈"),
        ("Tôi đã chuyển phí mở khóa rồi mà vẫn không rút được tiền", "vi", "chống gian lận"),
        ("Ich habe die Freischaltgebühr schon bezahlt, aber nichts passiert", "de", "Anti-Betrug"),
        ("Ya pagué la comisión de desbloqueo y no recibo nada", "es", "antifraude"),
        ("Я уже оплатил комиссию за разблокировку, но вывода нет", "ru", "антифрод"),
        ("Kilit açma ücretini ödedim ama hâlâ çekemiyorum", "tr", "dolandırıcılık"),
        ("Saya sudah bayar biaya buka kunci tapi dana tetap tidak cair", "id", "anti-penipuan"),
        ("Já paguei a taxa de liberação e não recebi nada", "pt", "antifraude"),
        ("J'ai déjà payé les frais de déblocage et rien ne se passe", "fr", "anti-fraude"),
        ("解除手数料をもう支払ったのに出金できません", "ja", "不正対策"),
        ("잠금 해제 수수료를 이미 냈는데 출금이 안 돼요", "ko", "사기 대응"),
    ],
)
async def test_a_user_who_already_paid_gets_the_urgent_ticket_in_every_language(
    text: str, language: str, words: str
) -> None:
    result, _ = await run(text, language)
    assert any(isinstance(a, OpenTicket) and a.category == "anti_fraud" for a in result.actions)
    assert words in replies(result)[0]


@needs_model
@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("I sent 300 USDT to the admin who promised to double it and now he blocked me", "en"),
        ("我转了500 USDT给说能翻倍的管理员，现在他把我拉黑了", "zh"),
        ("이벤트 주소로 0.5 ETH를 이미 보냈는데 1 ETH는 언제 돌려받나요?", "ko"),
        ("J'ai envoyé 500 USDT à l'admin qui promettait de doubler et il m'a bloqué", "fr"),
        ("Çekiliş adresine 0.5 ETH gönderdim, 1 ETH ne zaman geri gelecek?", "tr"),
        ("Aku transfer 500 USDT ke admin yang janji gandakan, sekarang aku diblokir", "id"),
        ("Mandei 500 USDT pro admin que prometeu dobrar e agora ele me bloqueou", "pt"),
        (
            "Hab 500 USDT an den Admin überwiesen, der verdoppeln wollte, jetzt blockiert er mich",
            "de",
        ),
    ],
)
async def test_a_victim_who_sent_to_a_doubling_promise_gets_the_urgent_ticket(
    text: str, language: str
) -> None:
    result, _ = await run(text, language)
    assert any(isinstance(a, OpenTicket) and a.category == "anti_fraud" for a in result.actions)
    assert result.handoff


@needs_model
@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("I gave my seed phrase to someone from support and now my wallet is empty", "en"),
        ("我给了所谓客服助记词，现在钱包被清空了", "zh"),
        ("Я дал сид-фразу человеку из поддержки и теперь кошелёк пуст", "ru"),
        ("Le di mi frase semilla a alguien de soporte y ahora mi billetera está vacía", "es"),
        ("サポートを名乗る人にシードフレーズを教えてしまい、資産が全部なくなりました", "ja"),
        ("Sahte bir admin beni 2000 USDT dolandırdı, ne yapmalıyım?", "tr"),
    ],
)
async def test_a_victim_who_lost_funds_or_a_secret_gets_the_urgent_ticket(
    text: str, language: str
) -> None:
    result, _ = await run(text, language)
    assert any(isinstance(a, OpenTicket) and a.category == "anti_fraud" for a in result.actions)


@needs_model
@pytest.mark.parametrize(
    "text",
    [
        "I already sent 200 USDT to my deposit address 2 hours ago, still not credited",
        "I paid the withdrawal fee but the withdrawal is still pending, how long?",
        "I lost 2000 USDT trading futures yesterday, the liquidation was unfair",
        "Ich habe USDT über das falsche Netzwerk geschickt",
    ],
)
async def test_money_sent_or_lost_without_a_scam_opens_no_anti_fraud_ticket(text: str) -> None:
    result, context = await run(text)
    assert not any(isinstance(a, OpenTicket) for a in getattr(result, "actions", ()))
    assert "scam_paid" not in context.scam.reasons


async def test_a_posted_password_is_warned_about_in_the_users_language() -> None:
    result, context = await run("my password is Sup3rSecret99")
    assert "secret_password" in context.scam.reasons
    assert "change it now" in replies(result)[0]
    result, _ = await run("mein Passwort ist Sup3rSecret99", "de")
    assert "ändere es jetzt" in replies(result)[0]


async def test_a_password_in_a_group_is_removed_but_its_sender_not_muted() -> None:
    result, _ = await run("my password: Sup3rSecret99", kind=ChatKind.GROUP)
    kinds = {type(a) for a in result.actions}
    assert Delete in kinds and Restrict not in kinds


async def test_a_bare_private_key_is_warned_about() -> None:
    _, context = await run("0x" + KEY)
    assert "secret_private_key" in context.scam.reasons


@needs_model
async def test_a_victim_quoting_a_scam_link_in_a_group_is_not_muted() -> None:
    text = "an admin DMed me and asked me to connect my wallet at examp1e-sync.com, is it real?"
    result, context = await run(text, kind=ChatKind.GROUP)
    assert context.scam.verdict == "scam"  # the link is still removed for everyone else
    assert any(isinstance(a, Delete) for a in result.actions)
    assert not any(isinstance(a, Restrict) for a in result.actions)
    assert any(isinstance(a, AlertStaff) for a in result.actions)


# --- disguises and look-alikes ---------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "s e n d 0.1 E T H to get 0.2 E T H back",
        "s.e.n.d 1 B T C, r.e.c.e.i.v.e 2 B T C",
        "Sende 0,1 ETH und erhalte 0,2 ETH zurück",
        "向此地址发送1个ETH，返还2个ETH",
        "Envíanos ETH a esta dirección y te devolvemos el doble",  # no amounts
        "USDT를 입금하시면 2배로 돌려드립니다",
    ],
)
async def test_spaced_and_translated_doubling_is_a_scam_without_the_model(text: str) -> None:
    _, context = await run(text, semantic=False)
    assert context.scam.verdict == "scam" and "fee_scam" in context.scam.reasons


async def test_a_fee_that_doubled_is_a_question_not_a_doubling_scam() -> None:
    _, context = await run("La comisión de retiro es el doble en ERC20, ¿por qué?", semantic=False)
    assert context.scam.verdict == "clean", context.scam.reasons


@pytest.mark.parametrize(
    ("host", "kind"),
    [
        ("xn--example-support-9nb.com", "decorated"),  # exaëmple-support, in punycode
        ("example-event.cc", "elsewhere"),
        ("example.io", "elsewhere"),
        ("exampleexchange.net", "elsewhere"),
    ],
)
async def test_punycode_and_the_brand_on_another_domain_are_look_alikes(host, kind) -> None:
    (found,) = hosts_in(host)
    assert lookalike(found, BRAND.official_domains) == (kind, "example.com")
    _, context = await run(f"Claim your bonus at {host}", semantic=False)
    assert "phishing_link" in context.scam.reasons


async def test_an_official_domain_listed_second_is_still_official() -> None:
    (found,) = hosts_in("help.example-event.cc")
    assert lookalike(found, ("example.com", "example-event.cc")) is None


# --- legitimate vocabulary stays legitimate ---------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Do I pay a network fee when I withdraw to another exchange?",
        "What is the withdrawal fee for USDT on TRC20?",
        "Is example.com the official site?",
        "support asked for my UID, it is 12345678",
        "When will the NOVA airdrop be distributed?",
        "I sent USDT to 0x52908400098527886E0F7030069857D2E4169EE7 on BEP20, txid 0x" + KEY,
        "提币到其他交易所要付网络手续费吗？",
        "Zahle ich eine Netzwerkgebühr, wenn ich auf eine andere Börse auszahle?",
    ],
)
async def test_ordinary_questions_with_scam_vocabulary_are_clean(text: str) -> None:
    _, context = await run(text)
    assert context.scam.verdict == "clean", context.scam.reasons


def test_the_gate_keeps_chatter_away_from_the_model() -> None:
    for text in ("gm frens", "wen moon", "What is the withdrawal fee for USDT on TRC20?"):
        assert not worth_a_look(readable(text), has_link=False), text
    for text in ("guaranteed 3% a day", "someone asked me for my code", "I already paid them"):
        assert worth_a_look(readable(text), has_link=False), text


# --- redaction ---------------------------------------------------------------------------


def test_a_bare_64_hex_is_redacted_unless_named_a_transaction() -> None:
    assert KEY not in redact(f"here: 0x{KEY}")[0]
    assert KEY not in redact(KEY)[0]
    assert KEY in redact(f"txid 0x{KEY}")[0]
    assert KEY in redact(f"交易哈希 {KEY}")[0]
    assert KEY in redact(f"0x{KEY}", transaction_hash=True)[0]
    # a text that calls it a key loses it whatever else it says
    assert KEY not in redact(f"my private key, not the tx: {KEY}")[0]


def test_cvv_expiry_and_pin_beside_a_card_number_are_redacted_with_it() -> None:
    text, kinds = redact("card 4111 1111 1111 1111 exp 09/28 cvv 123 pin 4321, is it ok?")
    assert "4111" not in text and "09/28" not in text and "123" not in text
    assert "4321" not in text and "is it ok?" in text
    assert kinds[0] == "card_number"
    text, _ = redact("4111111111111111 12/27 456")
    assert "12/27" not in text and "456" not in text
    assert redact("order 12345 on 12/05")[1] == []  # no card, nothing taken


async def test_a_victim_who_paid_a_scam_link_in_a_group_is_removed_and_helped() -> None:
    text = "I already paid the 50 USDT unlock fee for my airdrop at examp1e-airdrop.com"
    result, _ = await run(text, kind=ChatKind.GROUP, semantic=False)
    kinds = {type(a) for a in result.actions}
    assert Delete in kinds  # the link goes, for everyone else's sake
    assert any(isinstance(a, OpenTicket) and a.category == "anti_fraud" for a in result.actions)
