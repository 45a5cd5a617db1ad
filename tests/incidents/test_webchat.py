"""An incident opened with the CLI, end to end through the web chat: the question gets
the incident's text instead of a ticket, and the resolution reaches the user once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bots.app import App
from handlers.texts import Texts
from tests.builders import bot_config, eventually
from tests.incidents.support import EXAMPLE, TRON_TEXT, config_file, socialdesk
from tests.webchat_client import chat_socket, new_session, next_frame

RESOLVED = Texts.load().get("incidents.resolved", "en")


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[App]:
    async with App(bot_config(tmp_path)) as app:
        yield app


async def ask(ws: aiohttp.ClientWebSocketResponse, frame_id: str, text: str) -> str:
    await ws.send_json({"type": "message", "id": frame_id, "text": text})
    return str((await next_frame(ws, "reply"))["text"])


async def test_an_open_incident_answers_instead_of_a_ticket_and_its_resolution_comes_once(
    bot: App, tmp_path: Path
) -> None:
    cfg = config_file(tmp_path, tmp_path / "bot.db")
    async with aiohttp.ClientSession() as http:
        cookie = await new_session(http, bot.url)
        async with chat_socket(http, bot.url, cookie) as ws:
            before = await ask(ws, "q0", "My deposit has not arrived, I sent USDT on TRON")
            assert "network confirmations" in before  # the FAQ's own answer, no incident yet

            opened = await socialdesk(
                "incident", "open", str(EXAMPLE), "--by", "ana", "-c", str(cfg)
            )
            assert opened.exit_code == 0, opened.output
            assert opened.output.strip() == "1"

            during = await ask(ws, "q1", "My deposit has not arrived, I sent USDT on TRON")
            assert during.startswith(TRON_TEXT)
            bare = await ask(ws, "q1b", "My deposit has not arrived")  # names no network
            assert bare.startswith(TRON_TEXT)
            again = await ask(ws, "q2", "my TRC20 deposit is still not credited")
            assert again.startswith(TRON_TEXT)
            other = await ask(ws, "q3", "My deposit has not arrived, I sent ETH on ERC20")
            assert "network confirmations" in other  # not a TRON deposit: the FAQ answers

        assert bot.tickets is not None and bot.store is not None
        assert not [o for o in await bot.store.outbox() if "Ticket #" in str(o.action)]

        listed = await socialdesk("incident", "list", "--json", "-c", str(cfg))
        assert '"affected": 1' in listed.output and '"status": "open"' in listed.output

        first = await socialdesk("incident", "resolve", "1", "--by", "ana", "-c", str(cfg))
        assert first.exit_code == 0 and "1 user(s)" in first.output
        second = await socialdesk("incident", "resolve", "1", "--by", "ben", "-c", str(cfg))
        assert second.exit_code == 1 and "resolved already" in second.output

        async def history() -> list[str]:
            async with chat_socket(http, bot.url, cookie) as ws:
                return [line["text"] for line in (await next_frame(ws, "history"))["lines"]]

        # the running bot's sender finds the rows the CLI enqueued at its next poll
        said = await eventually(history, lambda texts: RESOLVED in texts)
        assert said.count(RESOLVED) == 1

        after = [o for o in await bot.store.outbox() if RESOLVED in str(o.action)]
        assert len(after) == 1
        async with chat_socket(http, bot.url, cookie) as ws:
            await next_frame(ws, "history")
            back = await ask(ws, "q4", "My deposit has not arrived, I sent USDT on TRON")
            assert "network confirmations" in back  # resolved: the FAQ answers again
