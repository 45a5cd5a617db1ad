"""Answer quality and speed on labelled questions (``bench/data/questions.jsonl``).

Each line holds a question's ``text``, its ``language`` and the ``expected`` ref
(``"airdrop:abc-launch"``) or ``"none"`` when the right behaviour is to name no entry
(something the base does not hold, chatter). The questions go through the same router
``socialdesk ask`` uses, one at a time, in one process, as of one instant.

Printed: the share answered with the right ref (for ``none``: no ref at all), the share
in the right language, the share of wrong confident answers (a ref that is not the
expected one) and questions per second. ``--show-misses`` lists what went wrong.

    PYTHONPATH=. python bench/answers.py [--at 2026-11-23T12:00:00Z] [--show-misses]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from channels.base import ChatKind, Message
from handlers.answers import AnswerStage, KnowledgeBase, KnowledgeSettings
from handlers.commands import CommandStage
from handlers.context import Brand, Context
from handlers.conversation import ConversationStage
from handlers.greeting import GreetingStage
from handlers.language import UI_LANGUAGES, LanguageDetector, choose_language
from handlers.router import Router
from handlers.texts import Texts

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "bench" / "data" / "questions.jsonl"
EXAMPLE = ROOT / "docs" / "knowledge" / "example.toml"


class Asker:
    """The router and language choice of ``socialdesk ask``, without a store."""

    def __init__(self, knowledge: Path) -> None:
        base = KnowledgeBase([knowledge])
        base.refresh()
        self.brand = Brand(languages=UI_LANGUAGES)
        self.texts = Texts.load()
        self.detector = LanguageDetector()
        self.router = Router(
            ConversationStage(),
            CommandStage(),
            AnswerStage(base, KnowledgeSettings(paths=[knowledge])),
            GreetingStage(),
        )

    async def ask(self, text: str, now: datetime) -> tuple[str, list[str]]:
        message = Message(channel="bench", chat_id="u1", chat_kind=ChatKind.PRIVATE,
                          sender_id="u1", text=text, platform_message_id="m",
                          received_at=now)
        language = choose_language(text, chosen=None, hint=None, supported=self.brand.languages,
                                   default=self.brand.default_language, detector=self.detector)
        ctx = Context(now=now, language=language, texts=self.texts, brand=self.brand)
        decision = await self.router.route(message, ctx)
        return decision.language, decision.refs


async def run(at: datetime, show_misses: bool) -> None:
    items = [json.loads(line) for line in DATA.read_text("utf-8").splitlines() if line.strip()]
    asker = Asker(EXAMPLE)
    await asker.ask("warm up", at)  # builds the language models and the index once
    results = []
    started = time.perf_counter()
    for item in items:
        results.append(await asker.ask(item["text"], at))
    elapsed = time.perf_counter() - started

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
            print(f"  miss [{item['language']}->{language}] {item['text']!r}: "
                  f"expected {item['expected']}, got {refs or 'no ref'}")
    n = len(items)
    print(f"questions: {n} in {len(by_lang)} languages, as of {at.isoformat()}")
    print(f"right ref:        {right_ref / n:6.1%}  (target >= 90%)")
    print(f"right language:   {right_lang / n:6.1%}  (target >= 97%)")
    print(f"wrong confident:  {wrong_confident / n:6.1%}  (target <= 2%)")
    print(f"questions/s:      {n / elapsed:6.0f}  (target >= 500, one process)")
    print("right ref by language: " + ", ".join(
        f"{lang} {hits[lang] / count:.0%}" for lang, count in sorted(by_lang.items())))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--at", default="2026-11-23T12:00:00+00:00",
                        help="the instant the questions are asked (ISO 8601)")
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()
    at = datetime.fromisoformat(args.at.replace("Z", "+00:00"))
    asyncio.run(run(at if at.tzinfo else at.replace(tzinfo=UTC), args.show_misses))


if __name__ == "__main__":
    main()
