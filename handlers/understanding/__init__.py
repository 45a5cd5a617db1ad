"""The shared understanding model: one multilingual sentence embedding per process.

Answers, the scam guard, incidents and surge detection all ask what a message means,
in twelve languages, against texts written in one or two. They share one engine
(:func:`shared_engine`), loaded once, and one cache of query vectors, so a message
that the guard and the answer stage both read is embedded once.
"""

from handlers.understanding.engine import Engine, EngineStatus, shared_engine

__all__ = ["Engine", "EngineStatus", "shared_engine"]
