"""Helpers for the broadcast tests: notices, subscribers in bulk, a simulated kill."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert
from sqlalchemy.engine import Connection

from bots.app import App
from scheduler.runtime import RUNNING
from storage.models import Identity, Subscription
from storage.store import Store

IDENT = Identity.__table__
SUB = Subscription.__table__


def notice_toml(**fields: Any) -> str:
    """A notice file's text; ``fields`` override the defaults (TOML via JSON literals)."""
    data: dict[str, Any] = {
        "title": "NOVA listing",
        "text": {"en": "NOVA lists on 1 December.", "de": "NOVA startet am 1. Dezember."},
        "targets": {"subscribers": {}},
    }
    data.update(fields)
    return _toml(data)


def _toml(data: dict[str, Any]) -> str:
    return "".join(f"{key} = {_value(value)}\n" for key, value in data.items())


def _value(value: Any) -> str:
    """A TOML value; tables are written inline, which TOML allows anywhere."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, datetime):
        return value.isoformat()
    return json.dumps(value, ensure_ascii=False)


def write_notice(tmp_path: Path, **fields: Any) -> Path:
    path = tmp_path / "notice.toml"
    path.write_text(notice_toml(**fields), encoding="utf-8")
    return path


async def add_subscribers(
    store: Store, channel: str, chat_ids: Iterable[int | str], language: str = "en"
) -> None:
    """Users who sent /subscribe, in bulk (10,000 in one transaction)."""
    await store.write(_add, channel, [str(c) for c in chat_ids], language)


def _add(conn: Connection, channel: str, chats: list[str], language: str) -> None:
    now = datetime.now(UTC)
    for chat in chats:
        identity = conn.execute(
            insert(IDENT).returning(IDENT.c.id),
            {"channel": channel, "platform_user_id": chat, "display_name": "", "created_at": now},
        ).scalar_one()
        conn.execute(
            insert(SUB),
            {
                "identity_id": identity,
                "channel": channel,
                "chat_id": chat,
                "language": language,
                "created_at": now,
            },
        )


async def crash(app: App) -> None:
    """Stop ``app`` the way a killed process stops: sends in flight are abandoned and
    their outcomes never recorded, claimed rows stay 'sending'."""
    sender = app.sender
    assert sender is not None and app.store is not None
    if sender._task is not None:
        sender._task.cancel()
    for task in list(sender._inflight):
        task.cancel()
    await asyncio.gather(
        *(t for t in [sender._task, *sender._inflight] if t), return_exceptions=True
    )
    sender._outcomes.clear()  # never written: the process died before its next step
    for channel in app.channels.values():
        await channel.stop()
    if app.scheduler is not None:
        await app.scheduler.stop()
    if app.runtime is not None:
        RUNNING.detach(app.runtime)
    assert app.reloader is not None
    await app.reloader.stop()
    if app.server is not None:
        await app.server.stop()
    await app.store.close()
    app.store = None
