"""The API keeps to its OpenAPI document: schemathesis reads ``/api/openapi.json`` from
a running bot on 127.0.0.1 and sends every operation generated requests, valid and
invalid, checking each answer (no 5xx, documented statuses and content types, invalid
data refused, valid data accepted, no answer without a token).

The bot runs in a thread with its own event loop, because schemathesis' calls are
synchronous; a few examples per operation keep the run to well under a minute.
"""

from __future__ import annotations

import asyncio
import json
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from schemathesis import Case

from bots.api import MAX_LIST, token_hash
from bots.app import App, system_clock
from bots.openapi import openapi
from storage.queue import MAX_TIER
from tests.builders import bot_config, message

TOKEN = "token-openapi-admin"  # an admin's: every operation is open to the role
# Rules of time that a JSON schema cannot state: a snooze ends in the future and within
# the configured days, a notice is sent at a future time and is checked against the
# bot's channels and languages. Their 400s are documented; valid-looking data may get one.
_TIME_RULES = ["2xx", "400", "401", "403", "404", "409"]
# An image answer's data must be a real image of the ticket's platform, which a JSON
# schema cannot state either: base64 that decodes to anything else gets a 415.
_IMAGE_RULES = [*_TIME_RULES, "413", "415"]
CONFIG: dict[str, Any] = {
    "auth": {"openapi": {"bearer": {"bearer": TOKEN}}},
    # the token is given, never generated: a request without it is ignored_auth's test
    "generation": {"max-examples": 10, "allow-x00": False, "with-security-parameters": False},
    "phases": {"stateful": {"enabled": False}},
    "operations": [
        {
            "include-name": [
                "POST /api/tickets/{id}/snooze",
                "POST /api/broadcasts",
                "POST /api/broadcasts/{id}/send",
                # a window's bounds are free text a schema cannot check (ISO dates)
                "GET /api/reports",
            ],
            "checks": {"positive_data_acceptance": {"expected-statuses": _TIME_RULES}},
        },
        {
            "include-name": ["POST /api/attachments"],
            "checks": {"positive_data_acceptance": {"expected-statuses": _IMAGE_RULES}},
        },
    ],
}


class RunningBot:
    """A bot on 127.0.0.1 in a thread of its own, with an admin and three tickets."""

    def __init__(self, tmp_path: Path) -> None:
        self.config = bot_config(tmp_path)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.app: App | None = None

    def __enter__(self) -> RunningBot:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(timeout=120)
        return self

    def __exit__(self, *_exc: object) -> None:
        if self.app is not None:
            asyncio.run_coroutine_threadsafe(self.app.stop(), self.loop).result(timeout=60)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()

    async def _start(self) -> None:
        self.app = App(self.config)
        await self.app.start()
        assert self.app.tickets is not None and self.app.pipeline is not None
        await self.app.tickets.add_agent("root", "admin", token_hash(TOKEN), system_clock())
        for i in range(3):
            chat = f"openapi-user-{i}"
            await self.app.pipeline.dispatch(message("/ticket help", chat_id=chat))

    @property
    def url(self) -> str:
        assert self.app is not None
        return self.app.url


@pytest.fixture(scope="module")
def running_bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningBot]:
    with RunningBot(tmp_path_factory.mktemp("openapi")) as bot:
        yield bot


# the document as the bot serves it with the default configuration; the first test
# checks that /api/openapi.json is exactly this (schemathesis' lazy loader, which could
# read it from the running bot, does not work with this pytest)
DOCUMENT = openapi(max_snooze_minutes=30 * 24 * 60, max_list=MAX_LIST, max_tier=MAX_TIER)
schema = schemathesis.openapi.from_dict(DOCUMENT, config=schemathesis.Config.from_dict(CONFIG))


def test_the_bot_serves_the_document_under_test(running_bot: RunningBot) -> None:
    with urllib.request.urlopen(f"{running_bot.url}/api/openapi.json", timeout=10) as answer:
        assert json.load(answer) == DOCUMENT


@schema.parametrize()
def test_every_operation_keeps_to_the_document(case: Case, running_bot: RunningBot) -> None:
    case.call_and_validate(base_url=running_bot.url)
