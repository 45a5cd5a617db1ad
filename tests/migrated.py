"""A new SQLite database starts as a copy of one migrated once per test session.

Every bot a test starts, and every CLI command it runs, migrates its database first
(``storage.migrate.upgrade``). From nothing that is 19 migrations, a third of a second
each time on this machine; the suite did it about 500 times. The first run of the
migrations is real (:func:`template`), and every later new SQLite file starts as a copy
of its result, after which the real ``upgrade`` still runs on it (at head it only
checks the version). A file that exists already, a PostgreSQL URL or a revision other
than head goes to the real migrations unchanged, so the tests of upgrades themselves
(and of bots started on older or broken files) see exactly what they did.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.engine import make_url

from storage import migrate


def template(folder: Path) -> Path:
    """An empty database at head, migrated from nothing by the real migrations."""
    path = folder / "migrated.db"
    migrate.upgrade(f"sqlite:///{path}")
    return path


def new_sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL that does not exist yet (``None`` for anything else)."""
    parsed = make_url(url)
    database = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or database in ("", ":memory:") or parsed.query:
        return None
    path = Path(database).expanduser()
    return None if path.exists() else path


def from_template(
    migrated: Path, real: Callable[[str, str], None] = migrate.upgrade
) -> Callable[..., None]:
    """``upgrade`` that starts a new SQLite file as a copy of ``migrated``."""

    def upgrade(url: str, revision: str = "head") -> None:
        path = new_sqlite_file(url) if revision == "head" else None
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(migrated, path)
            except OSError:  # the real migrations meet the real error
                with contextlib.suppress(OSError):
                    path.unlink(missing_ok=True)
        real(url, revision)

    return upgrade
