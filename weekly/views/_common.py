"""Helpers shared by the weekly pages: the viewer's scope, visible reports (404 outside the
scope), editable drafts, strict week parsing, form errors from a ValidationError.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404

from accounts.middleware import ScopedRequest
from accounts.scoping import Scope, get_visible_or_404
from customers.selectors import customer_queryset
from kpi.calculations import Period, parse_period

from .. import selectors as sel
from .. import services
from ..models import WeeklyReport


def _scope(request: ScopedRequest) -> Scope:
    return request.scope


def _errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None
            if target is None and f"goal_{field}" in form.fields:
                target = f"goal_{field}"
            for error in errors:
                form.add_error(target, error)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def _report(request: ScopedRequest, pk: int) -> WeeklyReport:
    return get_visible_or_404(sel.report_queryset(_scope(request)), _scope(request), pk=pk)


def _editable(request: ScopedRequest, pk: int) -> WeeklyReport:
    report = _report(request, pk)
    services.report_check_can_edit(report=report, scope=_scope(request))
    return report


def _own_customers(report: WeeklyReport) -> Any:
    return (
        customer_queryset(Scope(user_id=report.rep_id, day=report.week))
        .filter(owner_id=report.rep_id)
        .exclude(stage="lost")
        .order_by("name")
    )


def _strict_week(raw: str) -> Period:
    """The ISO week of a URL (``2026-W05``); 404 for anything else, including weeks
    outside the supported years (``9999-W52`` would overflow the next week's date)."""
    try:
        period = parse_period(raw.upper())
    except ValueError:
        raise Http404 from None
    if period.kind != "week":
        raise Http404
    return period


def _figures_context(report: WeeklyReport) -> dict[str, Any]:
    shown, live = sel.report_figures(report)
    rows = sel.figure_rows(figures=shown, plan=report.plan, next_goals=report.next_goals, live=live)
    frozen = report.is_locked()
    return {
        "rows": rows,
        "frozen": frozen,
        "frozen_at": report.submitted_at if frozen else None,
        "changed": any(r.now for r in rows),
    }
