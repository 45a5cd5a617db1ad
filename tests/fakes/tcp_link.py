"""A TCP link on 127.0.0.1 that a test can cut and mend: a network failure between a
bot and a real server (Redis), without stopping the server the other bots share."""

from __future__ import annotations

import asyncio
import contextlib


class TcpLink:
    """Forwards connections from a port of 127.0.0.1 to ``host:port``.

    ``cut()`` stops listening and drops every connection, as a failed network does;
    ``mend()`` listens again on the same port.
    """

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    def __repr__(self) -> str:
        return f"TcpLink(:{self.port} -> {self.target[1]}, open={self._server is not None})"

    async def __aenter__(self) -> TcpLink:
        await self.mend()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.cut()

    async def mend(self) -> None:
        self._server = await asyncio.start_server(
            self._connect, "127.0.0.1", self.port, reuse_address=True
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def cut(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.close()
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()
        if server is not None:
            await server.wait_closed()

    async def _connect(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self._writers |= {writer, up_writer}
        await asyncio.gather(
            self._pipe(reader, up_writer), self._pipe(up_reader, writer), return_exceptions=True
        )

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            self._writers.discard(writer)
            with contextlib.suppress(Exception):
                writer.transport.abort()
