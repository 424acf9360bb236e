"""Export a month of a rep's journals to .xlsx in the layout of the seed's template
(工作日志—范本: date and weekday, learning topic and takeaways, planned visits with
target / purpose / preparation, actual visit records with analysis and next step and the
contact type (in person, phone, WeChat, e-mail), daily summary, supervisor evaluation and
advice), one sheet per day after a summary sheet. The summary counts in-person visits apart
from calls, WeChats and e-mails (docs/domain, section 9, "Visits and follow-ups").
Every cell goes through the safe cell writer (``spreadsheets.writing``): what a rep typed
is written as text, never as a formula."""

from __future__ import annotations

import datetime as dt
import io

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from accounts.models import User
from spreadsheets.writing import safe_append, safe_cell, safe_workbook

from . import calculations as calc
from .models import Journal, PlanItem, Visit
from .presentation import ACHIEVEMENT_LABELS

THIN = Side(style="thin", color="999999")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD = PatternFill("solid", fgColor="DCE6F1")
SECTION = PatternFill("solid", fgColor="F2F2F2")
WRAP = Alignment(wrap_text=True, vertical="top")
WIDTHS = [12, 18, 12, 28, 24, 24, 24, 22, 12]
COLS = len(WIDTHS)


def _weekday(day: dt.date) -> str:
    names = [_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday")]
    names += [_("Saturday"), _("Sunday")]
    return names[day.weekday()]


def _row(
    ws: Worksheet,
    r: int,
    values: list[object],
    *,
    fill: PatternFill | None = None,
    bold: bool = False,
) -> None:
    for c, value in enumerate(values, start=1):
        cell = safe_cell(ws.cell(row=r, column=c), value)
        cell.border = BOX
        cell.alignment = WRAP
        if fill:
            cell.fill = fill
        if bold:
            cell.font = Font(bold=True)


def _labelled(ws: Worksheet, r: int, label: str, value: str) -> None:
    """A label cell and the value merged across the rest of the row."""
    safe_cell(ws.cell(row=r, column=1), label).font = Font(bold=True)
    ws.cell(row=r, column=1).fill = SECTION
    safe_cell(ws.cell(row=r, column=2), value).alignment = WRAP
    ws.merge_cells(start_row=r, start_column=2, end_row=r, end_column=COLS)
    for c in range(1, COLS + 1):
        ws.cell(row=r, column=c).border = BOX
    lines = max(1, len(value) // 80 + value.count("\n") + 1)
    ws.row_dimensions[r].height = min(200, 15 * lines)


def _section(ws: Worksheet, r: int, title: str) -> None:
    safe_cell(ws.cell(row=r, column=1), title).font = Font(bold=True, size=12)
    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=COLS)
    ws.cell(row=r, column=1).fill = HEAD


def _journal_sheet(ws: Worksheet, journal: Journal, rep: User) -> None:
    for i, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    safe_cell(ws.cell(row=1, column=1), _("Daily work journal")).font = Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=COLS)
    ws.cell(row=1, column=1).alignment = Alignment(horizontal="center")
    safe_cell(
        ws.cell(row=2, column=1),
        f"{journal.day:%Y-%m-%d} {_weekday(journal.day)}    {rep.name}    "
        f"{journal.team.name}    {journal.get_status_display()}"
        + (f" ({_('late')})" if journal.is_late else ""),
    )
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=COLS)
    r = 3
    _labelled(ws, r, _("Learning topic"), journal.learning_topic)
    _labelled(ws, r + 1, _("My takeaways"), journal.takeaways)
    r += 3
    plan: list[PlanItem] = list(journal.plan_items.all())
    visits: list[Visit] = list(journal.visits.all())
    _section(ws, r, _("Planned visits"))
    r += 1
    _row(
        ws,
        r,
        [_("Kind"), _("Visit target"), _("Purpose"), _("Preparation")],
        fill=SECTION,
        bold=True,
    )
    r += 1
    for item in plan:
        _row(
            ws,
            r,
            [
                item.get_kind_display(),
                item.customer.name if item.customer else "-",
                item.get_purpose_display(),
                item.preparation,
            ],
        )
        r += 1
    if not plan:
        _row(ws, r, [_("No plan"), "", "", ""])
        r += 1
    r += 1
    _section(ws, r, _("Visits and follow-ups"))
    r += 1
    _row(
        ws,
        r,
        [
            _("Time"),
            _("Visit target"),
            _("Purpose"),
            _("Information gathered"),
            _("What the customer agreed"),
            _("Analysis and judgement"),
            _("Next step"),
            _("Effective"),
            _("Type"),
        ],
        fill=SECTION,
        bold=True,
    )
    r += 1
    for v in visits:
        next_step = v.next_step + (f" ({v.next_step_date:%Y-%m-%d})" if v.next_step_date else "")
        _row(
            ws,
            r,
            [
                timezone.localtime(v.occurred_at).strftime("%H:%M"),
                v.customer.name,
                v.get_purpose_display(),
                v.learned,
                v.agreed,
                v.analysis,
                next_step,
                _("yes") if v.is_effective else _("no"),
                v.get_channel_display(),
            ],
        )
        r += 1
    if not visits:
        _row(ws, r, [_("No visits or follow-ups recorded."), *[""] * (COLS - 1)])
        r += 1
    r += 1
    _section(ws, r, _("Plan achievement"))
    r += 1
    _row(
        ws, r, [_("Purpose"), _("Planned"), _("Actual"), _("Achievement")], fill=SECTION, bold=True
    )
    r += 1
    for row in calc.plan_achievement(
        [p.purpose for p in plan], [(v.purpose, v.channel) for v in visits]
    ):
        if not (row.planned or row.actual):
            continue
        _row(
            ws,
            r,
            [
                str(ACHIEVEMENT_LABELS.get(row.key, row.key)),
                row.planned,
                row.actual,
                "-" if row.percent is None else f"{row.percent}%",
            ],
        )
        r += 1
    r += 1
    _labelled(ws, r, _("Daily summary"), journal.summary)
    _labelled(ws, r + 1, _("Supervisor evaluation and advice"), journal.evaluation)


def month_workbook(*, rep: User, month: dt.date, journals: QuerySet[Journal]) -> bytes:
    """The .xlsx bytes of ``rep``'s journals in ``month`` (``journals`` must already be
    restricted to what the viewer sees). A summary sheet, then one sheet per day."""
    rows = list(
        journals.select_related("team")
        .prefetch_related(
            Prefetch("plan_items", queryset=PlanItem.objects.select_related("customer")),
            Prefetch("visits", queryset=Visit.objects.select_related("customer")),
        )
        .order_by("day")
    )
    wb = Workbook()
    summary = wb.active
    summary.title = _("Summary")[:31]
    safe_append(summary, [_("Daily work journal"), rep.name, f"{month:%Y-%m}"])
    summary.append([])
    header = [
        _("Day"),
        _("Weekday"),
        _("Status"),
        _("Late"),
        _("Planned visits"),
        _("Visits"),
        _("Calls, WeChats and e-mails"),
        _("Effective visits"),
    ]
    for cell in safe_append(summary, header):
        cell.font = Font(bold=True)
        cell.fill = HEAD
    for journal in rows:
        visits = list(journal.visits.all())
        in_person = [v for v in visits if v.is_in_person]  # docs/domain 9: visits in person
        plan = list(journal.plan_items.all())
        safe_append(
            summary,
            [
                journal.day,
                _weekday(journal.day),
                journal.get_status_display(),
                _("yes") if journal.is_late else "",
                sum(1 for p in plan if p.kind == PlanItem.Kind.VISIT),
                len(in_person),
                len(visits) - len(in_person),
                sum(1 for v in in_person if v.is_effective),
            ],
        )
        summary.cell(row=summary.max_row, column=1).number_format = "yyyy-mm-dd"
    for i, width in enumerate([12, 10, 10, 8, 14, 10, 16, 14], start=1):
        summary.column_dimensions[get_column_letter(i)].width = width
    for journal in rows:
        _journal_sheet(wb.create_sheet(f"{journal.day:%Y-%m-%d}"), journal, rep)
    out = io.BytesIO()
    safe_workbook(wb)  # user text never becomes a live formula
    wb.save(out)
    return out.getvalue()
