"""Shared fixtures: databases (SQLite always, PostgreSQL when configured), a Redis key
space (when configured), a clock."""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from redis.asyncio import Redis
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

import bots.app
from storage import migrate
from storage.store import Store
from tests import migrated
from tests.builders import VECTORS
from tests.fakes.discord import FakeDiscord
from tests.fakes.telegram import FakeTelegram
from tests.fakes.x import CONSUMER_KEY, CONSUMER_SECRET, FakeX

PG_ENV = "SOCIALDESK_TEST_DATABASE_URL"
REDIS_ENV = "SOCIALDESK_TEST_REDIS_URL"


class FakeClock:
    """A clock tests move by hand; handlers only ever see this through ``ctx.now``."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 11, 23, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="session")
def vector_cache() -> Path:
    """The embedding cache of tests that are not about the cache (``builders.VECTORS``):
    the guard's anchors and a base's texts are embedded once per checkout, not once
    per test (15-30 s each on two cores); the tests of the cache keep their own."""
    return VECTORS


def _postgres_url() -> str:
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(
            f"PostgreSQL tests need {PG_ENV} (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)"
        )
    return url


@pytest.fixture(scope="session", autouse=True)
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """New SQLite databases start as copies of one migrated at the session's start
    (``tests/migrated.py``): bots, CLI commands and ``db_url`` alike."""
    path = migrated.template(tmp_path_factory.mktemp("sqlite-template"))
    upgrade = migrated.from_template(path)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(migrate, "upgrade", upgrade)  # the CLI commands import it when run
        patch.setattr(bots.app, "upgrade", upgrade)
        yield path


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database: a SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'socialdesk.db'}"
        migrate.upgrade(url)
        yield url
        return
    base = _postgres_url()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    rendered = url.render_as_string(hide_password=False)
    try:
        migrate.upgrade(rendered)
        yield rendered
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
async def store(db_url: str) -> AsyncIterator[Store]:
    s = Store.open(db_url)
    yield s
    await s.close()


@dataclass(frozen=True)
class RedisSpace:
    """A real Redis and a key prefix no other test uses (its keys deleted after)."""

    url: str
    prefix: str


@pytest.fixture
async def redis_space() -> AsyncIterator[RedisSpace]:
    url = os.environ.get(REDIS_ENV)
    if not url:
        pytest.skip(f"Redis tests need {REDIS_ENV} (e.g. redis://127.0.0.1:6379/0)")
    space = RedisSpace(url, f"test-{uuid.uuid4().hex[:12]}")
    yield space
    client = Redis.from_url(url)
    try:
        keys = [key async for key in client.scan_iter(f"{space.prefix}:*")]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()


# --- the fake platforms, with the bot's credentials in the environment -----------------


@pytest.fixture
async def tg(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeTelegram]:
    monkeypatch.setenv("SOCIALDESK_TELEGRAM_TOKEN", "123456:TEST")
    async with FakeTelegram() as fake:
        yield fake


@pytest.fixture
async def dc(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    """The fake Discord; a bot's ``[discord]`` section takes ``dc.settings``."""
    monkeypatch.setenv("SOCIALDESK_DISCORD_TOKEN", "discord-test-token")
    async with FakeDiscord() as fake:
        yield fake


@pytest.fixture
async def x(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeX]:
    monkeypatch.setenv("SOCIALDESK_X_CONSUMER_KEY", CONSUMER_KEY)
    monkeypatch.setenv("SOCIALDESK_X_CONSUMER_SECRET", CONSUMER_SECRET)
    monkeypatch.setenv("SOCIALDESK_X_ACCESS_TOKEN", "at-test")
    monkeypatch.setenv("SOCIALDESK_X_ACCESS_TOKEN_SECRET", "ats-test")
    monkeypatch.delenv("SOCIALDESK_X_BEARER_TOKEN", raising=False)
    async with FakeX() as fake:
        yield fake


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """A test that sets up the bot's logging leaves the root logger as it found it."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    logging.captureWarnings(False)
