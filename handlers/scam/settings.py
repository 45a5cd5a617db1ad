"""The ``[guard]`` configuration section: what the guard does about what it finds."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class GuardSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # block lists: eth-phishing-detect config.json files or one domain per line
    blocklist_paths: list[str] = Field(default_factory=list)
    # how often the scheduler reads them again, in minutes
    blocklist_refresh_minutes: int = Field(default=15, ge=1, le=24 * 60)
    # the exchange's own deposit/hot-wallet addresses: near-copies are address poisoning
    official_addresses: list[str] = Field(default_factory=list)
    # a scam in a group: remove it, time its sender out (minutes; 0: no), tell staff
    delete_in_groups: bool = True
    restrict_minutes: int = Field(default=60, ge=0, le=60 * 24 * 366)
    alert_staff: bool = True
    # a member whose name imitates staff or the brand: also time them out
    restrict_impersonators: bool = False
    # the semantic layer on the shared understanding model (off: the rules alone)
    semantic: bool = True
