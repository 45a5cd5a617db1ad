"""Where the X channel keeps what must outlive the process: poll positions and the
progress of long threads."""

from __future__ import annotations

from typing import Protocol


class Cursors(Protocol):
    """Named values that outlive the process (``storage.cursors.CursorStore``).

    ``get`` returns ``None`` for a key never set; ``set`` replaces the value. Both may
    raise the storage's errors; the adapter then retries its poll later.
    """

    async def get(self, key: str) -> str | None: ...

    async def set(self, key: str, value: str) -> None: ...
