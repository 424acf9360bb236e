"""Export of a filtered customer list to .xlsx and .csv (docs/domain, section 5).

- identifiers and phones are text cells (number format ``@``), so ``000001`` and
  ``13800138000`` come back exactly;
- dates are real date cells with a date format; real numbers stay numbers;
- every cell goes through the one safe cell writer (``spreadsheets.writing``): text is
  never a formula (CSV/formula injection); in .xlsx a text starting with ``=``, ``+``,
  ``-``, ``@``, tab or CR keeps its text with Excel's quote prefix, in CSV it gets a
  leading single quote;
- CSV is UTF-8 with a BOM, so Excel opens Chinese text correctly.

:func:`xlsx_bytes` and :func:`csv_chunks` are functions over plain values (also used by
the targets export); :func:`customer_values` turns one annotated customer into such values.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from spreadsheets.writing import safe_cell, safe_csv_value

from .models import Customer

TEXT = "text"  # free text: General format
IDENT = "ident"  # identifiers and phones: text format "@"
DATE = "date"
NUMBER = "number"

DATE_FORMAT = "yyyy-mm-dd"


@dataclass(frozen=True)
class Column:
    """One exported column: header, cell kind and how to read it from a customer."""

    header: str | Promise
    kind: str
    get: Callable[[Customer], Any]


def _local_date(value: dt.datetime | None) -> dt.date | None:
    return timezone.localtime(value).date() if value else None


def _str(value: Any) -> str:
    return "" if value is None else str(value)


#: The export's columns: the customer fields, owner, team, stage, stage since, the
#: primary contact (annotated by customers.selectors.primary_contact_annotations).
COLUMNS: tuple[Column, ...] = (
    # "Customer name", not "Name": 姓名 in Chinese is a person's name, which the importer
    # reads as the contact (the export must import back as it is).
    Column(_("Customer name"), TEXT, lambda c: c.name),
    Column(_("Short name"), TEXT, lambda c: c.short_name),
    Column(_("Unified social credit code"), IDENT, lambda c: c.credit_code),
    Column(_("External code"), IDENT, lambda c: c.external_code),
    Column(_("Industry"), TEXT, lambda c: c.industry),
    Column(_("Size"), TEXT, lambda c: c.size),
    Column(_("Province"), TEXT, lambda c: c.province),
    Column(_("City"), TEXT, lambda c: c.city),
    Column(_("Address"), TEXT, lambda c: c.address),
    Column(_("Website"), TEXT, lambda c: c.website),
    Column(_("Segment"), TEXT, lambda c: c.get_segment_display()),
    Column(_("Source"), TEXT, lambda c: c.source),
    Column(_("Listed on"), DATE, lambda c: c.listed_on),
    Column(_("Founded on"), DATE, lambda c: c.founded_on),
    Column(_("Owner"), TEXT, lambda c: _str(c.owner) if c.owner_id else ""),
    Column(_("Team"), TEXT, lambda c: _str(c.team) if c.team_id else ""),
    Column(_("Stage"), TEXT, lambda c: c.get_stage_display()),
    Column(_("In stage since"), DATE, lambda c: _local_date(c.stage_changed_at)),
    Column(_("Days in stage"), NUMBER, lambda c: c.days_in_stage()),
    Column(_("Last visit or follow-up"), DATE, lambda c: _local_date(c.last_activity_at)),
    Column(_("Primary contact"), TEXT, lambda c: getattr(c, "primary_contact_name", "") or ""),
    Column(_("Contact phone"), IDENT, lambda c: getattr(c, "primary_contact_phone", "") or ""),
    Column(_("Needs analysis"), TEXT, lambda c: c.needs),
    Column(_("Latest company news"), TEXT, lambda c: c.latest_news),
    Column(_("Notes"), TEXT, lambda c: c.notes),
    Column(_("Created"), DATE, lambda c: _local_date(c.created_at)),
)


def customer_values(customer: Customer, columns: Iterable[Column] = COLUMNS) -> list[Any]:
    """The raw (not yet made safe) values of one customer for ``columns``."""
    return [column.get(customer) for column in columns]


def _cell_value(value: Any, kind: str) -> Any:
    """The value a column of ``kind`` holds (made safe by the writer afterwards)."""
    if value is None or value == "":
        return None
    if kind in (TEXT, IDENT):
        return str(value)
    if kind == NUMBER:
        if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
            return value
        return str(value)
    if kind == DATE:
        if isinstance(value, dt.datetime):
            return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
        return value
    return value


def xlsx_bytes(
    headers: Iterable[str], kinds: list[str], rows: Iterable[list[Any]], *, sheet: str = "Customers"
) -> bytes:
    """A .xlsx workbook of ``rows`` under bold ``headers``, one row per list.

    ``kinds[i]`` decides column i's cells: IDENT text with format ``@``, DATE a date
    with ``yyyy-mm-dd``, NUMBER a number (General), TEXT a string. Every cell is
    written by ``spreadsheets.writing.safe_cell``. Streams rows (write-only mode), so memory stays
    flat for large lists.
    """
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(title=sheet[:31])
    header_cells = []
    for header in headers:
        cell = safe_cell(WriteOnlyCell(worksheet), str(header))
        cell.font = Font(bold=True)
        header_cells.append(cell)
    worksheet.append(header_cells)
    for row in rows:
        cells = []
        for value, kind in zip(row, kinds, strict=True):
            cell = safe_cell(WriteOnlyCell(worksheet), _cell_value(value, kind))
            if kind == IDENT:
                cell.number_format = "@"
            elif kind == DATE:
                cell.number_format = DATE_FORMAT
            cells.append(cell)
        worksheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class _Echo:
    """A file-like whose write returns the line, for streaming csv.writer output."""

    def write(self, value: str) -> str:
        return value


def csv_chunks(
    headers: Iterable[str], kinds: list[str], rows: Iterable[list[Any]]
) -> Iterator[str]:
    """CSV text (UTF-8 BOM first, CRLF line ends), one chunk per row, for streaming.

    Every field is written by ``spreadsheets.writing.safe_csv_value``: dates
    ``YYYY-MM-DD``, numbers as they are, a text starting with a formula trigger with a
    leading single quote.
    """
    writer = csv.writer(_Echo())
    yield "\ufeff"
    yield writer.writerow([safe_csv_value(str(h)) for h in headers])
    for row in rows:
        out = []
        for value, kind in zip(row, kinds, strict=True):
            cell = _cell_value(value, kind)
            if isinstance(cell, dt.datetime):
                cell = cell.date()
            out.append(safe_csv_value(cell))
        yield writer.writerow(out)
