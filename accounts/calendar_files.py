"""A year of the work calendar as an .xlsx file: export every day, read a file back.

Export: one row per day of the year (date, weekday, status, name, where the status comes
from), cells written through ``spreadsheets/writing.py`` (text stays text, never a formula).
Import: the first row names the columns (Date and Status required, Name optional; English or
Chinese, as the export writes them); each later row is one day. Problems are reported per row
("Row 5: ...") and nothing is saved while any row is wrong (the view applies the days with
``accounts.calendar.calendar_days_import``).
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils.exceptions import InvalidFileException

from domain.workdays import days_between
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
            names["name"].add(_("Name").lower())
    return names


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d")


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
    headers = [_("Date"), _("Weekday"), _("Status"), _("Name"), _("Source")]
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
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    return None


def _status(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if text in _WORK:
        return True
    if text in _OFF:
        return False
    return None


def parse_rows(rows: Iterable[Sequence[Any]], year: int) -> ParsedYear:
    """Read the days of ``year`` from spreadsheet rows (the first row holds the headers).

    Blank rows are skipped. Each problem is reported as "Row N: ..." with the sheet's row
    number: an unknown date, a date outside ``year``, a date given twice, a status that is
    neither work day nor day off, a name over 60 characters, too many rows.
    """
    parsed = ParsedYear()
    iterator = iter(rows)
    header = next(iterator, None)
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
    seen: dict[dt.date, int] = {}
    for number, row in enumerate(iterator, start=2):
        if number > MAX_ROWS + 1:
            parsed.errors.append(_("The file has more than %(n)d rows.") % {"n": MAX_ROWS})
            break

        def cell(key: str, row: Sequence[Any] = row) -> Any:
            index = columns.get(key)
            return row[index] if index is not None and index < len(row) else None

        if all(_text(v) == "" for v in row):
            continue
        raw_date, raw_status, name = cell("date"), cell("status"), _text(cell("name"))
        day = _date(raw_date)
        problems = []
        if day is None:
            problems.append(_("“%(value)s” is not a date.") % {"value": _text(raw_date)[:40]})
        elif day.year != year:
            problems.append(
                _("%(day)s is not in %(year)s.") % {"day": day.isoformat(), "year": year}
            )
        elif day in seen:
            problems.append(
                _("%(day)s is already in row %(row)d.") % {"day": day.isoformat(), "row": seen[day]}
            )
        status = _status(raw_status)
        if status is None:
            problems.append(
                _("“%(value)s” is neither “work day” nor “day off”.")
                % {"value": _text(raw_status)[:40]}
            )
        if len(name) > MAX_NAME:
            problems.append(_("The name is longer than %(n)d characters.") % {"n": MAX_NAME})
        if problems:
            for problem in problems:
                parsed.errors.append(
                    _("Row %(row)d: %(problem)s") % {"row": number, "problem": problem}
                )
            continue
        if day is None or status is None:  # pragma: no cover - reported as a problem above
            continue
        seen[day] = number
        parsed.days[day] = (status, name)
    return parsed


def read_year(data: bytes, year: int) -> ParsedYear:
    """Parse an uploaded .xlsx file's first sheet (see :func:`parse_rows`). A file that is not
    an .xlsx workbook gives one error, never an exception."""
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError):
        return ParsedYear(errors=[_("The file is not an .xlsx workbook.")])
    try:
        sheet = workbook.worksheets[0]
        return parse_rows(sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 2), year)
    except (KeyError, ValueError, TypeError, IndexError, zipfile.BadZipFile):
        return ParsedYear(errors=[_("The file is not an .xlsx workbook.")])
    finally:
        workbook.close()
