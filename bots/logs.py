"""Logging set-up that keeps secrets out of every log line.

Client libraries log request URLs, and the Telegram Bot API puts the token in the URL;
so besides quieting those loggers, a filter masks the value of every secret variable
the configuration names, wherever it would appear.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from rich.logging import RichHandler

NOISY = (
    "httpx",
    "httpcore",
    "telegram.ext",
    "discord.gateway",
    "discord.http",
    "aiosqlite",
    "apscheduler.executors.default",
)


class SecretMask(logging.Filter):
    """Replaces secret values in a record's final message with ``***``."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = sorted({s for s in secrets if len(s) >= 6}, key=len, reverse=True)

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        message = record.getMessage()
        masked = message
        for secret in self.secrets:
            masked = masked.replace(secret, "***")
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and record.exc_info[1] is not None:
            text = str(record.exc_info[1])
            if any(s in text for s in self.secrets):
                record.exc_info = None
                record.msg = f"{record.msg} (exception text hidden: it contained a secret)"
        return True


def setup_logging(level: str, secrets: Iterable[str]) -> None:
    handler = RichHandler(show_path=False, rich_tracebacks=False)
    handler.addFilter(SecretMask(secrets))
    logging.basicConfig(level=level.upper(), format="%(message)s", handlers=[handler], force=True)
    for name in NOISY:
        logging.getLogger(name).setLevel(logging.WARNING)
