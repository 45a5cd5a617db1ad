"""Tables the command line prints: boxed for a person, whole values for a pipe.

A rich table fits itself to the terminal's width and cuts what does not fit, which is
right on a screen and wrong in ``socialdesk jobs | grep broadcast`` or a script: there
nothing is cut, each row is one line of tab-separated values under a header line.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.markup import escape
from rich.table import Table


def print_table(
    console: Console,
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    bold_last: bool = False,
) -> None:
    """``rows`` under ``headers``: a table on a terminal, TSV lines otherwise
    (tabs and line breaks inside a value become spaces, so a line stays a row)."""
    if not console.is_terminal:
        for line in (headers, *rows):
            cells = (" ".join(str(cell).split()) for cell in line)
            console.file.write("\t".join(cells) + "\n")
        return
    table = Table(*headers)
    for i, row in enumerate(rows):
        last = bold_last and i == len(rows) - 1
        table.add_row(*(escape(str(c)) for c in row), style="bold" if last else None)
    console.print(table)
