"""Export weekly reports to .xlsx in the layout of the seed's template (docs/domain, section 4:
重点客户开发 第N周 小组活动统计): a merged title cell with the team and ISO week number, the
table with the team target and a plan/achieved column pair per member, percentages
formatted as percent, then the key-customer and key-coachee tables and the summary.
The personal report follows the same style. Every cell goes through the safe cell writer
(``spreadsheets.writing``): numbers are written as numbers, text never as a formula; a
figure with no value (empty denominator, no plan) is written as "-"."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from accounts.models import OrgUnit
from kpi.calculations import Period
from kpi.templatetags.kpi_format import metric_label
from spreadsheets.writing import safe_cell, safe_workbook

from . import selectors as sel
from .models import TeamWeeklyReport, WeeklyReport

THIN = Side(style="thin", color="999999")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD = PatternFill("solid", fgColor="DCE6F1")
SECTION = PatternFill("solid", fgColor="F2F2F2")
WRAP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
PERCENT = "0.0%"
MONEY = "#,##0.00"
COUNT = "0"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _number_format(row: str) -> str:
    if row in sel.RATE_METRICS or row == "achievement":
        return PERCENT
    if row in sel.MONEY_METRICS:
        return MONEY
    return COUNT


def _put(ws: Worksheet, r: int, c: int, value: Any, fmt: str | None = None, **style: Any) -> None:
    if isinstance(value, Decimal):
        value = float(value)
    cell = safe_cell(ws.cell(row=r, column=c), "-" if value is None else value)
    cell.border = BOX
    cell.alignment = style.get("alignment", WRAP)
    if fmt and value is not None:
        cell.number_format = fmt
    if style.get("fill"):
        cell.fill = style["fill"]
    if style.get("bold"):
        cell.font = Font(bold=True)


def _title(ws: Worksheet, r: int, text: str, width: int, *, size: int = 14) -> None:
    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=width)
    cell = safe_cell(ws.cell(row=r, column=1), text)
    cell.font = Font(bold=True, size=size)
    cell.alignment = CENTER


def _section(ws: Worksheet, r: int, text: str, width: int) -> None:
    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=width)
    cell = safe_cell(ws.cell(row=r, column=1), text)
    cell.font = Font(bold=True)
    cell.fill = SECTION


def _table(ws: Worksheet, r: int, headers: list[str], rows: list[list[Any]], width: int) -> int:
    """A simple table: headers then rows; the last column is merged up to ``width``."""
    for c, h in enumerate(headers, start=1):
        _put(ws, r, c, h, fill=HEAD, bold=True)
    if len(headers) < width:
        ws.merge_cells(start_row=r, start_column=len(headers), end_row=r, end_column=width)
    r += 1
    if not rows:
        safe_cell(ws.cell(row=r, column=1), _("None"))
        return r + 1
    for values in rows:
        for c, v in enumerate(values, start=1):
            _put(ws, r, c, v)
        if len(values) < width:
            ws.merge_cells(start_row=r, start_column=len(values), end_row=r, end_column=width)
        r += 1
    return r


def _text(ws: Worksheet, r: int, label: str, value: str, width: int) -> int:
    _put(ws, r, 1, label, fill=HEAD, bold=True)
    ws.merge_cells(start_row=r, start_column=2, end_row=r, end_column=width)
    safe_cell(ws.cell(row=r, column=2), value or "-").alignment = WRAP
    return r + 1


def team_title(team: OrgUnit, period: Period) -> str:
    """'北一组 重点客户开发 第5周 小组活动统计' (translated), with the ISO week number."""
    return _("%(team)s key customer development, week %(week)s: team activity statistics") % {
        "team": team.name,
        "week": period.start.isocalendar().week,
    }


def team_workbook(
    *,
    team: OrgUnit,
    period: Period,
    table: sel.TeamTable,
    key_customers: list[Any],
    coachees: list[Any],
    report: TeamWeeklyReport | None,
) -> Workbook:
    """The team report workbook. Columns: indicator, team target, then per member a
    plan/achieved pair, then the team's total achieved. Rows: weekly.selectors.TEAM_ROWS."""
    wb = Workbook()
    ws = wb.active
    ws.title = period.key
    width = 2 + 2 * len(table.members) + 1
    width = max(width, 4)
    _title(ws, 1, team_title(team, period), width)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    safe_cell(ws.cell(row=2, column=1), sel.week_label(period)).alignment = CENTER
    _put(ws, 3, 1, _("Indicator"), fill=HEAD, bold=True, alignment=CENTER)
    _put(ws, 3, 2, _("Team target"), fill=HEAD, bold=True, alignment=CENTER)
    ws.merge_cells(start_row=3, start_column=1, end_row=4, end_column=1)
    ws.merge_cells(start_row=3, start_column=2, end_row=4, end_column=2)
    for i, member in enumerate(table.members):
        col = 3 + 2 * i
        _put(ws, 3, col, member.name, fill=HEAD, bold=True, alignment=CENTER)
        ws.merge_cells(start_row=3, start_column=col, end_row=3, end_column=col + 1)
        _put(ws, 4, col, _("Plan"), fill=HEAD, bold=True, alignment=CENTER)
        _put(ws, 4, col + 1, _("Achieved"), fill=HEAD, bold=True, alignment=CENTER)
    total_col = 3 + 2 * len(table.members)
    _put(ws, 3, total_col, _("Team achieved"), fill=HEAD, bold=True, alignment=CENTER)
    ws.merge_cells(start_row=3, start_column=total_col, end_row=4, end_column=total_col)
    r = 5
    for row in table.rows:
        cells = table.cells[row]
        fmt = _number_format(row)
        _put(ws, r, 1, table.labels[row], bold=True)
        _put(ws, r, 2, cells["target"], fmt)
        for i, (plan, actual) in enumerate(cells["members"]):
            _put(ws, r, 3 + 2 * i, plan, fmt)
            _put(ws, r, 4 + 2 * i, actual, fmt)
        _put(ws, r, total_col, cells.get("team_actual"), fmt)
        r += 1
    r += 1
    _section(ws, r, _("Key customers"), width)
    r = _table(
        ws,
        r + 1,
        [_("Customer"), _("Needs analysis"), _("Owner"), _("This week's tracking plan")],
        [
            [k.customer.name, k.needs_analysis, k.owner.name if k.owner else "-", k.tracking_plan]
            for k in key_customers
        ],
        width,
    )
    r += 1
    _section(ws, r, _("Key coachees"), width)
    r = _table(
        ws,
        r + 1,
        [_("Name"), _("Problem"), _("Coaching content"), _("Tracked effect")],
        [[c.rep.name, c.problem, c.coaching_content, c.tracked_effect] for c in coachees],
        width,
    )
    r += 1
    r = _text(ws, r, _("Team summary"), report.summary if report else "", width)
    _text(ws, r, _("Next week's training"), report.training_topics if report else "", width)
    ws.column_dimensions["A"].width = 18
    for c in range(2, width + 1):
        ws.column_dimensions[get_column_letter(c)].width = 14
    return wb


def report_workbook(
    *, report: WeeklyReport, figures: dict[str, Any], key_customers: list[Any]
) -> Workbook:
    """The personal report workbook: merged title (rep, week number and dates), the
    indicators with plan, actual, achievement rate (percent) and next week's goal, then
    key customers, analysis, summary and the supervisor's evaluation."""
    period = sel.week_period(report)
    wb = Workbook()
    ws = wb.active
    ws.title = period.key
    width = 5
    _title(
        ws,
        1,
        _("%(rep)s weekly report, week %(week)d")
        % {"rep": report.rep.name, "week": period.start.isocalendar().week},
        width,
    )
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    safe_cell(
        ws.cell(row=2, column=1), f"{report.team.name} · {sel.week_label(period)}"
    ).alignment = CENTER
    headers = [_("Indicator"), _("Plan"), _("Actual"), _("Achievement rate"), _("Next week's goal")]
    for c, h in enumerate(headers, start=1):
        _put(ws, 3, c, h, fill=HEAD, bold=True, alignment=CENTER)
    r = 4
    for metric in sel.WEEK_METRICS:
        fmt = _number_format(metric)
        actual = sel.figure_value(figures, metric)
        planned = sel.plan_number(report.plan, metric)
        goal = sel.plan_number(report.next_goals, metric)
        if metric in sel.RATE_METRICS:
            planned = planned / 100 if planned is not None else None
            goal = goal / 100 if goal is not None else None
        _put(ws, r, 1, metric_label(metric), bold=True)
        _put(ws, r, 2, planned, fmt)
        _put(ws, r, 3, actual, fmt)
        _put(
            ws, r, 4, sel.achievement(metric, actual, sel.plan_number(report.plan, metric)), PERCENT
        )
        _put(ws, r, 5, goal, fmt)
        r += 1
    r += 1
    _section(ws, r, _("Key customers in progress"), width)
    r = _table(
        ws,
        r + 1,
        [_("Customer"), _("Needs analysis"), _("Tracking plan")],
        [[k.customer.name, k.needs_analysis, k.tracking_plan] for k in key_customers],
        width,
    )
    r += 1
    r = _text(ws, r, _("Analysis of results"), report.analysis, width)
    r = _text(ws, r, _("Summary"), report.summary, width)
    _text(ws, r, _("Supervisor evaluation and advice"), report.evaluation, width)
    ws.column_dimensions["A"].width = 22
    for c in range(2, width + 1):
        ws.column_dimensions[get_column_letter(c)].width = 18
    return wb


def workbook_response(wb: Workbook, filename: str) -> HttpResponse:
    """An attachment response with the workbook's bytes."""
    buf = io.BytesIO()
    safe_workbook(wb)  # user text never becomes a live formula
    wb.save(buf)
    response = HttpResponse(buf.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
