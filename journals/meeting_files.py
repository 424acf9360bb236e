"""The minutes of a meeting as .xlsx: the notes, the decisions, the action items raised and
those carried over with owner, due date and state. Every cell goes through the safe cell
writer (``spreadsheets.writing``): what was typed is written as text, never as a formula."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from spreadsheets.writing import safe_append, safe_workbook

from .models import ActionItem, MeetingMinutes
from .selectors.meetings import MinutesView

WRAP = Alignment(wrap_text=True, vertical="top")


def _state(item: ActionItem) -> str:
    if item.done_at is None:
        return str(_("Open"))
    return _("done %(day)s") % {"day": timezone.localtime(item.done_at).date().isoformat()}


def minutes_workbook(view: MinutesView) -> bytes:
    """The .xlsx bytes of ``view``'s minutes: one sheet, a title row, the notes, then one
    table of decisions and action items (kind, text, owner, due, state, raised on)."""
    wb = Workbook()
    ws = wb.active
    ws.title = str(_("Minutes"))
    kind = MeetingMinutes.Kind(view.kind).label
    safe_append(ws, [f"{kind} · {view.team.name} · {view.day.isoformat()}"])
    ws["A1"].font = Font(bold=True, size=14)
    safe_append(ws, [None])
    safe_append(ws, [str(_("Minutes"))])
    ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
    safe_append(ws, [view.notes])
    ws.cell(row=ws.max_row, column=1).alignment = WRAP
    ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=6)
    ws.row_dimensions[ws.max_row].height = max(30, 15 * (view.notes.count("\n") + 1))
    safe_append(ws, [None])
    header = [_("Kind"), _("Text"), _("Owner"), _("Due"), _("State"), _("Raised on")]
    safe_append(ws, [str(h) for h in header])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for item in view.decisions + view.actions + view.carried:
        safe_append(
            ws,
            [
                str(ActionItem.Kind(item.kind).label),
                item.text,
                item.owner.name if item.owner else "",
                item.due,
                _state(item) if item.kind == ActionItem.Kind.ACTION else "",
                item.minutes.day,
            ],
        )
        ws.cell(row=ws.max_row, column=2).alignment = WRAP
    for col, width in zip("ABCDEF", (14, 60, 16, 12, 16, 12), strict=True):
        ws.column_dimensions[col].width = width
    safe_workbook(wb)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
