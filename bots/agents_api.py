"""``/api/agents`` for admins: list the agents, disable one, rotate a token.

A leaked or lost token is the case this is for: ``rotate`` answers the new token once
(it is stored only hashed), ``disable`` locks the agent out of the API and the staff
chat. Both hold from the very next request, because the token check reads the agents
table on every call (:meth:`bots.api.AgentApi._agent`).
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from aiohttp import web

from bots.api import token_hash
from bots.http_json import answer, refusal
from bots.records_json import plain
from storage.agents import AgentAdmin, AgentRecord

Handler = Callable[[web.Request, AgentRecord], Awaitable[web.StreamResponse]]
Guard = Callable[[Handler, str], Callable[..., Any]]
Clock = Callable[[], datetime]
NAME = "/api/agents/{name:[^/]{1,128}}"


def new_token() -> str:
    """A 256-bit random API token, URL-safe (``socialdesk agents add`` and ``rotate``)."""
    return secrets.token_urlsafe(32)


class AgentsApi:
    """aiohttp routes for admins; ``guard`` is the agent API's token check."""

    def __init__(self, admin: AgentAdmin, guard: Guard, clock: Clock) -> None:
        self.admin = admin
        self.guard = guard
        self.clock = clock

    def __repr__(self) -> str:
        return "AgentsApi(/api/agents)"

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/api/agents", self.guard(self._list, "admin")),
            web.post(NAME + "/disable", self.guard(self._disable, "admin")),
            web.post(NAME + "/rotate", self.guard(self._rotate, "admin")),
        ]

    async def _list(self, _request: web.Request, _agent: AgentRecord) -> web.StreamResponse:
        return answer({"agents": plain(await self.admin.everyone())})

    async def _disable(self, request: web.Request, agent: AgentRecord) -> web.StreamResponse:
        name = request.match_info["name"]
        if name == agent.name:
            raise refusal(409, "you cannot disable yourself; another admin can")
        done = await self.admin.disable(name, self.clock())
        if done is None:
            raise refusal(404, f"no agent called {name!r}")
        if not done:
            raise refusal(409, f"{name} is disabled already")
        return answer({"name": name, "disabled": True})

    async def _rotate(self, request: web.Request, _agent: AgentRecord) -> web.StreamResponse:
        name = request.match_info["name"]
        token = new_token()
        if not await self.admin.rotate(name, token_hash(token), self.clock()):
            raise refusal(404, f"no agent called {name!r}")
        response = answer({"name": name, "token": token})
        response.headers["Cache-Control"] = "no-store"  # shown once, kept nowhere
        return response
