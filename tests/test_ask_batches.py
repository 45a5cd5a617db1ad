"""``socialdesk ask --input`` reads a file of questions ahead and embeds the ones that
need the model together: every answer is the one the same question gets alone, each
question is embedded once, and a question the names decide is never embedded."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest

from bots import routing
from bots.ask import Asker
from bots.config import parse_config
from handlers.language import UI_LANGUAGES
from handlers.understanding import engine as engines
from handlers.understanding.engine import Engine, EngineStatus, shared_engine

BASE = Path(__file__).parent / "data" / "english_only.toml"
AIRDROP = """
[[airdrops]]
id = "abc-launch"
token = "ABC"
name = { en = "ABC launch airdrop" }
snapshot_at = 2026-11-20T12:00:00Z
distribution_at = 2026-11-25T12:00:00Z
status = "scheduled"
eligibility = { en = "Hold at least 100 USDT in your spot account at the snapshot." }
how_to_claim = { en = "Credited automatically to the spot account." }
"""
PARAPHRASES = [
    "Tôi nạp USDT nhầm mạng BEP20, có lấy lại được không?",
    "Ich habe USDT über das falsche Netzwerk eingezahlt, kann ich es zurückbekommen?",
    "我充值USDT用错了网络，用的BEP20，能找回吗？",
    "combien coûte un retrait ?",
    "perdí mi app de autenticación",
    "my passport check got refused",
]


class Batches:
    """The real model, recording each call's texts."""

    def __init__(self, model: engines.Model) -> None:
        self.model = model
        self.dim = model.dim
        self.calls: list[list[str]] = []

    def query(self, texts: list[str]) -> np.ndarray:
        self.calls.append(list(texts))
        return self.model.query(texts)

    def passage(self, texts: list[str]) -> np.ndarray:
        self.calls.append(list(texts))
        return self.model.passage(texts)


def asker(vectors: Path, monkeypatch: pytest.MonkeyPatch, base: Path) -> tuple[Asker, Batches]:
    """An asker on the real model, which records what it is asked; ``vectors``: the
    embedding cache (what is embedded at start is not counted: calls are cleared)."""
    real = shared_engine().engine
    assert real is not None, shared_engine().reason
    model = Batches(real.model)
    status = EngineStatus(Engine(model, real.name))
    monkeypatch.setattr(routing, "shared_engine", lambda: status)
    config = parse_config(
        {
            "bot": {"languages": list(UI_LANGUAGES)},
            "knowledge": {"paths": [str(base)], "embedding_cache": str(vectors)},
        }
    )
    return Asker(config), model


async def test_a_file_of_questions_gets_the_answers_each_gets_alone(
    vector_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    alone, _ = asker(vector_cache, monkeypatch, BASE)
    defaults = alone.defaults(channel="web", chat="private", lang=None, at=None)
    expected = [await alone.one({"text": q}, defaults) for q in PARAPHRASES]

    together, model = asker(vector_cache, monkeypatch, BASE)
    model.calls.clear()  # the base came from the vectors on disk
    lines = [json.dumps({"text": q}).encode() for q in PARAPHRASES]
    got: list[dict[str, object]] = []
    failures = await together.many(io.BytesIO(b"\n".join(lines)), defaults, got.append)

    assert failures == 0
    assert [(d["refs"], d["intent"], d["language"], d["reply"]) for d in got] == [
        (d["refs"], d["intent"], d["language"], d["reply"]) for d in expected
    ]
    assert got[0]["refs"] == got[2]["refs"] == ["faq:wrong-network"]
    assert model.calls == [[q for q in PARAPHRASES]]  # one batch, each question once


async def test_questions_decided_by_names_or_commands_are_not_embedded(
    tmp_path: Path, vector_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = tmp_path / "kb.toml"
    base.write_text(BASE.read_text(encoding="utf-8") + AIRDROP, encoding="utf-8")
    ask, model = asker(vector_cache, monkeypatch, base)
    defaults = ask.defaults(channel="web", chat="private", lang=None, at=None)
    model.calls.clear()
    lines = [
        {"text": "When is the ABC airdrop?"},  # a name: answered before the model
        {"text": "/help"},
        {"text": PARAPHRASES[0]},  # needs the model
        {"text": 42},
    ]
    raw = b"\n".join(json.dumps(line).encode() for line in lines)
    got: list[dict[str, object]] = []
    failures = await ask.many(io.BytesIO(raw), defaults, got.append)

    assert failures == 1 and got[3] == {"line": 4, "error": "text: a string is required"}
    assert got[0]["refs"] == ["airdrop:abc-launch"]
    embedded = [text for call in model.calls for text in call]
    assert "When is the ABC airdrop?" not in embedded and "/help" not in embedded
    assert embedded.count(PARAPHRASES[0]) == 1


def test_a_batch_gives_each_question_the_vector_it_gets_alone() -> None:
    real = shared_engine().engine
    assert real is not None, shared_engine().reason
    alone = Engine(real.model, real.name)
    together = Engine(real.model, real.name)
    assert together.prime([*PARAPHRASES, PARAPHRASES[0]]) == len(PARAPHRASES)
    assert together.prime(PARAPHRASES) == 0  # already known
    for question in PARAPHRASES:
        assert np.array_equal(together.query(question), alone.query(question))
    assert together.embedded == len(PARAPHRASES)
