"""Vectors of a knowledge base, kept on disk by content hash.

A restart or a hot reload of an unchanged base must cost nothing, and a base whose
one FAQ changed must embed that FAQ alone. So every text's vector is stored under the
hash of (model, kind, text); a set of texts is one ``.npz`` file named by the hash of
its keys, and a new set reuses the vectors of the newest files before asking the model.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from handlers.understanding.engine import Engine

log = logging.getLogger(__name__)

KEEP_FILES = 4  # older sets of one model are deleted beyond this many


class VectorCache:
    """``vectors(engine, texts, passage=...)``: from disk when known, else embedded and
    saved. A cache that cannot be read or written only costs time, never an answer."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder

    def __repr__(self) -> str:
        return f"VectorCache({self.folder})"

    def vectors(self, engine: Engine, texts: Sequence[str], *, passage: bool) -> np.ndarray:
        kind = "passage" if passage else "query"
        keys = [_key(engine.name, kind, text) for text in texts]
        name = hashlib.sha256("".join(keys).encode()).hexdigest()[:32]
        prefix = _safe(engine.name)
        known = self._read(prefix, name)
        # each text the cache lacks, once (a base repeats phrasings across entries)
        missing = list(
            {k: i for i, k in reversed(list(enumerate(keys))) if k not in known}.values()
        )
        if missing:
            fresh = (
                engine.passages([texts[i] for i in missing])
                if passage
                else engine.queries([texts[i] for i in missing])
            )
            for row, index in enumerate(missing):
                known[keys[index]] = fresh[row]
        out = np.zeros((len(texts), engine.dim), dtype=np.float32)
        for index, key in enumerate(keys):
            out[index] = known[key]
        if missing or not self._path(prefix, name).exists():
            self._write(prefix, name, keys, out)
        return out

    def _path(self, prefix: str, name: str) -> Path:
        assert self.folder is not None
        return self.folder / f"{prefix}-{name}.npz"

    def _read(self, prefix: str, name: str) -> dict[str, np.ndarray]:
        """The vectors of this exact set if saved, else those of the newest sets."""
        if self.folder is None or not self.folder.is_dir():
            return {}
        exact = self._path(prefix, name)
        files = [exact] if exact.exists() else self._newest(prefix)
        known: dict[str, np.ndarray] = {}
        for path in files:
            try:
                with np.load(path, allow_pickle=False) as data:
                    known.update(zip(data["keys"].tolist(), data["vectors"], strict=True))
            except (OSError, ValueError, KeyError) as exc:
                log.warning("embedding cache %s unreadable (%s); embedding again", path, exc)
        return known

    def _newest(self, prefix: str) -> list[Path]:
        assert self.folder is not None
        files = sorted(self.folder.glob(f"{prefix}-*.npz"), key=_mtime, reverse=True)
        return files[:KEEP_FILES]

    def _write(self, prefix: str, name: str, keys: list[str], vectors: np.ndarray) -> None:
        if self.folder is None:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            # written whole, then renamed: a crash never leaves half a file under the name
            fd, tmp = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                np.savez(fh, keys=np.array(keys), vectors=vectors)
            os.replace(tmp, self._path(prefix, name))
            for old in self._newest(prefix)[KEEP_FILES:]:
                old.unlink(missing_ok=True)
        except OSError as exc:
            log.warning("embedding cache %s not written (%s)", self.folder, exc)


def _key(model: str, kind: str, text: str) -> str:
    return hashlib.sha256(f"{model}\0{kind}\0{text}".encode()).hexdigest()[:40]


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0
