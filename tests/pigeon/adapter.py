"""The Pigeon adapter: long-polls updates, sends one POST per message."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime
from typing import Any

import aiohttp

from channels.base import (
    Action,
    ChatKind,
    DeliveryError,
    Dispatch,
    Message,
    Reply,
)
from tests.pigeon import SPEC, PigeonSettings


def to_message(update: dict[str, Any]) -> Message:
    """A Pigeon update as a :class:`Message` (pure: no I/O)."""
    private = not str(update["chat"]).startswith("room-")
    return Message(
        channel=SPEC.name,
        chat_id=str(update["chat"]),
        chat_kind=ChatKind.PRIVATE if private else ChatKind.GROUP,
        sender_id=str(update["user"]),
        text=str(update.get("text", "")),
        platform_message_id=str(update["id"]),
        received_at=datetime.fromtimestamp(float(update["date"]), UTC),
        display_name=str(update.get("name", "")),
        callback=update.get("press"),
        addressed=private or bool(update.get("mention")),
    )


class PigeonAdapter:
    """A :class:`channels.base.Channel` for the Pigeon service."""

    name = SPEC.name
    capabilities = SPEC.capabilities

    def __init__(self, settings: PigeonSettings, token: str) -> None:
        self.settings = settings
        self._headers = {"Authorization": f"Bearer {token}"}
        self._http: aiohttp.ClientSession | None = None
        self._poll: asyncio.Task[None] | None = None

    async def start(self, dispatch: Dispatch) -> None:
        self._http = aiohttp.ClientSession(headers=self._headers)
        self._poll = asyncio.create_task(self._polling(dispatch))

    async def stop(self) -> None:
        if self._poll is not None:
            self._poll.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poll
        if self._http is not None:
            await self._http.close()

    async def _polling(self, dispatch: Dispatch) -> None:
        assert self._http is not None
        offset = 0
        while True:
            url = f"{self.settings.base_url}/updates"
            try:
                async with self._http.get(url, params={"offset": offset}) as response:
                    updates = (await response.json())["updates"]
            except aiohttp.ClientError:
                await asyncio.sleep(0.2)
                continue
            for update in updates:
                await dispatch(to_message(update))
                offset = int(update["id"]) + 1

    async def perform(self, action: Action) -> str | None:
        if not isinstance(action, Reply):
            return None  # Pigeon has no deletes, restrictions or private invitations
        assert self._http is not None
        body = {
            "chat": action.chat_id,
            "text": action.text,
            "buttons": [[b.label for b in row] for row in action.buttons],
        }
        try:
            async with self._http.post(f"{self.settings.base_url}/messages", json=body) as r:
                if r.status != 200:
                    raise DeliveryError(f"pigeon answered {r.status}", permanent=r.status < 500)
                return str((await r.json())["id"])
        except aiohttp.ClientError as exc:
            raise DeliveryError(f"pigeon unreachable: {exc}") from exc
