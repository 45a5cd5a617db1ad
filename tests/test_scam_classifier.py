"""The guard's learned classifier: messages none of the data sets hold are judged in the
users' languages (scams warned with the right kind, ordinary messages about support and
security left alone, a scammer timed out and a victim not), and weights the guard
cannot use leave it on its rules instead of failing the start."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from channels.base import Capabilities, ChatKind, Restrict
from handlers.context import Brand, Context
from handlers.guard import GuardStage
from handlers.scam import intent
from handlers.scam.intent import Classifier, IntentCheck
from handlers.scam.settings import GuardSettings
from handlers.texts import Texts
from handlers.understanding import shared_engine
from handlers.understanding.cache import VectorCache
from tests.builders import VECTORS, message

BRAND = Brand(
    name="Example Exchange",
    official_domains=("example.com",),
    official_handles=("@example_support",),
    languages=("en", "zh", "vi", "de", "es", "ru", "tr", "id", "pt", "fr", "ja", "ko"),
)
TEXTS = Texts.load()
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
CAPS = Capabilities(max_length=4096, delete=True, restrict=True)

needs_model = pytest.mark.skipif(
    shared_engine().engine is None, reason="the embedding model is not available here"
)


async def run(text: str, kind: ChatKind = ChatKind.PRIVATE, stage: GuardStage | None = None):
    stage = stage or GuardStage(GuardSettings(), embedding_cache=VECTORS)
    context = Context(now=NOW, language="en", texts=TEXTS, brand=BRAND, capabilities=CAPS)
    chat = "-100" if kind is not ChatKind.PRIVATE else "u1"
    result = await stage.handle(
        message(text, chat_kind=kind, chat_id=chat, sender_id="u1", platform_message_id="9"),
        context,
    )
    return result, context


# written for these tests, in no data set the classifier was trained or measured on
@needs_model
@pytest.mark.parametrize(
    "text",
    [
        "PSA: nobody from the team will ever DM you first, report anyone who does",
        "Recordatorio: el equipo nunca te pedirá tu frase semilla",
        "thanks support, my deposit finally showed up",
        "Danke an den Support, Problem gelöst",
        "How do I turn on withdrawal whitelist for extra security?",
        "我的提现为什么要二次验证？",
        "where can I see the fee I paid for my last withdrawal?",
        "is the Telegram group linked on example.com the only official one?",
    ],
)
async def test_ordinary_talk_about_support_security_and_fees_gets_no_warning(text: str) -> None:
    _, context = await run(text)
    assert context.scam.verdict == "clean", context.scam.reasons


@needs_model
@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            "Hello dear, I am from the exchange compliance team, your wallet needs "
            "re-validation, send your 12 words here",
            "fake_support",
        ),
        (
            "Congratulations! You won 3,000 USDT in our anniversary draw, pay 50 USDT "
            "release fee to claim",
            "fee_scam",
        ),
        (
            "Invest 1000 USDT with our VIP signals and earn 25% every week, guaranteed",
            "investment_scam",
        ),
        (
            "Lost funds to a scam? Our recovery experts get it back, contact @recover_pro",
            "recovery_scam",
        ),
        ("Bạn đã trúng thưởng 500 USDT, vui lòng nộp phí 20 USDT để nhận", "fee_scam"),
    ],
)
async def test_scams_in_new_words_are_warned_about_as_their_kind(text: str, reason: str) -> None:
    _, context = await run(text)
    assert context.scam.verdict != "clean"
    assert reason in context.scam.reasons, context.scam.reasons


@needs_model
async def test_a_scammers_look_alike_link_in_a_group_times_its_sender_out() -> None:
    result, context = await run(
        "🎁 Claim your bonus at https://examp1e-airdrop.com/claim", ChatKind.GROUP
    )
    assert context.scam.verdict == "scam"
    assert any(isinstance(a, Restrict) for a in result.actions)


@needs_model
async def test_a_victim_asking_about_a_look_alike_link_is_not_timed_out() -> None:
    text = "someone in DM told me to validate my wallet at examp1e-verify.com, is that you?"
    result, context = await run(text, ChatKind.GROUP)
    assert context.scam.verdict == "scam"  # the link goes, for everyone else's sake
    assert not any(isinstance(a, Restrict) for a in result.actions)


@needs_model
async def test_a_victim_who_says_they_paid_is_helped_not_timed_out() -> None:
    text = "I already paid the 50 USDT unlock fee for my airdrop at examp1e-airdrop.com"
    result, context = await run(text, ChatKind.GROUP)
    assert context.scam.verdict == "scam"  # the link goes, for everyone else's sake
    assert not any(isinstance(a, Restrict) for a in result.actions)
    assert any(getattr(a, "category", None) == "anti_fraud" for a in result.actions)


@needs_model
def test_weights_for_another_models_vectors_are_refused(tmp_path: Path) -> None:
    engine = shared_engine().engine
    assert engine is not None
    shipped = Classifier.load()
    other = Classifier(shipped.weights, shipped.bias, "another-model")
    with pytest.raises(ValueError, match="another-model"):
        IntentCheck(engine, VectorCache(tmp_path), other)
    shorter = Classifier(shipped.weights[:, :100], shipped.bias, engine.name)
    with pytest.raises(ValueError, match="100 values"):
        IntentCheck(engine, VectorCache(tmp_path), shorter)


def test_a_file_that_is_not_the_weights_is_refused_not_crashed_on(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.npz"
    garbage.write_bytes(b"PK\x03\x04 not really a zip")
    empty = tmp_path / "empty.npz"
    empty.write_bytes(b"")
    misshapen = tmp_path / "misshapen.npz"
    np.savez(misshapen, weights=np.zeros(384), bias=np.zeros(1), model=np.array("m"))
    partial = tmp_path / "partial.npz"
    np.savez(partial, weights=np.zeros((2, 384)))
    for path in (garbage, empty, misshapen, partial):
        with pytest.raises(ValueError):
            Classifier.load(path)
    with pytest.raises(OSError):
        Classifier.load(tmp_path / "missing.npz")


@needs_model
async def test_unusable_weights_leave_the_guard_on_its_rules(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    stale = tmp_path / "classifier.npz"
    np.savez(stale, weights=np.zeros((2, 384)), bias=np.zeros(2), model=np.array("old-model"))
    monkeypatch.setattr(intent, "CLASSIFIER", stale)
    monkeypatch.setattr(intent, "_SHARED", {})
    with caplog.at_level(logging.ERROR, logger="handlers.scam.intent"):
        stage = GuardStage(GuardSettings())
    assert stage.intent is None
    assert "train_scam_classifier.py --write" in caplog.text
    _, context = await run("Claim your bonus at https://examp1e-airdrop.com/claim", stage=stage)
    assert "phishing_link" in context.scam.reasons  # the rules still catch it
