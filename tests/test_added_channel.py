"""Adding a channel: the Pigeon test channel, registered with one line, works end to end.

``tests/pigeon`` (its settings, spec and adapter) and ``tests/fakes/pigeon.py`` are all
there is to it; configuration, notices, the agent API and the outbox learn of it from
the registry.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bots.api import token_hash
from bots.app import App, system_clock
from bots.config import ConfigError, load_config
from channels import registry
from handlers.broadcasts.notice import NoticeError, check_notice, parse_notice
from tests.builders import bot_config
from tests.fakes.pigeon import TOKEN, FakePigeon

ROOM = "room-general"


@pytest.fixture(autouse=True)
def pigeon_registered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "PACKAGES", (*registry.PACKAGES, "tests.pigeon"))  # the line
    monkeypatch.setenv("SOCIALDESK_PIGEON_TOKEN", TOKEN)


@pytest.fixture
async def pigeon() -> AsyncIterator[FakePigeon]:
    async with FakePigeon() as fake:
        yield fake


@pytest.fixture
async def bot(tmp_path: Path, pigeon: FakePigeon) -> AsyncIterator[App]:
    config = bot_config(
        tmp_path,
        webchat={"enabled": False},
        pigeon={"enabled": True, "base_url": pigeon.base_url},
        broadcasts={"require_approval": False},
    )
    async with App(config) as app:
        yield app


async def test_a_question_on_the_new_channel_is_answered(bot: App, pigeon: FakePigeon) -> None:
    assert set(bot.channels) == {"pigeon"}
    pigeon.say("dm-41", "41", "How do I reset my 2FA?")
    (answer,) = await pigeon.wait_sent(1, chat="dm-41")
    assert "2FA" in answer["text"] or "authenticator" in answer["text"].lower()


async def test_a_notice_goes_to_a_chat_of_the_new_channel(bot: App, pigeon: FakePigeon) -> None:
    assert bot.broadcaster is not None
    notice = parse_notice(
        {
            "title": "Maintenance",
            "text": {"en": "Withdrawals resume at 14:00 UTC."},
            "targets": {"pigeon": [{"chat": ROOM}]},
        }
    )
    record, _ = await bot.broadcaster.create(notice, "mia")
    outcome, _rows = await bot.broadcaster.send(record.id)
    assert outcome == "started"
    (post,) = await pigeon.wait_sent(1, chat=ROOM)
    assert post["text"].startswith("Withdrawals resume at 14:00 UTC.")
    assert record.short_id in post["text"]  # the footer users quote to verify it


async def test_an_agents_answer_reaches_the_user_on_the_new_channel(
    bot: App, pigeon: FakePigeon
) -> None:
    assert bot.tickets is not None
    await bot.tickets.add_agent("ana", "agent", token_hash("token-ana"), system_clock())
    pigeon.say("dm-42", "42", "/ticket my card payment was declined")
    await pigeon.wait_sent(1, chat="dm-42")  # "we are here", with the ticket number
    assert await bot.tickets.get(1) is not None
    api, auth = f"{bot.url}/api/tickets", {"Authorization": "Bearer token-ana"}
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{api}/1/claim", headers=auth) as r:
            assert r.status == 200
        body = {"text": "Your card issuer declined it; please try another card."}
        async with http.post(f"{api}/1/reply", json=body, headers=auth) as r:
            assert r.status == 202
    await pigeon.wait_text(body["text"], chat="dm-42")


def test_the_new_channel_is_configured_and_checked_like_the_others(tmp_path: Path) -> None:
    file = tmp_path / "bot.toml"
    file.write_text("[pigeon]\nenabled = true\nbase_url = 'http://127.0.0.1:1'\nwings = 2\n")
    with pytest.raises(ConfigError, match=r"pigeon\.wings: unknown key"):
        load_config(file)
    file.write_text("[pigeon]\nenabled = true\n")
    with pytest.raises(ConfigError, match="SOCIALDESK_PIGEON_TOKEN"):
        load_config(file, environ={})
    notice = parse_notice(
        {"title": "t", "text": {"en": "hi"}, "targets": {"pigeon": [{"chat": "general"}]}}
    )
    with pytest.raises(NoticeError, match=r"targets\.pigeon\.0\.chat: 'general' is not a chat id"):
        check_notice(
            notice,
            channels={"pigeon"},
            languages=("en",),
            now=system_clock(),
            render=lambda t, _l: t,
        )
