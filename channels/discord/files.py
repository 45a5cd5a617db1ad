"""Files on Discord: a user's attachment fetched from its CDN URL, an agent's image
sent as a message with the file.

The URL comes from the gateway, but it is still a URL a client handed over: it is
fetched only from Discord's CDN hosts or from the host of ``discord.api_base`` (a
proxy, or a local fake), never from wherever it points.
"""

from __future__ import annotations

import io
from urllib.parse import urlsplit

import discord

from channels.base import Attachment, DeliveryError, FetchError, FileSource, Image
from channels.discord.settings import DiscordSettings

CDN_HOSTS = ("cdn.discordapp.com", "media.discordapp.net")


class DiscordFiles:
    """The adapter's file half (mixed into ``DiscordAdapter``)."""

    settings: DiscordSettings
    _client: discord.Client | None
    _files: FileSource | None = None

    def use_files(self, files: FileSource) -> None:
        """Where the images agents send are read from."""
        self._files = files

    async def fetch_attachment(self, attachment: Attachment, limit: int) -> bytes:
        """A user's attachment (see ``handlers.attachments.Fetcher``)."""
        client = self._client
        url = attachment.ref or ""
        parts = urlsplit(url)
        hosts = (*CDN_HOSTS, urlsplit(self.settings.api_base).hostname)
        if client is None:
            raise FetchError("discord is not started")
        if parts.scheme not in ("https", "http") or parts.hostname not in hosts:
            raise FetchError(f"not a Discord attachment URL: {url[:100]!r}")
        try:
            data = await client.http.get_from_cdn(url)
        except (discord.HTTPException, OSError) as exc:
            raise FetchError(f"discord: {exc}") from exc
        if len(data) > limit:
            raise FetchError(f"{len(data)} bytes", too_large=True)
        return data

    async def send_image(self, client: discord.Client, action: Image) -> str:
        """Send the kept image; discord.py's errors are the caller's to map."""
        stored = await self._files.load(action.attachment_id) if self._files else None
        if stored is None:
            raise DeliveryError(f"no kept file {action.attachment_id}", permanent=True)
        channel = client.get_partial_messageable(int(action.chat_id))
        file = discord.File(io.BytesIO(stored.data), filename=stored.name)
        if action.idempotency_key is None:
            sent = await channel.send(file=file)
        else:  # a retry of a send Discord did returns that message (enforce_nonce)
            sent = await channel.send(file=file, nonce=action.idempotency_key)
        return str(sent.id)
