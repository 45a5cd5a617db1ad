"""The ``[knowledge]`` section of the configuration."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator


class KnowledgeSettings(BaseModel):
    """Where the knowledge base lives and how sure the bot must be to answer.

    The thresholds were chosen on ``bench/data/questions.jsonl`` (see
    ``docs/benchmarks.md``): a name matched at ``name_threshold`` or above, or an FAQ
    at ``confidence_threshold`` or above, is answered; a candidate between
    ``clarify_threshold`` and the answer threshold is offered as a button in a
    clarifying question, and so are two FAQs less than ``confidence_margin`` apart, or
    an FAQ and a half-matched name; below that the bot hands over to a person.
    """

    model_config = ConfigDict(extra="forbid")

    paths: list[Path] = Field(default_factory=lambda: [Path("docs/knowledge/example.toml")])
    confidence_threshold: float = Field(default=0.6, gt=0, le=1)
    name_threshold: float = Field(default=0.85, gt=0, le=1)
    confidence_margin: float = Field(default=0.08, ge=0, le=1)
    clarify_threshold: float = Field(default=0.15, gt=0, le=1)
    reload_interval: float = Field(default=5.0, gt=0, description="seconds between checks")
    timezone: str = "UTC"
    # vectors of the base's texts, by content hash: a restart costs no embedding
    embedding_cache: Path | None = Path("var/embeddings")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value
