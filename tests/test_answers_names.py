"""Names of activities and airdrops survive typos, but a short everyday word never
becomes one: a Vietnamese question about the network ("mạng", typed "mang") is not
answered with the "Mango" airdrop, nor a Turkish one about money ("para") with a
"Parade" activity."""

from __future__ import annotations

from pathlib import Path

import pytest

from handlers.answers.knowledge import Knowledge
from handlers.answers.matcher import Matcher
from handlers.answers.schema import KnowledgeFile
from tests.test_second_opinion import resolver_for
from tests.test_second_opinion import shared as shared_engine

DEV6 = Path(__file__).resolve().parents[1] / "bench" / "data" / "dev6" / "kb.toml"

_TEXT = {"en": "-"}
_WHEN = {
    "starts_at": "2026-12-01T00:00:00Z",
    "ends_at": "2026-12-31T00:00:00Z",
    **{field: _TEXT for field in ("reward", "how_to_join", "eligibility")},
}
BASE = {
    "activities": [
        {"id": "parade", "name": {"en": "Token Parade"}, "aliases": ["parade"], **_WHEN},
        {"id": "pagoda", "name": {"en": "Pagoda Quest"}, "aliases": ["pagoda"], **_WHEN},
        {"id": "learn", "name": {"en": "Learn Week"}, "aliases": ["learn"], **_WHEN},
        {"id": "pools", "name": {"en": "Staking Pools"}, **_WHEN},
    ],
    "airdrops": [
        {
            "id": "mango-drop",
            "token": "MNGO",
            "name": {"en": "MNGO airdrop"},
            "aliases": ["mango"],
            "snapshot_at": "2026-11-18T00:00:00Z",
            "distribution_at": "2026-11-24T00:00:00Z",
            "status": "cancelled",
            "eligibility": _TEXT,
            "how_to_claim": _TEXT,
        }
    ],
}


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(Knowledge.merge([KnowledgeFile.model_validate(BASE)]))


@pytest.mark.parametrize(
    "text",
    [
        "mạng nào rút rẻ nhất",  # Vietnamese: which network is cheapest (≈ "mango")
        "rut usdt mang trc20 mat bao lau",  # the same, typed without marks
        "para çekme ne kadar sürer",  # Turkish: how long a money withdrawal takes (≈ "parade")
        "¿cuánto tarda el pago?",  # Spanish: how long the payment takes (≈ "pagoda")
        "how do I earn interest",  # English: "earn" (≈ "learn")
    ],
)
def test_a_short_everyday_word_names_no_entry(matcher: Matcher, text: str) -> None:
    assert matcher.names(text) == []


@pytest.mark.parametrize(
    ("text", "ref"),
    [
        ("mango airdrop cancelled??", "airdrop:mango-drop"),
        ("mangoo airdrop", "airdrop:mango-drop"),  # a typo of a longer word still counts
        ("token parrade rewards", "activity:parade"),
        ("MNGO 에어드랍", "airdrop:mango-drop"),
        # a short word completes a name another word already found
        ("staking pool apy", "activity:pools"),
    ],
)
def test_names_with_typos_and_short_words_still_match(
    matcher: Matcher, text: str, ref: str
) -> None:
    assert matcher.names(text)[0].ref == ref


@pytest.mark.parametrize(
    "text",
    ["Tôi gửi USDT sai mạng, có cứu được không?", "Phí rút USDT mạng TRC20 bao nhiêu?"],
)
def test_a_vietnamese_network_question_is_not_answered_with_an_airdrop(text: str) -> None:
    found = resolver_for(DEV6, shared_engine()).resolve(text)
    assert found.ref != "airdrop:mango-drop"
