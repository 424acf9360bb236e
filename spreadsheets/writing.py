"""Safe cell values for spreadsheet and CSV exports (pure: no Django, no app imports).

The one place where exports decide how a value becomes a cell; every export (customers,
journals, weekly reports, targets, KPI dashboards, the import error workbook) writes
through it:

- numbers (int, float, Decimal, bool), dates, datetimes, times and durations stay typed;
- everything else is written as text, never as a formula: openpyxl would otherwise run a
  text starting with ``=`` as one. Text starting with a formula trigger (``=``, ``+``,
  ``-``, ``@``, tab, CR: the OWASP CSV-injection list) also gets Excel's quote-prefix
  style, so Excel shows it exactly as typed and never evaluates it when edited;
- control characters that Excel refuses are dropped;
- CSV has no cell types, so there a triggering text gets a leading single quote.

See docs/architecture.md, "Where does rule X live" (safe spreadsheet cells).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Protocol, TypeVar

__all__ = [
    "FORMULA_TRIGGERS",
    "CellLike",
    "clean_text",
    "is_formula_like",
    "safe_append",
    "safe_cell",
    "safe_csv_value",
    "safe_workbook",
]

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""Leading characters that make a spreadsheet treat a text as a formula."""
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_TYPED = (bool, int, float, Decimal, dt.date, dt.datetime, dt.time, dt.timedelta)


class CellLike(Protocol):
    """What :func:`safe_cell` needs of a cell (an openpyxl ``Cell`` or ``WriteOnlyCell``)."""

    value: Any
    data_type: str
    quotePrefix: bool


C = TypeVar("C", bound=CellLike)


def clean_text(value: str) -> str:
    """Drop control characters that openpyxl and Excel refuse (tab, LF and CR stay)."""
    return _ILLEGAL.sub("", value)


def is_formula_like(text: str) -> bool:
    """True when a spreadsheet would run ``text`` as a formula (it starts with a trigger)."""
    return text.startswith(FORMULA_TRIGGERS)


def safe_cell(cell: C, value: object) -> C:
    """Write ``value`` into an openpyxl cell and return the cell.

    None -> an empty cell; numbers, dates, datetimes, times, durations -> typed values;
    anything else -> its text (control characters dropped) as a text cell, with the
    quote-prefix style when it starts with a formula trigger. Never a formula.
    """
    if value is None:
        cell.value = None
        return cell
    if isinstance(value, _TYPED):
        cell.value = value
        return cell
    text = clean_text(str(value))
    cell.value = text
    cell.data_type = "s"
    if is_formula_like(text):
        cell.quotePrefix = True
    return cell


def safe_append(worksheet: Any, values: Iterable[object]) -> list[Any]:
    """Append one row of ``values`` to a (not write-only) openpyxl worksheet filled row by
    row with ``append``, through :func:`safe_cell`; returns the row's cells, for styling."""
    row = list(values)
    worksheet.append([None] * len(row))
    number = worksheet.max_row
    return [
        safe_cell(worksheet.cell(row=number, column=i + 1), value) for i, value in enumerate(row)
    ]


def safe_csv_value(value: object) -> str:
    """A CSV field: '' for None, numbers and dates as ``str()`` (ISO dates), text with
    control characters dropped and, when it starts with a formula trigger, a leading
    single quote (CSV has no cell types)."""
    if value is None:
        return ""
    if isinstance(value, _TYPED):
        return str(value)
    text = clean_text(str(value))
    return "'" + text if is_formula_like(text) else text


def safe_workbook(workbook: Any) -> None:
    """Pass every text cell of an openpyxl workbook through :func:`safe_cell`, in place.

    For exports laid out cell by cell (journals, weekly reports): whatever a layout helper
    wrote, no text reaches the file as a live formula (openpyxl turns any string starting
    with "=" into one). Numbers, dates and empty cells are left as they are. Merged cells
    are skipped (they hold no value).
    """
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                value = getattr(cell, "value", None)
                if isinstance(value, str):
                    safe_cell(cell, value)
