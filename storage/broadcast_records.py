"""What the broadcast store hands up: frozen records, never bare dictionaries.

A broadcast, and one outbox row of it as the report reads it. The notice itself stays
the JSON document it was stored as (what was approved is exactly what is sent); the
service parses it into its model, and the two fields other parts read without parsing
(the texts, the send time) have accessors here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, cast

from sqlalchemy.engine import Row

# draft -> approved -> scheduled -> starting (recipient rows being written, in batches)
# -> sending (every row written) -> done; or cancelled from any of them before done
BroadcastStatus = Literal[
    "draft", "approved", "scheduled", "starting", "sending", "done", "cancelled"
]


@dataclass(frozen=True, slots=True)
class BroadcastRecord:
    """A broadcast as stored: its notice, who made and approved it, where it got to."""

    id: int
    short_id: str
    title: str
    notice: dict[str, Any]  # the validated notice as JSON (``Notice.model_dump``)
    status: BroadcastStatus
    created_by: str
    approved_by: str | None
    send_at: datetime | None
    created_at: datetime
    approved_at: datetime | None
    started_at: datetime | None
    cancelled_at: datetime | None
    recipients: int  # chats planned so far; final once the status is past "starting"
    reminder_key: str | None

    @classmethod
    def from_row(cls, row: Row[Any]) -> BroadcastRecord:
        m = row._mapping
        return cls(
            id=int(m["id"]),
            short_id=str(m["short_id"]),
            title=str(m["title"]),
            notice=dict(m["notice"]),
            status=cast(BroadcastStatus, m["status"]),
            created_by=str(m["created_by"]),
            approved_by=m["approved_by"],
            send_at=m["send_at"],
            created_at=m["created_at"],
            approved_at=m["approved_at"],
            started_at=m["started_at"],
            cancelled_at=m["cancelled_at"],
            recipients=int(m["recipients"]),
            reminder_key=m["reminder_key"],
        )

    def texts(self) -> dict[str, str]:
        """The notice's text per language, as approved."""
        return {str(k): str(v) for k, v in dict(self.notice.get("text") or {}).items()}

    def notice_send_at(self) -> datetime | None:
        """The send time the notice itself names, if any."""
        value = self.notice.get("send_at")
        return datetime.fromisoformat(str(value)) if value else None


@dataclass(frozen=True, slots=True)
class RecipientOutcome:
    """One outbox row of a broadcast with what became of it (the report's input)."""

    channel: str
    chat_id: str
    language: str | None
    status: str  # pending | sending | delivered | failed | cancelled
    last_error: str | None = None
    part: int = 0
    delivered_at: datetime | None = None
