"""The ``[attachments]`` configuration section."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

MIB = 1024 * 1024
# Telegram hands bots files of up to 20 MB (getFile); nothing larger could come in
CEILING = 20 * MIB


class AttachmentSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # the largest file kept, from a user or an agent; larger ones are refused with a note
    max_bytes: int = Field(default=10 * MIB, ge=1024, le=CEILING)
