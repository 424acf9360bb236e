"""A year of the work calendar as an .xlsx file: export every day, read a file back.

Export: one row per day of the year (date, weekday, status, name, where the status comes
from), cells written through ``spreadsheets/writing.py`` (text stays text, never a formula).
Import: read through ``spreadsheets/reading.py`` like every other import (.xlsx, .xls or CSV,
the format told from the bytes; size, zip-bomb and XML guards), so a refused file gives one
message, never an exception. The first non-blank row names the columns (Date and Status
required, Name optional; English or Chinese, as the export writes them); each later row is one
day. Problems are reported per row and field ("Row 5, Date: ...", the row number Excel shows)
and nothing is saved while any row is wrong (the view applies the days with
``accounts.calendar.calendar_days_import``).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Font

from domain.workdays import days_between
from spreadsheets.reading import FileRefused, cell_date, cell_text, open_sheet
from spreadsheets.writing import safe_cell

from .calendar import (
    SOURCE_BRANCH,
    SOURCE_OFFICIAL,
    SOURCE_ORGANISATION,
    SOURCE_TEAM,
    SOURCE_WEEKDAYS,
    WorkCalendar,
)

#: More rows than a year has days, with room for blank lines; a bigger file is refused.
MAX_ROWS = 1000
MAX_NAME = 60

_WORK = {"work day", "workday", "work", "工作日", "上班", "班", "1", "yes", "y", "true", "是"}
_OFF = {"day off", "off", "holiday", "休息日", "休息", "休", "假", "节假日", "0", "no", "n"}
_OFF |= {"false", "否"}
_HEADERS = {
    "date": {"date", "日期"},
    "status": {"status", "work day", "状态", "工作日", "是否工作日"},
    "name": {"name", "名称", "说明", "节日"},
}


def _header_names() -> dict[str, set[str]]:
    """The accepted headers: the fixed synonyms plus the export's own headers in every
    language the UI speaks, so an exported file reads back whatever language wrote it."""
    names = {key: set(values) for key, values in _HEADERS.items()}
    for code, _label in settings.LANGUAGES:
        with translation.override(code):
            names["date"].add(_("Date").lower())
            names["status"].add(_("Status").lower())
            names["name"].add(pgettext("object name", "Name").lower())
            # Files exported before the day's name was translated 名称 said 姓名.
            names["name"].add(_("Name").lower())
    return names


def _weekday(day: dt.date) -> str:
    names = [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]
    return names[day.weekday()]


def source_label(source: str) -> str:
    """The translated label of a status source code (accounts.calendar SOURCE_*)."""
    return {
        SOURCE_TEAM: _("team entry"),
        SOURCE_BRANCH: _("branch entry"),
        SOURCE_ORGANISATION: _("organisation entry"),
        SOURCE_OFFICIAL: _("official calendar"),
        SOURCE_WEEKDAYS: _("Monday-Friday (no holiday data)"),
    }.get(source, source)


def export_year(year: int, calendar: WorkCalendar) -> bytes:
    """The .xlsx bytes of every day of ``year`` on ``calendar``: Date, Weekday, Status (work
    day / day off, translated), Name, Source. Importing the file unchanged changes nothing."""
    workbook = Workbook()
    sheet = workbook.create_sheet(str(year), 0)
    workbook.remove(workbook.worksheets[1])
    headers = [_("Date"), _("Weekday"), _("Status"), pgettext("object name", "Name"), _("Source")]
    for col, header in enumerate(headers, start=1):
        cell = sheet.cell(row=1, column=col)
        safe_cell(cell, header)
        cell.font = Font(bold=True)
    for row, day in enumerate(days_between(dt.date(year, 1, 1), dt.date(year, 12, 31)), start=2):
        values = [
            day,
            _weekday(day),
            _("work day") if calendar.is_workday(day) else _("day off"),
            calendar.name_of(day),
            source_label(calendar.source_of(day)),
        ]
        for col, value in enumerate(values, start=1):
            cell = sheet.cell(row=row, column=col)
            safe_cell(cell, value)
            if col == 1:
                cell.number_format = "yyyy-mm-dd"
    sheet.column_dimensions["A"].width = 12
    sheet.column_dimensions["D"].width = 20
    sheet.column_dimensions["E"].width = 28
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@dataclass
class ParsedYear:
    """The days read from a file (date -> (is work day, name)) and the problems found, each a
    translated message naming the row. ``days`` must not be applied while ``errors`` is set."""

    days: dict[dt.date, tuple[bool, str]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def _text(value: Any) -> str:
    return cell_text(value).strip()


def _status(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if text in _WORK:
        return True
    if text in _OFF:
        return False
    return None


def parse_rows(
    rows: Iterable[Sequence[Any]],
    year: int,
    *,
    numbers: Iterable[int] | None = None,
    formula_cells: frozenset[tuple[int, int]] = frozenset(),
) -> ParsedYear:
    """Read the days of ``year`` from spreadsheet rows (the first row holds the headers).

    ``numbers`` are the rows' numbers as the user sees them (default 1, 2, 3, ...);
    ``formula_cells`` the (row number, column index) of formula cells without a saved value.
    Blank rows are skipped. Each problem is reported as "Row N, Field: why": an unknown date,
    a date outside ``year``, a date given twice, a status that is neither work day nor day
    off, a name over 60 characters, a formula without a value; and too many rows. A file
    whose dates are all of other years is refused with one message naming them.
    """
    parsed = ParsedYear()
    iterator = zip(numbers if numbers is not None else _count_from(1), rows, strict=False)
    first = next(iterator, None)
    header = first[1] if first else ()
    columns: dict[str, int] = {}
    accepted = _header_names()
    for index, value in enumerate(header or ()):
        label = _text(value).lower()
        for key, names in accepted.items():
            if label in names and key not in columns:
                columns[key] = index
    if "date" not in columns or "status" not in columns:
        parsed.errors.append(_("The first row must name the columns Date and Status."))
        return parsed
    labels = {"date": _("Date"), "status": _("Status"), "name": pgettext("object name", "Name")}
    seen: dict[dt.date, int] = {}
    in_year = 0
    other_years: set[int] = set()
    for count, (number, row) in enumerate(iterator, start=1):
        if count > MAX_ROWS:
            parsed.errors.append(_("The file has more than %(n)d rows.") % {"n": MAX_ROWS})
            break

        def cell(key: str, row: Sequence[Any] = row) -> Any:
            index = columns.get(key)
            return row[index] if index is not None and index < len(row) else None

        if all(_text(v) == "" for v in row) and not any(r == number for r, _c in formula_cells):
            continue
        problems: list[tuple[str, str]] = []
        for key, index in columns.items():
            if (number, index) in formula_cells:
                problems.append((key, _("the cell holds a formula without a saved value.")))
        broken = {key for key, _why in problems}
        raw_date, raw_status, name = cell("date"), cell("status"), _text(cell("name"))
        day = cell_date(raw_date)
        if "date" in broken:
            day = None
        elif day is None:
            problems.append(
                ("date", _("“%(value)s” is not a date.") % {"value": _text(raw_date)[:40]})
            )
        elif day.year != year:
            other_years.add(day.year)
            problems.append(
                ("date", _("%(day)s is not in %(year)s.") % {"day": day.isoformat(), "year": year})
            )
        elif day in seen:
            in_year += 1
            problems.append(
                (
                    "date",
                    _("%(day)s is already in row %(row)d.")
                    % {"day": day.isoformat(), "row": seen[day]},
                )
            )
        else:
            in_year += 1
        status = None if "status" in broken else _status(raw_status)
        if status is None and "status" not in broken:
            problems.append(
                (
                    "status",
                    _("“%(value)s” is neither “work day” nor “day off”.")
                    % {"value": _text(raw_status)[:40]},
                )
            )
        if len(name) > MAX_NAME:
            problems.append(
                ("name", _("The name is longer than %(n)d characters.") % {"n": MAX_NAME})
            )
        if problems:
            for key, problem in problems:
                parsed.errors.append(
                    _("Row %(row)d, %(field)s: %(problem)s")
                    % {"row": number, "field": labels[key], "problem": problem}
                )
            continue
        if day is None or status is None:  # pragma: no cover - reported as a problem above
            continue
        seen[day] = number
        parsed.days[day] = (status, name)
    if other_years and not in_year:
        # A file of another year (the wrong page, or last year's file): one refusal
        # instead of one line per row (docs/domain, section 5, Imports: refused once).
        found = ", ".join(str(y) for y in sorted(other_years))
        return ParsedYear(
            errors=[
                _(
                    "The file holds days of %(found)s, none of %(year)s: open the calendar "
                    "of %(found)s to import it there, or import a file of %(year)s."
                )
                % {"found": found, "year": year}
            ]
        )
    return parsed


def _count_from(start: int) -> Iterable[int]:
    number = start
    while True:
        yield number
        number += 1


def read_year(data: bytes, year: int) -> ParsedYear:
    """Parse an uploaded file's first visible sheet (see :func:`parse_rows`). The file is read
    through ``spreadsheets.reading.open_sheet`` (.xlsx, .xls or CSV told from the bytes; at most
    ``IMPORT_MAX_BYTES``; zip-bomb and XML guards); a refused file gives one error naming why,
    never an exception."""
    try:
        sheet = open_sheet(data, max_bytes=settings.IMPORT_MAX_BYTES)
        pairs = []
        for number, row in sheet.rows:
            pairs.append((number, row))
            if len(pairs) > MAX_ROWS + 1:
                break
        return parse_rows(
            [row for _n, row in pairs],
            year,
            numbers=[n for n, _row in pairs],
            formula_cells=frozenset(sheet.formula_cells),
        )
    except FileRefused as exc:
        # The reader says why as a message template with values (spreadsheets.messages);
        # the catalogue has the templates (the customer import shows the same refusals).
        reason = _(exc.message) % dict(exc.params) if exc.params else _(exc.message)
        return ParsedYear(
            errors=[_("The file cannot be imported: %(reason)s") % {"reason": reason}]
        )
