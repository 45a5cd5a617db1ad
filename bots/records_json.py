"""Storage's records as the API's JSON.

Storage hands up frozen dataclasses (a ticket, a transcript line, an agent, an audit
entry); the API answers each as an object whose keys are the record's fields in their
declared order, so a record declared in its table's column order answers exactly what
a row did. Datetimes stay datetimes here: :func:`bots.http_json.answer` writes them as
ISO 8601.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields, is_dataclass
from typing import Any


def plain(value: Any) -> Any:
    """``value`` with every record turned into a dict (fields in order), every tuple
    or list into a list and every mapping into a dict, recursively; anything else as
    it is."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, Mapping):
        return {key: plain(item) for key, item in value.items()}
    return value
