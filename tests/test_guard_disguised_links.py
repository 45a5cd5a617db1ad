"""Disguised links: a look-alike written "hxxps://example-support[.]help" or with a
space after every letter is still a phishing link to the reader, and is caught as one
by the rules; ordinary text with brackets, dots and official links is left alone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from channels.base import Capabilities, ChatKind, Delete
from handlers.context import Brand, Context
from handlers.guard import GuardStage
from handlers.scam.normalize import refanged
from handlers.scam.settings import GuardSettings
from handlers.texts import Texts
from tests.builders import message

BRAND = Brand(
    name="Example Exchange",
    official_domains=("example.com",),
    official_handles=("@example_support",),
    languages=("en", "pt", "tr"),
)
TEXTS = Texts.load()
NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
GROUP_CAPS = Capabilities(max_length=4096, delete=True, restrict=True)


async def run(text: str, kind: ChatKind = ChatKind.GROUP):
    """The guard with its rules alone: what these tests show is the link rules' doing."""
    stage = GuardStage(GuardSettings(semantic=False))
    context = Context(now=NOW, language="en", texts=TEXTS, brand=BRAND, capabilities=GROUP_CAPS)
    chat = "-100" if kind is not ChatKind.PRIVATE else "u1"
    result = await stage.handle(
        message(text, chat_kind=kind, chat_id=chat, sender_id="u1", platform_message_id="9"),
        context,
    )
    return result, context


@pytest.mark.parametrize(
    "text",
    [
        "Official support portal moved: hxxps://support-example[.]help/login",
        "Atualize seu cadastro: hxxps://example-br[.]site/atualizar",
        "claim now at example-airdrop(.)com before it ends",
        "verify at example-support[dot]io today",
        "airdrop: example-bonus (dot) com",
        "go to hXXp[:]//example-rewards{.}net",
        "ABC airdrop başladı! h t t p s : / / e x a m p l e - b o n u s . c o m adresinden al",
        "claim at e x a m p 1 e - a i r d r o p . c o m now",
    ],
)
async def test_a_defanged_or_spaced_look_alike_is_removed_as_a_phishing_link(text: str) -> None:
    result, context = await run(text)
    assert context.scam.verdict == "scam" and "phishing_link" in context.scam.reasons
    assert any(isinstance(a, Delete) for a in result.actions)


@pytest.mark.parametrize(
    "text",
    [
        "The fees page [https://example.com/fees] says 0.1% (see the table).",
        "Official link: hxxps://example[.]com/support (I wrote it so it is not clickable)",
        "my withdrawal (ID 5512) is still pending [since Monday], can you check?",
        "the fee is 1.5 (dot) 2 percent? confused (.) help",
        "Use the app (Settings) [Security] {2FA} to turn it on.",
        "I have a b c d e f g written on my backup card, is that normal?",
        "Deposit arrived, thanks (really) [all good].",
    ],
)
async def test_brackets_dots_and_official_links_stay_clean(text: str) -> None:
    _, context = await run(text, ChatKind.PRIVATE)
    assert context.scam.verdict == "clean", context.scam.reasons


def test_only_links_are_rewritten() -> None:
    assert refanged("see hxxps://evil[.]xyz/a") == "see https://evil.xyz/a"
    assert refanged("e x a m p l e . c o m") == "example.com"
    for text in ("the fee is 1.5 (dot) 2", "a b c d e f", "(see above) [ok] {x}", "x (.) 3"):
        assert refanged(text) == text
