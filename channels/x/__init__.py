"""X (Twitter), through tweepy's asynchronous API v2 client."""

from channels.x.adapter import XAdapter, XCredentials
from channels.x.settings import XSettings

__all__ = ["XAdapter", "XCredentials", "XSettings"]
