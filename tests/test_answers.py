"""Answering from the example knowledge base, as of chosen instants, in the user's language."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bots.ask import Asker, Defaults
from channels.base import Capabilities, ChatKind, Reply
from handlers.answers import Answered, AnswerStage, KnowledgeBase, KnowledgeSettings
from handlers.context import PASS, Brand, Context
from handlers.language import UI_LANGUAGES
from handlers.requests import OpenTicket
from handlers.texts import Texts
from handlers.understanding import shared_engine
from tests.builders import VECTORS, bot_config, message

EXAMPLE = Path(__file__).resolve().parents[1] / "docs" / "knowledge" / "example.toml"
TEXTS = Texts.load()
BASE = KnowledgeBase([EXAMPLE])
BASE.refresh()
# the stage as the bot runs it: with the shared understanding model
STAGE = AnswerStage(BASE, KnowledgeSettings(paths=[EXAMPLE]), engine=shared_engine().engine)
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
DEFAULTS = Defaults("web", ChatKind.PRIVATE, None, NOW)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


async def ask(
    text: str, language: str = "en", now: datetime = NOW, **fields: object
) -> tuple[Answered, str]:
    ctx = Context(
        now=now,
        language=language,
        texts=TEXTS,
        brand=Brand(languages=UI_LANGUAGES),
        capabilities=fields.pop("capabilities", None),  # type: ignore[arg-type]
    )
    result = await STAGE.handle(message(text, **fields), ctx)
    assert isinstance(result, Answered)
    reply = next(a for a in result.actions if isinstance(a, Reply))
    return result, reply.text


def labels(result: Answered) -> list[str]:
    reply = next(a for a in result.actions if isinstance(a, Reply))
    return [b.label for row in reply.buttons for b in row]


# -- status as of the injected clock (``socialdesk ask --at``) ---------------------------


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        ("2026-11-23T12:00:00Z", "has not started yet: it starts 2026-12-01 00:00 UTC (in 8 days)"),
        ("2026-12-12T23:59:59Z", "is running now: it ends 2026-12-15 23:59 UTC (in 3 days)"),
        ("2026-12-20T00:00:00Z", "has ended: it closed 2026-12-15 23:59 UTC (4 days ago)"),
    ],
)
async def test_an_activity_is_upcoming_running_or_ended_as_of_the_clock(
    instant: str, expected: str
) -> None:
    result, text = await ask("is the futures sprint still on?", now=at(instant))
    assert result.intent == "activity" and result.refs == ["activity:futures-sprint"]
    assert f"Futures Sprint {expected}" in text


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        ("2026-11-19T12:00:00Z", "the snapshot is 2026-11-20 12:00 UTC (in 24 hours)"),
        ("2026-11-23T12:00:00Z", "planned for 2026-11-25 12:00 UTC (in 2 days)"),
        (
            "2026-11-26T12:00:00Z",
            "planned for 2026-11-25 12:00 UTC (24 hours ago) and is being processed",
        ),
    ],
)
async def test_an_airdrop_is_before_or_after_its_snapshot_as_of_the_clock(
    instant: str, expected: str
) -> None:
    result, text = await ask("when will I get ABC?", now=at(instant))
    assert result.refs == ["airdrop:abc-launch"]
    assert expected in text


async def test_a_delayed_airdrop_gives_the_teams_note() -> None:
    _, text = await ask("where is my NOVA airdrop")
    assert "is delayed" in text
    assert "Distribution moved to 2026-11-26 because of the NOVA mainnet upgrade." in text


async def test_distributed_and_cancelled_airdrops_say_so() -> None:
    _, orbit = await ask("I still haven't received my ORBIT tokens")
    assert "the ORBIT tokens were distributed" in orbit
    assert "Assets > History > Distributions" in orbit
    _, pix = await ask("PIX空投什么时候发", language="zh")
    assert "该空投已取消" in pix and "PIX 项目方撤回上线" in pix


async def test_times_are_shown_in_the_configured_zone() -> None:
    stage = AnswerStage(BASE, KnowledgeSettings(paths=[EXAMPLE], timezone="Asia/Shanghai"))
    ctx = Context(now=NOW, language="en", texts=TEXTS, brand=Brand(languages=UI_LANGUAGES))
    result = await stage.handle(message("when does the futures sprint start"), ctx)
    assert isinstance(result, Answered)
    assert "2026-12-01 08:00 UTC+08:00" in result.actions[0].text  # type: ignore[union-attr]


# -- matching in the seed languages ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "language", "ref", "phrase"),
    [
        ("Is the Futures Sprint still on?", "en", "activity:futures-sprint", "Futures Sprint"),
        ("合约冲刺赛还在进行吗", "zh", "activity:futures-sprint", "合约冲刺赛尚未开始"),
        ("Đua Top Hợp Đồng bắt đầu khi nào?", "vi", "activity:futures-sprint", "chưa bắt đầu"),
        ("Läuft der Futures-Sprint noch?", "de", "activity:futures-sprint", "noch nicht begonnen"),
        ("ABC空投什么时候发", "zh", "airdrop:abc-launch", "快照已于"),
        ("khi nào nhận được airdrop ABC", "vi", "airdrop:abc-launch", "đã chụp snapshot"),
        ("Wann kommt der ABC Airdrop?", "de", "airdrop:abc-launch", "Der Snapshot wurde"),
        ("充值还没到账怎么办", "zh", "faq:deposit-not-arrived", "请把 TxID 发给我们"),
        ("tiền nạp của tôi chưa vào", "vi", "faq:deposit-not-arrived", "hãy gửi TxID"),
        ("Meine Einzahlung ist noch nicht angekommen", "de", "faq:deposit-not-arrived", "TxID"),
        ("how to reset 2fa", "en", "faq:reset-2fa", "Security verification unavailable"),
    ],
)
async def test_questions_in_the_seed_languages_find_their_entry(
    text: str, language: str, ref: str, phrase: str
) -> None:
    result, reply = await ask(text, language)
    assert result.refs == [ref]
    assert result.intent == ref.split(":")[0]
    assert result.confidence >= STAGE.settings.confidence_threshold
    assert phrase in reply


@pytest.mark.parametrize(
    ("text", "ref"),
    [
        ("futres sprnt rewards??", "activity:futures-sprint"),
        ("depost bonanza how to join", "activity:deposit-bonanza"),
        ("le hoi nap tien khi nao ket thuc", "activity:deposit-bonanza"),
        ("wen abc airdrop ser", "airdrop:abc-launch"),
        ("ABC 에어드랍 언제 지급돼요?", "airdrop:abc-launch"),
    ],
)
async def test_typos_missing_accents_and_slang_still_match(text: str, ref: str) -> None:
    result, _ = await ask(text)
    assert result.refs == [ref]


# -- not in the base, unsure, personal ---------------------------------------------------


@pytest.mark.parametrize(
    "text", ["when is the XYZ airdrop?", "wen BLAST airdrop", "XYZ空投什么时候发"]
)
async def test_an_airdrop_not_in_the_base_gets_no_other_airdrops_facts(text: str) -> None:
    result, reply = await ask(text)
    assert result.intent == "clarify" and result.refs == []
    assert reply == TEXTS.get("answers.unknown_airdrop", "en")
    assert "ABC launch airdrop" in labels(result)  # the known ones are offered instead
    assert "snapshot" not in reply


async def test_an_event_not_in_the_base_offers_the_running_ones() -> None:
    result, _ = await ask("any christmas giveaway event?")
    assert result.refs == []
    assert "Spot Grid Challenge" not in labels(result)  # ended: not offered
    assert "Deposit Bonanza" in labels(result)


async def test_a_close_call_asks_one_question_with_the_closest_entries() -> None:
    # "real-name verification" alone: rejected, or how long it takes?
    result, reply = await ask("实名认证", "zh")
    assert result.intent == "clarify" and result.refs == []
    assert reply == TEXTS.get("answers.clarify", "zh")
    assert {"实名认证被拒绝", "实名认证要多久"} <= set(labels(result))


async def test_a_paraphrase_in_another_script_is_answered_with_its_entry() -> None:
    # "real-name verification didn't pass, what's going on": the rejected-KYC FAQ
    result, _ = await ask("实名认证没通过怎么回事", "zh")
    assert result.refs == ["faq:kyc-rejected"]


async def test_pressing_a_clarify_button_answers_that_entry() -> None:
    result, reply = await ask("", callback="answers:faq:kyc-rejected")
    assert result.refs == ["faq:kyc-rejected"]
    assert "Profile > Verification" in reply


async def test_without_buttons_the_options_are_listed_in_the_text() -> None:
    _, reply = await ask("wen BLAST airdrop", capabilities=Capabilities(max_length=280))
    assert "• ABC launch airdrop" in reply


async def test_a_question_it_cannot_place_goes_to_a_person() -> None:
    result, reply = await ask("what is the price of bitcoin going to be tomorrow")
    assert result.intent == "handoff" and result.handoff and result.refs == []
    assert reply == TEXTS.get("answers.handoff", "en")
    assert any(isinstance(a, OpenTicket) for a in result.actions)


async def test_chatter_passes_on_to_the_greeting() -> None:
    ctx = Context(now=NOW, language="en", texts=TEXTS, brand=Brand(languages=UI_LANGUAGES))
    assert await STAGE.handle(message("hi I need help"), ctx) is PASS
    assert await STAGE.handle(message("/help"), ctx) is PASS


@pytest.mark.parametrize(
    ("text", "language", "rule"),
    [
        ("am I eligible for the ABC airdrop?", "en", "Hold at least 100 USDT"),
        ("Bin ich für den Futures-Sprint berechtigt?", "de", "KYC-verifizierte Nutzer"),
        ("ABC 空投我符合资格吗", "zh", "快照时现货账户持有不少于 100 USDT"),
    ],
)
async def test_a_personal_question_gets_the_rule_and_a_ticket_offer(
    text: str, language: str, rule: str
) -> None:
    result, reply = await ask(text, language)
    assert rule in reply
    assert TEXTS.get("answers.personal", language) in reply
    assert labels(result) == [TEXTS.get("answers.ticket_button", language)]
    assert "you are eligible" not in reply.lower()


# -- languages the base does not speak ----------------------------------------------------


async def test_fields_missing_in_the_users_language_fall_back_to_english_and_say_so() -> None:
    result, reply = await ask("¿Soy elegible para el airdrop ABC?", "es")
    assert result.refs == ["airdrop:abc-launch"]
    assert "Hold at least 100 USDT in your spot account at the snapshot." in reply
    assert reply.endswith(TEXTS.get("answers.english_note", "es"))
    _, german = await ask("Bin ich für den ABC-Airdrop berechtigt?", "de")
    assert TEXTS.get("answers.english_note", "de") not in german


async def test_an_english_name_alone_needs_no_english_note() -> None:
    _, reply = await ask("¿Cuándo recibo el airdrop de ABC?", "es")
    assert reply.startswith("ABC launch airdrop: el snapshot se tomó el 2026-11-20 12:00 UTC")
    assert TEXTS.get("answers.english_note", "es") not in reply


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("o referral rally ja acabou?", "pt"),  # read whole, the name makes it English
        ("como participar do Referral Rally?", "pt"),
        ("ada kartu debit corvid?", "id"),  # the brand's name read as Portuguese
        ("Quando termina o Deposit Bonanza?", "pt"),
        ("refferal rally end date", "en"),  # a misspelt name left over is no German
        ("orbit protocol airdrop status", "en"),  # one word left says too little
    ],
)
async def test_entry_and_brand_names_do_not_decide_the_reply_language(
    tmp_path: Path, text: str, language: str
) -> None:
    config = bot_config(
        tmp_path,
        bot={"brand": "Corvid Exchange", "languages": list(UI_LANGUAGES)},
        knowledge={"paths": [str(EXAMPLE)], "embedding_cache": str(VECTORS)},
    )
    decision = await Asker(config).one({"text": text}, DEFAULTS)
    assert decision["language"] == language


def test_every_answer_sentence_exists_in_every_ui_language_with_the_same_fields() -> None:
    keys = [k for k in TEXTS.keys("en") if k.startswith("answers.")]
    for language in UI_LANGUAGES:
        for key in keys:
            assert TEXTS.has(key, language), (language, key)
            assert TEXTS.placeholders(key, language) == TEXTS.placeholders(key, "en"), (
                language,
                key,
            )


def test_the_core_texts_exist_in_every_ui_language_with_the_same_fields() -> None:
    core = [
        k for k in TEXTS.keys("en") if k.split(".")[0] in ("language", "greeting", "lang", "input")
    ]
    for language in UI_LANGUAGES:
        for key in core:
            assert TEXTS.has(key, language), (language, key)
            assert TEXTS.placeholders(key, language) == TEXTS.placeholders(key, "en"), (
                language,
                key,
            )


async def test_without_a_usable_base_questions_go_to_a_person(tmp_path: Path) -> None:
    empty = KnowledgeBase([tmp_path / "missing.toml"])
    empty.refresh()
    stage = AnswerStage(empty)
    ctx = Context(now=NOW, language="en", texts=TEXTS, brand=Brand(languages=UI_LANGUAGES))
    result = await stage.handle(message("when is the ABC airdrop?"), ctx)
    assert isinstance(result, Answered) and result.intent == "handoff" and result.refs == []
    assert await stage.handle(message("hello there"), ctx) is PASS


async def test_pressing_check_my_account_opens_a_ticket_for_that_entry() -> None:
    offered, _ = await ask("am I eligible for the ABC airdrop?")
    reply = next(a for a in offered.actions if isinstance(a, Reply))
    data = reply.buttons[0][0].data
    assert data is not None and len(data.encode()) <= 64
    result, text = await ask("", callback=data)
    assert result.intent == "handoff" and result.handoff
    assert text == TEXTS.get("answers.ticket_opened", "en")
    ticket = next(a for a in result.actions if isinstance(a, OpenTicket))
    assert ticket.category == "airdrop" and "airdrop:abc-launch" in ticket.summary


def test_fast_faq_scores_equal_the_vectorizers_own() -> None:
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    from handlers.answers.matcher import Matcher, char_grams

    matcher = Matcher(BASE.current)
    phrasings = [q for f in BASE.current.faqs for qs in f.questions.values() for q in qs]
    reference = TfidfVectorizer(analyzer=char_grams, sublinear_tf=True, dtype=np.float32)
    fitted = reference.fit_transform(phrasings)
    for text in ("my deposit has not arrived", "充值没到账", "wie lange dauert KYC", "xyzzy"):
        fast = matcher.similarities(text)
        slow = (reference.transform([text]) @ fitted.T).toarray().ravel()
        if fast is None:
            assert not slow.any()
        else:
            assert np.allclose(fast, slow, atol=1e-5)
