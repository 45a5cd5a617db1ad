"""The screen before e5 (the second model decides the clear cases): the issue's English
reports are still warned about and the network-fee question is not, its verdicts are
e5's on messages in no data set, several messages read at once get the same findings
as one by one, and weights it cannot use leave e5 reading every message instead of
failing the start."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from handlers.scam.detect import inspect, inspect_many
from handlers.scam.intent import IntentCheck
from handlers.scam.links import BlockList
from handlers.scam.screen import Screen
from handlers.understanding import shared_engine
from handlers.understanding.cache import VectorCache
from handlers.understanding.engine import Engine
from tests.builders import VECTORS

engine = shared_engine().engine
needs_both = pytest.mark.skipif(
    engine is None or engine.second is None, reason="needs e5 and the second model"
)
DOMAINS = ("example.com",)
REPORTS = [
    "a guy from support wants my recovery phrase",
    "admin DMed me asking for my seed phrase",
    "is it safe to give my private key to the moderator?",
]
FEE_QUESTION = "Do I pay a network fee when I withdraw to another exchange?"
# written for these tests, in no data set the screen or e5 was trained or measured on
NEW = [
    "Dear user, your account is frozen, pay 30 USDT verification deposit to unlock it",
    "Send 0.1 ETH to the event wallet and get 0.2 ETH back within the hour",
    "Our fund pays 3% a day, DM me to join before the slots close",
    "I recovered stolen crypto for 40 clients, contact me, small fee first",
    "Support DMed me and I gave them my 2FA code, what do I do now?",
    "thanks, the withdrawal arrived after the network confirmations",
    "Which network is cheapest for sending USDT to my own wallet?",
    "How long does KYC review usually take after I upload my passport?",
    "Is there a fee to convert BTC to USDT in the app?",
    "Mình quên mật khẩu, đặt lại ở đâu vậy?",
    "入金したのにまだ反映されません、どれくらいかかりますか？",
    "Wie aktiviere ich die Zwei-Faktor-Authentifizierung?",
]


def screened_check() -> IntentCheck:
    assert engine is not None
    check = IntentCheck(engine, VectorCache(VECTORS))
    assert check.screen is not None, "the shipped screen must load on this engine"
    return check


def e5_alone() -> IntentCheck:
    """The same e5 and anchors without a second model: no screen."""
    assert engine is not None
    return IntentCheck(Engine(engine.model, engine.name), VectorCache(VECTORS))


def findings(text: str, check: IntentCheck) -> list[str]:
    found = inspect(text, official_domains=DOMAINS, blocklist=BlockList(), intent=check)
    return [f"{f.verdict} {f.reason}" for f in found]


@needs_both
@pytest.mark.parametrize("text", REPORTS)
def test_the_issues_reports_are_still_warned_about(text: str) -> None:
    assert findings(text, screened_check()), text


@needs_both
def test_the_network_fee_question_is_still_clean() -> None:
    assert findings(FEE_QUESTION, screened_check()) == []


@needs_both
def test_the_screen_changes_no_verdict_and_spares_e5_the_clear_cases() -> None:
    screened, alone = screened_check(), e5_alone()
    for text in [*REPORTS, FEE_QUESTION, *NEW]:
        ours = findings(text, screened)
        assert bool(ours) == bool(findings(text, alone)), text
    assert screened.judged == alone.judged
    assert 0 < screened.screened < screened.judged  # some to e5, some not


@needs_both
def test_messages_read_at_once_get_the_findings_of_one_by_one() -> None:
    check = screened_check()
    texts = [*REPORTS, FEE_QUESTION, *NEW, "gm", "https://examp1e-airdrop.com/claim"]
    options = {"official_domains": DOMAINS, "blocklist": BlockList(), "intent": check}
    together = inspect_many(texts, workers=2, **options)
    assert together == [inspect(t, **options) for t in texts]  # type: ignore[arg-type]


@needs_both
def test_a_screen_for_another_model_leaves_e5_reading_everything(
    caplog: pytest.LogCaptureFixture,
) -> None:
    assert engine is not None
    shipped = Screen.load()
    other = Screen(shipped.weights, shipped.bias, "another-model", -3.0, 3.0)
    with caplog.at_level(logging.WARNING, logger="handlers.scam.intent"):
        check = IntentCheck(engine, VectorCache(VECTORS), screen=other)
    assert check.screen is None
    assert "train_scam_screen.py --write" in caplog.text
    assert findings(REPORTS[0], check)  # e5 still judges
    assert check.screened == 0


@needs_both
def test_a_missing_screen_file_leaves_e5_reading_everything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert engine is not None
    from handlers.scam import screen

    monkeypatch.setattr(screen, "SCREEN", tmp_path / "missing.npz")
    check = IntentCheck(engine, VectorCache(VECTORS))
    assert check.screen is None
    assert findings(REPORTS[1], check)


@needs_both
def test_the_screen_can_be_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    assert engine is not None
    monkeypatch.setenv("SOCIALDESK_GUARD_SCREEN", "off")
    check = IntentCheck(engine, VectorCache(VECTORS))
    assert check.screen is None
    assert findings(REPORTS[2], check)
    assert findings(FEE_QUESTION, check) == []
    assert check.screened == 0


def test_a_file_that_is_not_the_screen_is_refused_not_crashed_on(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.npz"
    garbage.write_bytes(b"PK\x03\x04 not really a zip")
    no_band = tmp_path / "no_band.npz"
    np.savez(no_band, weights=np.zeros((2, 512)), bias=np.zeros(2), model=np.array("m"))
    empty_band = tmp_path / "empty_band.npz"
    np.savez(
        empty_band,
        weights=np.zeros((2, 512)),
        bias=np.zeros(2),
        model=np.array("m"),
        band=np.array([2.0, -2.0]),
    )
    for path in (garbage, no_band, empty_band):
        with pytest.raises(ValueError):
            Screen.load(path)
    with pytest.raises(OSError):
        Screen.load(tmp_path / "missing.npz")
