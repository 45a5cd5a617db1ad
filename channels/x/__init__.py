"""X (Twitter), through tweepy's asynchronous API v2 client.

The adapter is imported on first use: configuration reads only the settings, and a
command that never starts X should not pay for loading tweepy.
"""

from typing import Any

from channels.base import Channel
from channels.registry import BuildContext
from channels.x.settings import XSettings

__all__ = ["XAdapter", "XCredentials", "XSettings", "build"]


def __getattr__(name: str) -> Any:
    if name in ("XAdapter", "XCredentials"):
        from channels.x import adapter

        return getattr(adapter, name)
    raise AttributeError(name)


def build(settings: XSettings, context: BuildContext) -> Channel:
    """The registry's factory: the adapter with the account's OAuth credentials."""
    from channels.x.adapter import XAdapter, XCredentials

    env = context.environ
    return XAdapter(
        settings,
        XCredentials(
            consumer_key=env[settings.consumer_key_env],
            consumer_secret=env[settings.consumer_secret_env],
            access_token=env[settings.access_token_env],
            access_token_secret=env[settings.access_token_secret_env],
            bearer_token=env.get(settings.bearer_token_env) or None,
        ),
    )
