"""Admins take a token away: ``socialdesk agents list|disable|rotate`` and
``/api/agents``. A rotated or disabled token is refused on its very next call, also
when the change comes from the command line, another process than the bot's."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from typer.testing import CliRunner

from bots.api import token_hash
from bots.app import App, system_clock
from bots.cli import app as cli
from tests.builders import bot_config

runner = CliRunner()
STAFF = (("root", "admin"), ("ana", "agent"), ("sue", "supervisor"), ("mia", "manager"))


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[App]:
    async with App(bot_config(tmp_path)) as app:
        assert app.tickets is not None
        for name, role in STAFF:
            await app.tickets.add_agent(name, role, token_hash(f"token-{name}"), system_clock())
        yield app


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def me(http: aiohttp.ClientSession, bot: App, token: str) -> int:
    async with http.get(f"{bot.url}/api/agents/me", headers=auth(token)) as response:
        return response.status


async def command(tmp_path: Path, *args: str) -> tuple[int, str]:
    """``socialdesk agents ...`` on the bot's database, as an admin runs it beside the
    bot (in a thread: the command runs its own event loop)."""
    config = tmp_path / "cli.toml"
    config.write_text(f"[database]\nurl = 'sqlite:///{tmp_path / 'bot.db'}'\n")
    result = await asyncio.to_thread(runner.invoke, cli, ["agents", *args, "--config", str(config)])
    return result.exit_code, result.output


async def test_a_token_rotated_on_the_command_line_is_refused_on_its_next_call(
    bot: App, tmp_path: Path
) -> None:
    async with aiohttp.ClientSession() as http:
        assert await me(http, bot, "token-ana") == 200  # the bot has just seen it
        code, output = await command(tmp_path, "rotate", "ana")
        assert code == 0, output
        new = output.strip().splitlines()[-1]
        assert await me(http, bot, "token-ana") == 401
        assert await me(http, bot, new) == 200
        code, output = await command(tmp_path, "rotate", "zed")
        assert code == 1 and "no agent called 'zed'" in output


async def test_an_agent_disabled_on_the_command_line_is_locked_out_at_once(
    bot: App, tmp_path: Path
) -> None:
    assert bot.tickets is not None
    await bot.tickets.link_account("ana", "telegram", "501")
    async with aiohttp.ClientSession() as http:
        assert await me(http, bot, "token-ana") == 200
        code, output = await command(tmp_path, "disable", "ana")
        assert code == 0, output
        assert await me(http, bot, "token-ana") == 401
    # nor do their presses and replies in the staff chat act as them any more
    assert await bot.tickets.agent_by_account("telegram", "501") is None
    code, output = await command(tmp_path, "disable", "ana")
    assert code == 1 and "disabled already" in output
    code, output = await command(tmp_path, "list")
    assert code == 0
    rows = {line.split("\t")[0]: line.split("\t") for line in output.splitlines()[1:]}
    assert rows["ana"][1:4] == ["agent", "1", "disabled"] and rows["ana"][4] == "telegram:501"
    assert rows["root"][3] == "offline" and "token" not in output.lower()


async def test_admins_rotate_and_disable_over_the_api(bot: App) -> None:
    api = f"{bot.url}/api/agents"
    async with aiohttp.ClientSession() as http:
        async with http.get(api, headers=auth("token-root")) as response:
            listed = await response.json()
        assert response.status == 200
        assert [a["name"] for a in listed["agents"]] == ["ana", "mia", "root", "sue"]
        assert all("token_hash" not in a for a in listed["agents"])
        assert await me(http, bot, "token-sue") == 200
        async with http.post(f"{api}/sue/rotate", headers=auth("token-root")) as response:
            rotated = await response.json()
        assert response.status == 200 and response.headers["Cache-Control"] == "no-store"
        assert await me(http, bot, "token-sue") == 401
        assert await me(http, bot, rotated["token"]) == 200
        async with http.post(f"{api}/ana/disable", headers=auth("token-root")) as response:
            assert response.status == 200
        assert await me(http, bot, "token-ana") == 401
        async with http.post(f"{api}/ana/disable", headers=auth("token-root")) as response:
            assert response.status == 409
        async with http.post(f"{api}/root/disable", headers=auth("token-root")) as response:
            assert response.status == 409 and "yourself" in (await response.json())["error"]
        async with http.post(f"{api}/zed/rotate", headers=auth("token-root")) as response:
            assert response.status == 404
        async with http.get(api, headers=auth("token-root")) as response:
            states = {a["name"]: a["disabled"] for a in (await response.json())["agents"]}
        assert states == {"ana": True, "mia": False, "root": False, "sue": False}


@pytest.mark.parametrize("name", ["ana", "sue", "mia"])
async def test_only_admins_may_list_disable_or_rotate(bot: App, name: str) -> None:
    api = f"{bot.url}/api/agents"
    async with aiohttp.ClientSession() as http:
        async with http.get(api, headers=auth(f"token-{name}")) as response:
            assert response.status == 403
            assert (await response.json())["error"] == "this needs the admin role"
        for verb in ("disable", "rotate"):
            async with http.post(f"{api}/root/{verb}", headers=auth(f"token-{name}")) as r:
                assert r.status == 403
        async with http.get(api) as response:
            assert response.status == 401
        assert await me(http, bot, "token-root") == 200  # nothing was taken from root
