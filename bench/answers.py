"""Answer quality and speed on labelled questions (``bench/data/questions.jsonl``).

Each line holds a question's ``text``, its ``language`` and the ``expected`` ref
(``"airdrop:abc-launch"``) or ``"none"`` when the right behaviour is to name no entry
(something the base does not hold, chatter). The file goes through ``socialdesk ask --input``'s
code path (``bots.ask.Asker.many``), one question at a time, in one process, as of one
instant, with every UI language enabled and the example knowledge base.

Printed: the share answered with the right ref (for ``none``: no ref at all), the share
in the right language, the share of wrong confident answers (a ref that is not the
expected one) and questions per second. ``--show-misses`` lists what went wrong.

    PYTHONPATH=. python bench/answers.py [--at 2026-11-23T12:00:00Z] [--show-misses]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from bots.ask import Asker
from bots.config import Config
from handlers.language import UI_LANGUAGES

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "bench" / "data" / "questions.jsonl"
EXAMPLE = ROOT / "docs" / "knowledge" / "example.toml"


def bench_config() -> Config:
    """The defaults, speaking every UI language, answering from the example base."""
    return Config.model_validate(
        {
            "bot": {"languages": list(UI_LANGUAGES)},
            "knowledge": {"paths": [str(EXAMPLE)]},
        }
    )


async def run(raw: bytes, data: Path, at: datetime, show_misses: bool) -> None:
    items = [json.loads(line) for line in raw.decode("utf-8").splitlines() if line.strip()]
    asker = Asker(bench_config())
    defaults = asker.defaults(channel="web", chat="private", lang=None, at=at.isoformat())
    await asker.one({"text": "warm up"}, defaults)  # loads the language models once
    decisions: list[dict] = []
    started = time.perf_counter()
    failures = await asker.many(io.BytesIO(raw), defaults, decisions.append)
    elapsed = time.perf_counter() - started
    if failures:
        raise SystemExit(f"{failures} line(s) of {data} could not be read")
    results = [(d["language"], d["refs"]) for d in decisions]

    right_ref = right_lang = wrong_confident = 0
    by_lang: Counter[str] = Counter()
    hits: Counter[str] = Counter()
    for item, (language, refs) in zip(items, results, strict=True):
        expected = [] if item["expected"] == "none" else [item["expected"]]
        by_lang[item["language"]] += 1
        ok_ref = refs[:1] == expected
        right_ref += ok_ref
        hits[item["language"]] += ok_ref
        right_lang += language == item["language"]
        wrong_confident += bool(refs) and refs[:1] != expected
        if show_misses and (not ok_ref or language != item["language"]):
            print(
                f"  miss [{item['language']}->{language}] {item['text']!r}: "
                f"expected {item['expected']}, got {refs or 'no ref'}"
            )
    n = len(items)
    print(f"questions: {n} in {len(by_lang)} languages, as of {at.isoformat()}")
    print(f"right ref:        {right_ref / n:6.1%}  (target >= 90%)")
    print(f"right language:   {right_lang / n:6.1%}  (target >= 97%)")
    print(f"wrong confident:  {wrong_confident / n:6.1%}  (target <= 2%)")
    print(f"questions/s:      {n / elapsed:6.0f}  (target >= 500, one process)")
    print(
        "right ref by language: "
        + ", ".join(f"{lang} {hits[lang] / count:.0%}" for lang, count in sorted(by_lang.items()))
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--at",
        default="2026-11-23T12:00:00+00:00",
        help="the instant the questions are asked (ISO 8601)",
    )
    parser.add_argument("--show-misses", action="store_true")
    parser.add_argument("--data", type=Path, default=DATA, help="labelled questions (JSON Lines)")
    args = parser.parse_args()
    at = datetime.fromisoformat(args.at.replace("Z", "+00:00"))
    asyncio.run(
        run(
            args.data.read_bytes(),
            args.data,
            at if at.tzinfo else at.replace(tzinfo=UTC),
            args.show_misses,
        )
    )


if __name__ == "__main__":
    main()
