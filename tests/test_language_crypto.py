"""Language choice on crypto chat: loanwords, tickers, missing tone marks."""

from __future__ import annotations

import pytest

from handlers.language import UI_LANGUAGES, LanguageDetector, choose_language

DETECTOR = LanguageDetector()


def pick(text: str, chosen: str | None = None, hint: str | None = None) -> str:
    return choose_language(
        text, chosen=chosen, hint=hint, supported=UI_LANGUAGES, default="en", detector=DETECTOR
    )


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Wann kommt der NOVA Airdrop?", "de"),  # "Airdrop" and a ticker are no evidence
        ("quand arrive le airdrop ABC", "fr"),
        ("khi nao nhan duoc airdrop ABC", "vi"),  # Vietnamese typed without tone marks
        ("rút tiền", "vi"),  # letters only Vietnamese uses
        ("ABC airdropunu neden almadım?", "tr"),  # dotless i
        ("Kapan airdrop ABC dibagikan?", "id"),
        ("wen abc airdrop ser", "en"),
        # one French article twice is not two Vietnamese words typed without marks
        ("y a-t-il un concours pour la fête de la musique", "fr"),
    ],
)
def test_crypto_chat_is_read_in_its_own_language(text: str, language: str) -> None:
    assert pick(text) == language


def test_the_users_choice_still_wins_over_telltale_letters() -> None:
    assert pick("rút tiền", chosen="de") == "de"


def test_a_message_of_only_tickers_and_loanwords_follows_the_hint() -> None:
    assert pick("ABC airdrop?", hint="ko") == "ko"
    assert pick("$ABC https://example.com", hint=None) == "en"
