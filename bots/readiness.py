"""``/readyz``: can this process do its work now? ``/healthz`` only says it is up.

A load balancer or orchestrator sends traffic to a process that answers 200 here, and
takes it away on 503, whose body names what failed (``{"failed": ["database"]}``); the
cause goes to the log, never to the caller. Each check is bounded by a timeout, so a
database that hangs is a failure within seconds, not a hung probe.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from aiohttp import web
from sqlalchemy import text
from sqlalchemy.engine import Connection

from bots.metrics import Metrics, metrics_route
from storage.store import Store

if TYPE_CHECKING:
    from bots.config import MetricsSettings

log = logging.getLogger(__name__)

Check = Callable[[], Awaitable[None]]
TIMEOUT = 3.0  # seconds each check may take


def database_check(store: Store) -> Check:
    """One round trip to the database, on the store's read path."""

    def ping(conn: Connection) -> None:
        conn.execute(text("SELECT 1")).scalar_one()

    async def check() -> None:
        await store.read(ping)

    return check


def readiness_route(checks: dict[str, Check]) -> web.RouteDef:
    """``GET /readyz``: 200 when every check passes, else 503 naming the failures."""

    async def readyz(_request: web.Request) -> web.Response:
        results = await asyncio.gather(*(_run(name, c) for name, c in checks.items()))
        failed = [name for name, ok in zip(checks, results, strict=True) if not ok]
        if failed:
            return web.json_response({"status": "unavailable", "failed": failed}, status=503)
        return web.json_response({"status": "ready", "checked": list(checks)})

    return web.get("/readyz", readyz)


async def _run(name: str, check: Check) -> bool:
    try:
        async with asyncio.timeout(TIMEOUT):
            await check()
    except Exception as exc:
        log.warning("readyz: %s failed: %s", name, f"{type(exc).__name__}: {exc}"[:300])
        return False
    return True


def operations_routes(
    settings: MetricsSettings, metrics: Metrics, store: Store
) -> list[web.RouteDef]:
    """``/readyz`` (the database), and ``/metrics`` unless ``[metrics] enabled = false``;
    ``/healthz`` is the server's own (:func:`bots.server.build_server`)."""
    routes = [readiness_route({"database": database_check(store)})]
    if settings.enabled:
        token = os.environ.get(settings.token_env) or None
        routes.append(metrics_route(metrics, store, token))
    return routes
