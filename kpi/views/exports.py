"""Dashboard export to Excel."""

from __future__ import annotations

import io
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET
from openpyxl import Workbook
from openpyxl.styles import Font

from kpi.templatetags.kpi_format import as_number, metric_kind, metric_label
from kpi.views.dashboard_data import dashboard_data
from kpi.views.scopes import _scope, parse_period_params, resolve_scope_key
from spreadsheets.writing import safe_append

_FORMATS = {"rate": "0.0%", "money": "#,##0.00", "count": "0"}


def _sheet(
    wb: Workbook,
    title: str,
    headers: list[str],
    rows: list[list[Any]],
    kinds: list[list[str]] | None = None,
) -> None:
    """A sheet of plain cells written by the safe cell writer (``spreadsheets.writing``):
    text is never a formula; ``kinds`` (per cell 'rate' | 'money' | 'count' | '') sets
    number formats of the numeric cells."""
    ws = wb.create_sheet(title=title[:31])
    for cell in safe_append(ws, [str(h) for h in headers]):
        cell.font = Font(bold=True)
    for r, row in enumerate(rows):
        for c, cell in enumerate(safe_append(ws, row)):
            if cell.data_type == "n" and kinds and kinds[r][c] in _FORMATS:
                cell.number_format = _FORMATS[kinds[r][c]]


def _xlsx_cell(value: Any) -> Any:
    raw = as_number(value)
    return "-" if raw is None else raw


@login_required
@require_GET
def dashboard_export(request: HttpRequest) -> HttpResponse:
    """The dashboard's tables as .xlsx (KPIs with MoM or WoW and YoY, funnel, trend, ranking,
    completion, composite). Rates as fractions, no value as "-". 404 outside scope."""
    ds = resolve_scope_key(_scope(request), request.GET.get("scope", ""))
    period = parse_period_params(request.GET)
    data = dashboard_data(ds, period, segment=request.GET.get("segment", ""))
    wb = Workbook()
    wb.remove(wb.active)
    _sheet(
        wb,
        _("KPIs"),
        [_("Metric"), _("Value"), data["compare"]["prev_title"], data["compare"]["year_title"]],
        [
            [
                t["label"],
                _xlsx_cell(t["value"]),
                (t["mom"] or {}).get("text", "-"),
                (t["yoy"] or {}).get("text", "-"),
            ]
            for t in data["tiles"]
        ],
        [["", metric_kind(t["metric"]), "", ""] for t in data["tiles"]],
    )
    _sheet(
        wb,
        _("Funnel"),
        [_("Stage"), _("Customers"), _("Step rate")],
        [[f["label"], _xlsx_cell(f["value"]), _xlsx_cell(f["step"])] for f in data["funnel"]],
        [["", "count", "rate"] for _f in data["funnel"]],
    )
    _sheet(
        wb,
        _("Trend"),
        [_("Period"), *[metric_label(m) for m in data["trend_names"]]],
        [[r["period"], *[_xlsx_cell(c["value"]) for c in r["cells"]]] for r in data["trend_rows"]],
        [["", *[metric_kind(m) for m in data["trend_names"]]] for _r in data["trend_rows"]],
    )
    _sheet(
        wb,
        _("Ranking"),
        [
            _("Rank"),
            _("Name") if ds.kind == "team" else pgettext("object name", "Name"),
            *[metric_label(m) for m in data["rank_metrics"]],
        ],
        [
            [r["rank"] or "-", r["label"], *[_xlsx_cell(c["value"]) for c in r["cells"]]]
            for r in data["ranking"]
        ],
        [["", "", *[metric_kind(m) for m in data["rank_metrics"]]] for _r in data["ranking"]],
    )
    _sheet(
        wb,
        _("Targets"),
        [_("Metric"), _("Actual"), _("Target"), _("Completion")],
        [
            [
                c["label"],
                _xlsx_cell(c["actual"]),
                _xlsx_cell(c["target"]),
                _xlsx_cell(c["completion"]),
            ]
            for c in data["completion"]
        ],
        [["", "", "", "rate"] for _c in data["completion"]],
    )
    _sheet(
        wb,
        _("Composite"),
        [_("Group"), _("Item"), _("Share")],
        [
            [str(g["title"]), i["label"], _xlsx_cell(i["value"])]
            for g in data["composite"]
            for i in g["items"]
        ],
        [["", "", "rate"] for g in data["composite"] for _i in g["items"]],
    )
    buffer = io.BytesIO()
    wb.save(buffer)
    name = f"kpi-{ds.key.replace(':', '-')}-{period.key}.xlsx"
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
