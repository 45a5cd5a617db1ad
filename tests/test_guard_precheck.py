"""The guard decides on the event loop what the rules decide alone, and that changes
nothing: every row of the scam development sets gets the same verdict, reasons,
evidence and actions as when every message goes to the model threads."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from channels.base import ChatKind
from handlers import guard
from handlers.context import Brand, Context
from handlers.guard import GuardStage, rules_alone
from handlers.scam.detect import Finding, inspect
from handlers.scam.links import BlockList
from handlers.scam.settings import GuardSettings
from tests.builders import VECTORS, message
from tests.guard_chat import GROUP_CAPS, NOW, TEXTS, needs_model

DATA = Path(__file__).resolve().parents[1] / "bench" / "data"
EXAMPLE = {  # the development sets' brand (bench/scam.py, DEV_META)
    "brand": "Example Exchange",
    "official_domains": ["example.com"],
    "official_handles": ["@example_support", "@example"],
    "official_contracts": {"ABC": "0x52908400098527886E0F7030069857D2E4169EE7"},
}
SETS = {
    "scam.jsonl": (DATA / "scam.jsonl", EXAMPLE),
    "scam_dev2": (DATA / "scam_dev2" / "messages.jsonl", EXAMPLE),
    "scam_dev3": (
        DATA / "scam_dev3" / "messages.jsonl",
        json.loads((DATA / "scam_dev3" / "meta.json").read_text(encoding="utf-8")),
    ),
}


def _texts(path: Path) -> list[str]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return [row["text"] for row in rows if "text" in row]


def test_a_short_plain_message_is_decided_without_the_model() -> None:
    called: list[str] = []
    assert rules_alone(_read("how long does KYC take?", called), "how long does KYC take?") == []
    link = "https://examp1e.com/claim"
    found = rules_alone(_read(link, called), link)
    assert found is not None and [f.reason for f in found] == ["phishing_link"]
    assert called == []


def test_a_message_the_model_must_read_is_left_to_the_threads() -> None:
    called: list[str] = []
    text = "an admin wrote to me in private and asked for my twelve words"
    assert rules_alone(_read(text, called), text) is None
    assert called == []  # the stand-in stopped the rules before any model was asked
    long = "hello " * 200
    assert rules_alone(_read(long, called), long) is None  # too long to read on the loop
    assert called == []


@needs_model
@pytest.mark.parametrize("name", sorted(SETS))
async def test_both_paths_give_every_development_row_the_same_verdict(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, meta = SETS[name]
    brand = Brand(
        name=meta["brand"],
        official_domains=tuple(meta["official_domains"]),
        official_handles=tuple(meta["official_handles"]),
        languages=("en",),
    )
    stage = GuardStage(
        GuardSettings(),
        official_contracts=meta.get("official_contracts") or {},
        embedding_cache=VECTORS,
    )
    decided: Counter[bool] = Counter()
    real = guard.rules_alone

    def counting(read: Callable[..., list[Finding]], text: str) -> list[Finding] | None:
        found = real(read, text)
        decided[found is not None] += 1
        return found

    async def read(text: str) -> tuple[Any, Any]:
        ctx = Context(now=NOW, language="en", texts=TEXTS, brand=brand, capabilities=GROUP_CAPS)
        msg = message(
            text, chat_kind=ChatKind.GROUP, chat_id="-100", sender_id="u1", platform_message_id="9"
        )
        result = await stage.handle(msg, ctx)
        return result, (ctx.scam.verdict, ctx.scam.reasons, ctx.scam.evidence)

    texts = _texts(path)
    monkeypatch.setattr(guard, "rules_alone", counting)
    on_loop = [await read(t) for t in texts]
    monkeypatch.setattr(guard, "rules_alone", lambda _read, _text: None)  # every one hops
    in_threads = [await read(t) for t in texts]
    for text, ours, theirs in zip(texts, on_loop, in_threads, strict=True):
        assert ours == theirs, text
    assert decided[True] > 0 and decided[False] > 0, decided  # both paths were taken
    assert sum(decided.values()) == len(texts)


class _Recording:
    """A semantic layer that only records that it was asked."""

    def __init__(self, called: list[str]) -> None:
        self.called = called

    def judge(self, text: str, *_args: object) -> Any:
        self.called.append(text)
        raise AssertionError("the real model was asked")


def _read(text: str, called: list[str]) -> Callable[..., list[Finding]]:
    """:func:`inspect` of ``text`` with the options bound, as the guard binds them."""
    return partial(
        inspect,
        text,
        official_domains=tuple(EXAMPLE["official_domains"]),
        blocklist=BlockList(),
        official_handles=tuple(EXAMPLE["official_handles"]),
        brand=str(EXAMPLE["brand"]),
        intent=_Recording(called),
    )
