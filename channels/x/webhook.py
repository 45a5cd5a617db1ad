"""Account Activity webhooks: the challenge-response check and signed deliveries.

X proves a delivery came from X by an HMAC-SHA256 of the raw body keyed with the app's
consumer secret, and asks the app to prove it holds the same secret by answering a
``crc_token`` challenge the same way. Comparisons are constant-time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

SIGNATURE_HEADER = "x-twitter-webhooks-signature"


def _sign(secret: str, data: bytes) -> str:
    digest = hmac.new(secret.encode(), data, hashlib.sha256).digest()
    return "sha256=" + base64.b64encode(digest).decode()


def crc_response(consumer_secret: str, crc_token: str) -> dict[str, str]:
    """The JSON body that answers X's ``GET ?crc_token=...`` challenge."""
    return {"response_token": _sign(consumer_secret, crc_token.encode())}


def signature_ok(consumer_secret: str, body: bytes, header: str | None) -> bool:
    """Whether ``header`` is X's signature of ``body``; a missing header is not."""
    if not header or not consumer_secret:
        return False
    return hmac.compare_digest(header.encode(), _sign(consumer_secret, body).encode())
