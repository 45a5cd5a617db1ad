"""Logging set-up that keeps secrets out of every log line, as JSON or as text.

Everything logs through the standard library (ours and the client libraries'); one
handler renders each record with structlog: ``[logging] format = "json"`` gives one
JSON object per line (``timestamp``, ``level``, ``logger``, ``event``, and
``exception`` when there is one), anything else a readable line with an ISO-8601 UTC
time, never wrapped.

Client libraries log request URLs, and the Telegram Bot API puts the token in the URL;
so besides quieting those loggers, the value of every secret variable the
configuration names is masked wherever it would appear: in the message (a filter,
before rendering), and again in the finished line, tracebacks included.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterable
from typing import IO, Any

import structlog

NOISY = (
    "httpx",
    "httpcore",
    "telegram.ext",
    "discord.gateway",
    "discord.http",
    "aiosqlite",
    "apscheduler.executors.default",
)
FORMATS = ("console", "json")


class SecretMask(logging.Filter):
    """Replaces secret values in a record's final message with ``***``."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = sorted({s for s in secrets if len(s) >= 6}, key=len, reverse=True)
        # in any letter case (an error message may lowercase a URL), and as JSON
        # escapes it
        forms = {form for s in self.secrets for form in (s, json.dumps(s)[1:-1])}
        ordered = sorted(forms, key=len, reverse=True)
        self._pattern = re.compile("|".join(map(re.escape, ordered)), re.IGNORECASE)

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        message = record.getMessage()
        masked = self.mask(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and record.exc_info[1] is not None:
            text = str(record.exc_info[1])
            if self.mask(text) != text:
                record.exc_info = None
                record.msg = f"{record.msg} (exception text hidden: it contained a secret)"
        return True

    def mask(self, line: str) -> str:
        """``line`` with every secret replaced by ``***``."""
        return self._pattern.sub("***", line) if self.secrets else line


class _MaskedFormatter(structlog.stdlib.ProcessorFormatter):
    """structlog's formatter for standard records, with the finished line masked."""

    def __init__(self, mask: SecretMask, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._mask = mask

    def format(self, record: logging.LogRecord) -> str:
        return self._mask.mask(super().format(record))


def setup_logging(
    level: str, secrets: Iterable[str], format: str = "console", stream: IO[str] | None = None
) -> None:
    """Route every logger through one masked handler on ``stream`` (stderr)."""
    if format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}")
    stream = stream or sys.stderr
    mask = SecretMask(secrets)
    shared: list[Any] = [
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: Any
    if format == "json":
        shared.append(structlog.processors.format_exc_info)
        renderer = structlog.processors.JSONRenderer(ensure_ascii=False)
    else:
        renderer = structlog.dev.ConsoleRenderer(
            colors=stream.isatty(), exception_formatter=structlog.dev.plain_traceback
        )
    formatter = _MaskedFormatter(
        mask,
        foreign_pre_chain=shared,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
    )
    handler = logging.StreamHandler(stream)
    handler.addFilter(mask)
    handler.setFormatter(formatter)
    logging.basicConfig(level=level.upper(), handlers=[handler], force=True)
    logging.captureWarnings(True)  # a library's warning is a line like any other
    # structlog's own loggers, for code that wants key-value events, end up here too
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    for name in NOISY:
        logging.getLogger(name).setLevel(logging.WARNING)
