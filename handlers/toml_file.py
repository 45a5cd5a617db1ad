"""Reading a TOML file that a person wrote: one line that says what is wrong with it.

Configuration, notices and incidents are all files people edit by hand; each names
the file and the problem (unreadable, not UTF-8, not TOML) the same way, so a command
can exit 2 with that line instead of a traceback.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any


class TomlFileError(Exception):
    """The file cannot be read as TOML; the message is one line naming it."""


def read_toml(path: Path) -> dict[str, Any]:
    """The file's tables; raises :class:`TomlFileError`."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise TomlFileError(f"{path}: cannot read the file ({exc.strerror})") from None
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise TomlFileError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except tomllib.TOMLDecodeError as exc:
        raise TomlFileError(f"{path}: not valid TOML: {exc}") from None
