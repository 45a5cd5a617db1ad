"""The ``[attachments]`` configuration section."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from channels.base import MAX_FILE_BYTES

MIB = 1024 * 1024


class AttachmentSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # the largest file kept, from a user or an agent; larger ones are refused with a note
    max_bytes: int = Field(default=10 * MIB, ge=1024, le=MAX_FILE_BYTES)
