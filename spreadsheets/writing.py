"""Safe cell values for spreadsheet and CSV exports (pure: no Django, no app imports).

User text is always written as text: openpyxl would otherwise treat a leading "=" as a formula.
Text starting with a formula trigger also gets the quotePrefix style, so Excel shows it as typed.
See docs/architecture.md, section "Spreadsheets".
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def clean_text(value: str) -> str:
    """Drop control characters that openpyxl and Excel refuse."""
    return _ILLEGAL.sub("", value)


def safe_cell(cell, value) -> None:
    """Write value into an openpyxl cell: numbers, dates, Decimals stay typed; text stays text."""
    if value is None:
        cell.value = None
        return
    if isinstance(value, bool | int | float | Decimal | dt.date | dt.datetime | dt.time):
        cell.value = value
        return
    text = clean_text(str(value))
    cell.value = text
    cell.data_type = "s"
    if text.startswith(FORMULA_TRIGGERS):
        cell.quotePrefix = True


def safe_csv_value(value) -> str:
    """CSV has no cell types: text starting with a formula trigger gets a leading single quote."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float | Decimal | dt.date | dt.datetime | dt.time):
        return str(value)
    text = clean_text(str(value))
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


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
