"""The workbook of an import job's rejected rows, ready to fix and import again."""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill

from spreadsheets.writing import safe_cell

from ..import_messages import translate_reason
from ..importing import ParsedSheet
from ..models import ImportJob
from .jobs import _file_bytes, _parse


def import_error_workbook(*, job: ImportJob, parsed: ParsedSheet | None = None) -> bytes:
    """The rejected rows of ``job`` as an .xlsx: the file's header row plus a reason
    column, then each rejected row's cells as they were in the file and its reasons.

    Cells are written by the safe cell writer (``spreadsheets.writing``): text stays text
    (``000001`` and text starting with ``=`` are never turned into numbers or formulas),
    numbers and dates stay typed, so the admin can fix the rows and import the file again.
    A formula cell that had no saved value is written as the formula's text (never a
    live formula), so the admin sees what to fix. Reasons are in the active language.
    ``parsed``: the job's parsed file when at hand (else it is parsed again).
    """
    if parsed is None:
        parsed = _parse(job, _file_bytes(job))
    reasons: dict[int, list[str]] = defaultdict(list)
    for error in job.errors or []:
        fld = str(error.get("field") or "")
        label = str(error.get("column") or fld)
        reason = translate_reason(error)
        text = f"{label}: {reason}" if label else reason
        reasons[int(error["row"])].append(text)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=(parsed.sheet or "errors")[:31])
    bold = Font(bold=True)
    red = PatternFill("solid", fgColor="FEE4E2")

    def text_cell(value: object, **style: object) -> WriteOnlyCell:
        cell = safe_cell(WriteOnlyCell(ws), None if value == "" else value)
        for name, val in style.items():
            setattr(cell, name, val)
        return cell

    width = max(
        [len(parsed.headers), *(len(r.raw) for r in parsed.rows if r.row_number in reasons)]
    )
    headers = list(parsed.headers) + [""] * (width - len(parsed.headers))
    ws.append(
        [text_cell(h, font=bold) for h in headers] + [text_cell(_("Reason"), font=bold, fill=red)]
    )
    for row in parsed.rows:
        if row.row_number not in reasons:
            continue
        raw = list(row.raw) + [""] * (width - len(row.raw))
        for i in range(width):
            formula = parsed.formulas.get((row.row_number, i))
            if formula and raw[i] == "":
                raw[i] = "=" + formula
        cells = []
        for value in raw:
            cell = text_cell(value)
            if isinstance(value, dt.datetime | dt.date):
                cell.number_format = "yyyy-mm-dd"
            cells.append(cell)
        note = _("row %(row)d: %(reasons)s") % {
            "row": row.row_number,
            "reasons": "; ".join(reasons[row.row_number]),
        }
        ws.append([*cells, text_cell(note, fill=red)])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
