"""One pool for the models (``model_threads``): the guard's reads, a primed batch's
second half and messages read at once share it, and nothing in it waits on itself."""

from __future__ import annotations

import threading
from concurrent.futures import wait

import numpy as np
import pytest

from handlers.understanding import engine as engines
from handlers.understanding.engine import SPLIT_BATCH, Engine, in_model_thread, model_threads


class CountingModel:
    """Unit vectors from the text's length; remembers the threads it ran in."""

    dim = 4

    def __init__(self) -> None:
        self.threads: set[str] = set()

    def query(self, texts: list[str]) -> np.ndarray:
        self.threads.add(threading.current_thread().name)
        rows = np.array([[len(t), 1.0, 0.0, 0.0] for t in texts], dtype=np.float32)
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)

    def passage(self, texts: list[str]) -> np.ndarray:
        return self.query(texts)


TEXTS = [f"question number {n}" for n in range(SPLIT_BATCH * 2)]


def test_a_primed_batch_sends_its_second_half_to_the_model_threads() -> None:
    if engines._cores() < 2:
        pytest.skip("a batch is cut in two only on two cores or more")
    model = CountingModel()
    assert Engine(model, "counting").prime(TEXTS) == len(TEXTS)
    assert any(name.startswith("model_") for name in model.threads)
    assert not in_model_thread()


def test_batches_primed_in_every_model_thread_at_once_do_not_wait_on_each_other() -> None:
    """Each model thread primes a batch while all of them are busy: a half sent to the
    pool would wait for a free thread that never comes."""
    cores = engines._cores()
    together = threading.Barrier(cores, timeout=10)
    model = CountingModel()

    def prime(n: int) -> int:
        together.wait()  # every model thread is taken from here on
        return Engine(model, f"counting-{n}").prime([f"{t} ({n})" for t in TEXTS])

    futures = [model_threads().submit(prime, n) for n in range(cores)]
    _done, waiting = wait(futures, timeout=20)
    assert not waiting, "the model threads waited on themselves"
    assert [f.result() for f in futures] == [len(TEXTS)] * cores
