"""The shared understanding model as users meet it: a knowledge base phrased only in
English answers paraphrases in other languages on every channel, a question about
something the base does not hold is asked about instead of answered with another
entry, and the base is embedded once and then read from disk."""

from __future__ import annotations

import logging
import secrets
from pathlib import Path

import aiohttp
import numpy as np
import pytest
from typer.testing import CliRunner

from bots.app import App
from bots.cli import app as cli
from bots.config import Config
from channels.base import Reply
from handlers.answers import KnowledgeBase, KnowledgeSettings
from handlers.answers.resolve import Resolver
from handlers.language import UI_LANGUAGES
from handlers.texts import Texts
from handlers.understanding import engine as engines
from handlers.understanding.engine import Engine, shared_engine
from tests.builders import bot_config, message
from tests.fakes.telegram import FakeTelegram
from tests.webchat_client import chat_socket, next_frame

BASE = Path(__file__).parent / "data" / "english_only.toml"
ANSWER = "can sometimes be recovered"  # of faq:wrong-network, in English only
PARAPHRASES = {
    "vi": "Tôi nạp USDT nhầm mạng BEP20, có lấy lại được không?",
    "de": "Ich habe USDT über das falsche Netzwerk eingezahlt, kann ich es zurückbekommen?",
    "zh": "我充值USDT用错了网络，用的BEP20，能找回吗？",
}
TEXTS = Texts.load()


def config(tmp_path: Path, vectors: Path, **sections: object) -> Config:
    """``vectors``: the embedding cache (the tests of the cache itself bring their own)."""
    return bot_config(
        tmp_path,
        bot={"languages": list(UI_LANGUAGES)},
        knowledge={"paths": [str(BASE)], "embedding_cache": str(vectors)},
        **sections,
    )


async def test_paraphrases_of_an_english_only_faq_are_answered_on_web_and_telegram(
    tmp_path: Path, vector_cache: Path, tg: FakeTelegram
) -> None:
    cfg = config(
        tmp_path,
        vector_cache,
        telegram={"enabled": True, "base_url": tg.base_url, "poll_timeout": 1},
    )
    async with App(cfg) as bot, aiohttp.ClientSession() as http:
        for number, (language, text) in enumerate(PARAPHRASES.items(), start=1):
            async with chat_socket(http, bot.url) as ws:
                await ws.send_json({"type": "message", "id": f"m{number}", "text": text})
                web = (await next_frame(ws, "reply"))["text"]
            tg.private(100 + number, text)
            telegram = (await tg.wait_sent(1, chat_id=100 + number))[0]["text"]
            for reply in (web, telegram):
                assert ANSWER in reply, (language, reply)
                # the answer exists in English only: the note around it is the user's
                assert TEXTS.get("answers.english_note", language) in reply


async def test_a_question_the_base_does_not_hold_is_asked_about_not_answered(
    tmp_path: Path, vector_cache: Path
) -> None:
    async with App(config(tmp_path, vector_cache)) as bot:
        assert bot.pipeline is not None
        decision = await bot.pipeline.decide(message("Can I buy Tesla stock on your exchange?"))
    assert decision.refs == []
    assert decision.intent in ("clarify", "handoff")
    assert ANSWER not in decision.reply


async def test_link_codes_keep_the_language_of_the_conversation(
    tmp_path: Path, vector_cache: Path
) -> None:
    async with App(config(tmp_path, vector_cache)) as bot:
        assert bot.pipeline is not None
        where = {"channel": "web", "chat_id": "v1", "sender_id": "v1"}
        await bot.pipeline.dispatch(message("Chào bạn, tôi cần giúp đỡ về tài khoản", **where))
        unknown = TEXTS.get("link.invalid", "vi")
        for _ in range(12):  # random codes once looked German, Dutch, Swahili...
            code = secrets.token_hex(4)
            decision = await bot.pipeline.dispatch(message(f"/link {code}", **where))
            assert decision is not None
            replies = [a.text for a in decision.actions if isinstance(a, Reply)]
            assert decision.language == "vi", (code, replies)
            assert replies == [unknown]


def test_kb_check_names_two_faqs_too_close_to_tell_apart(tmp_path: Path) -> None:
    planted = tmp_path / "kb.toml"
    planted.write_text(
        BASE.read_text(encoding="utf-8")
        + """
[[faqs]]
id = "withdrawal-costs"
questions.en = ["What does a withdrawal cost", "withdrawal fee for each network"]
answer = { en = "See the fee on the withdrawal page." }
""",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["kb", "check", str(planted)])
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.output.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1, result.output
    assert "faq:withdrawal-fees" in warnings[0] and "faq:withdrawal-costs" in warnings[0]
    clean = CliRunner().invoke(cli, ["kb", "check", str(BASE)])
    assert clean.exit_code == 0 and "warning:" not in clean.output, clean.output


def test_check_config_refuses_a_missing_knowledge_file(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[knowledge]\npaths = ["kb/missing.toml"]\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["check-config", str(path)])
    assert result.exit_code == 2
    assert "kb/missing.toml" in result.output and "cannot read" in result.output


class Counting:
    """The real model, counting what it is asked to embed."""

    def __init__(self, model: engines.Model) -> None:
        self.model = model
        self.dim = model.dim
        self.texts: list[str] = []

    def query(self, texts: list[str]) -> np.ndarray:
        self.texts += texts
        return self.model.query(texts)

    def passage(self, texts: list[str]) -> np.ndarray:
        self.texts += texts
        return self.model.passage(texts)


def test_the_base_is_embedded_once_and_read_from_disk_after_a_restart(tmp_path: Path) -> None:
    real = shared_engine().engine
    assert real is not None, shared_engine().reason
    base = KnowledgeBase([BASE])
    base.refresh()
    settings = KnowledgeSettings(paths=[BASE], embedding_cache=tmp_path / "vectors")
    first = Counting(real.model)
    before = Resolver(base.current, settings, engine=Engine(first, real.name))
    assert len(first.texts) > 8  # phrasings, answers and the background
    again = Counting(real.model)  # a new process: nothing in memory
    after = Resolver(base.current, settings, engine=Engine(again, real.name))
    assert again.texts == []
    question = PARAPHRASES["vi"]
    assert before.resolve(question).ref == after.resolve(question).ref == "faq:wrong-network"
    assert again.texts == [question]  # only the question itself


async def test_without_the_model_the_bot_says_so_once_and_answers_by_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("SOCIALDESK_EMBEDDINGS", "off")
    shared_engine.cache_clear()
    try:
        with caplog.at_level(logging.WARNING):
            async with App(config(tmp_path, tmp_path / "vectors")) as bot:
                assert bot.pipeline is not None
                decision = await bot.pipeline.decide(message("reset two-factor authentication"))
    finally:
        shared_engine.cache_clear()
    lines = [r.getMessage() for r in caplog.records if "semantic matching" in r.getMessage()]
    assert len(lines) == 1 and "\n" not in lines[0]
    assert decision.refs == ["faq:reset-2fa"]


CHANGE_EMAIL = """
[[faqs]]
id = "change-email"
questions.en = ["How do I change my email address?", "update the phone number on my account"]
answer.en = "Open Profile > Security, choose Email or Phone and confirm with your 2FA code."

[[faqs]]
id = "withdrawal-fees"
questions.en = ["How much is the withdrawal fee", "withdraw fee per network"]
answer.en = "Each network has its own fee, shown on the withdrawal page before you confirm."
"""
NICKNAME = """
[[faqs]]
id = "nickname"
questions.en = ["How do I change my nickname?", "edit the display name on my profile"]
answer.en = "Tap your avatar, then Edit profile, and type a new nickname."
"""


def test_a_topic_the_base_does_not_cover_is_not_answered_with_its_neighbour(
    tmp_path: Path,
) -> None:
    """ "Change my nickname" sits as close to "change my email" as a paraphrase does; it
    is a known exchange topic this base does not cover, so it is asked about. The same
    question is answered once the base has an FAQ for it."""
    engine = shared_engine().engine
    assert engine is not None, shared_engine().reason
    (tmp_path / "base.toml").write_text(CHANGE_EMAIL)
    (tmp_path / "nickname.toml").write_text(NICKNAME)
    settings = KnowledgeSettings(paths=[], embedding_cache=tmp_path / "vectors")

    def resolver(*names: str) -> Resolver:
        base = KnowledgeBase([tmp_path / n for n in names])
        base.refresh()
        return Resolver(base.current, settings, engine=engine)

    nicknames = ["How do I change my nickname?", "Wie ändere ich meinen Spitznamen?"]
    without = resolver("base.toml")
    for question in nicknames:
        assert without.resolve(question).ref is None, question
        assert without.resolve(question).outcome in ("clarify", "handoff")
    assert without.resolve("how do i change my email").ref == "faq:change-email"
    with_it = resolver("base.toml", "nickname.toml")
    for question in nicknames:
        assert with_it.resolve(question).ref == "faq:nickname", question
    assert with_it.resolve("how do i change my email").ref == "faq:change-email"
