"""Pigeon: a channel that exists only in the tests, to show what adding one takes.

A channel is this package (its settings, its ``SPEC``, an adapter), one line in
``channels.registry.PACKAGES`` and a fake of its platform (``tests/fakes/pigeon.py``).
Nothing else in socialdesk is edited: configuration gets a ``[pigeon]`` section,
notices a ``targets.pigeon`` list, and the bot answers, broadcasts and relays agents'
answers there. Its platform is a tiny HTTP chat service: long-polled updates, one POST
per sent message.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict

from channels.base import Capabilities, Channel
from channels.registry import BuildContext, ChannelSpec


class PigeonSettings(BaseModel):
    """The ``[pigeon]`` section."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = False
    base_url: str = "http://127.0.0.1:9"
    token_env: str = "SOCIALDESK_PIGEON_TOKEN"


def build(settings: PigeonSettings, context: BuildContext) -> Channel:
    """The registry's factory."""
    from tests.pigeon.adapter import PigeonAdapter

    return PigeonAdapter(settings, context.environ[settings.token_env])


SPEC = ChannelSpec(
    name="pigeon",
    section="pigeon",
    title="Pigeon",
    settings=PigeonSettings,
    factory="tests.pigeon:build",
    capabilities=Capabilities(max_length=500, buttons=True),
    chat_id=re.compile(r"^room-[a-z0-9]{1,16}$"),
)
