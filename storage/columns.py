"""What every table module shares: the timestamp column, and reading a model's table."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table
from sqlalchemy.orm import class_mapper
from sqlmodel import Field, SQLModel


def utc_column() -> Any:
    """A non-null, time-zone aware timestamp; writers pass their clock's value."""
    return Field(default_factory=lambda: datetime.now(UTC))


def table_of(model: type[SQLModel]) -> Table:
    """The Core table of a ``table=True`` model, for statements built on its columns.

    SQLModel sets ``__table__`` on such a class without declaring it, so the table is
    read from the class's mapper, where it is typed; raises
    ``sqlalchemy.orm.exc.UnmappedClassError`` for a model that is not a table."""
    table = class_mapper(model).local_table
    assert isinstance(table, Table)
    return table
