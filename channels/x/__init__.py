"""X (Twitter), through tweepy's asynchronous API v2 client.

The adapter is imported on first use: configuration reads only the settings, and a
command that never starts X should not pay for loading tweepy.
"""

from typing import Any

from channels.x.settings import XSettings

__all__ = ["XAdapter", "XCredentials", "XSettings"]


def __getattr__(name: str) -> Any:
    if name in ("XAdapter", "XCredentials"):
        from channels.x import adapter

        return getattr(adapter, name)
    raise AttributeError(name)
