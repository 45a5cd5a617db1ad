"""The one aiohttp server: health, the web chat, and whatever routes channels bring."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable

from aiohttp import web

from bots.hardening import LARGEST_BODY, harden

Health = Callable[[], dict[str, object]]


def build_server(routes: Iterable[web.RouteDef], health: Health) -> web.Application:
    """An application with ``GET /healthz`` and the given routes mounted, every answer
    hardened (security headers, a body cap per route: :mod:`bots.hardening`)."""
    app = web.Application(client_max_size=LARGEST_BODY, middlewares=[harden])

    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response(health())

    app.router.add_get("/healthz", healthz)
    app.router.add_routes(list(routes))
    return app


class Server:
    """Runs an aiohttp application on our event loop (never ``web.run_app``)."""

    def __init__(self, app: web.Application, host: str, port: int) -> None:
        self.app = app
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None

    def __repr__(self) -> str:
        return f"Server({self.host}:{self.port})"

    async def start(self) -> None:
        # a long search URL reaches the API, which refuses it with its JSON 400, rather
        # than aiohttp's plain-text one at 8 KiB
        self._runner = web.AppRunner(
            self.app, access_log=None, max_line_size=65536, max_field_size=16384
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        if self.port == 0:  # an ephemeral port (tests): read back what was bound
            server = site._server
            assert isinstance(server, asyncio.Server)  # a TCPSite listens on a socket
            self.port = server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
