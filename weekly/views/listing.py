"""Personal weekly reports: the list and the detail page with review, comments and the
changes between revisions (docs/domain, section 4).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.middleware import ScopedRequest
from kpi.templatetags.kpi_format import metric_label

from .. import selectors as sel
from .. import services
from ..chasing import report_mark_read
from ..comments import report_comment_add
from ..forms import (
    CommentForm,
    ReviewForm,
)
from ..models import WeeklyReport
from ._common import _figures_context, _report, _scope
from .comments import NAMES as COMMENT_NAMES
from .comments import unreachable_warning, with_mentions


def _text_errors(form: CommentForm, exc: ValidationError) -> None:
    found = exc.messages
    if hasattr(exc, "error_dict"):
        found = exc.message_dict.get("text", exc.messages)
    for message in found:
        form.add_error("text", message)


# --- personal report ----------------------------------------------------------------------


@login_required
@require_GET
def report_list(request: ScopedRequest) -> HttpResponse:
    """Own reports for a rep; for leaders the chosen team's reports (``?team=``,
    ``?week=``). A fixed number of queries whatever the number of reports."""
    scope = _scope(request)
    teams = sel.leader_teams(scope) if (scope.is_admin or scope.visible_team_ids) else []
    team = None
    raw_team = request.GET.get("team")
    if teams:
        wanted = raw_team or str(teams[0].pk)
        team = next((t for t in teams if str(t.pk) == wanted), None)
        if team is None:
            raise Http404
    period = sel.parse_week(request.GET.get("week")) if request.GET.get("week") else None
    if team is not None:
        qs = sel.report_list(scope=scope, team_id=team.pk, period=period)
    else:
        qs = sel.report_list(scope=scope, period=period).filter(rep_id=scope.user_id)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    current = sel.current_period()
    weeks = sel.week_choices(period or current)
    if period is None:
        for w in weeks:
            w["selected"] = False
    return render(
        request,
        "weekly/report_list.html",
        {
            "page": page,
            "querystring": query.urlencode(),
            "teams": teams,
            "team": team,
            "period": period,
            "weeks": weeks,
            "current": current,
            "last_week": current.previous(),
            "current_label": sel.week_label(current),
            "is_rep": scope.is_rep,
        },
    )


def _diff(before: dict[str, Any], report: WeeklyReport) -> list[dict[str, str]]:
    """Changed parts between a revision's content and the current report."""
    after = services.report_content(report)
    out = []
    labels = {
        "analysis": _("Analysis of results"),
        "summary": _("Summary"),
    }
    for key, label in labels.items():
        if (before.get(key) or "") != (after.get(key) or ""):
            out.append(
                {"label": str(label), "before": before.get(key) or "-", "after": after[key] or "-"}
            )
    for metric in sel.WEEK_METRICS:
        b = sel.plan_number(before.get("next_goals") or {}, metric)
        a = sel.plan_number(after["next_goals"], metric)
        if b != a:
            out.append(
                {
                    "label": _("Next week's goal: %(metric)s") % {"metric": metric_label(metric)},
                    "before": sel.fmt_plan(metric, b),
                    "after": sel.fmt_plan(metric, a),
                }
            )
        fb = sel.fmt(metric, sel.figure_value(before.get("figures") or {}, metric))
        fa = sel.fmt(metric, sel.figure_value(after["figures"] or {}, metric))
        if report.is_locked() and fb != fa:
            out.append({"label": metric_label(metric), "before": fb, "after": fa})
    kb = {k["customer"]: k for k in before.get("key_customers") or []}
    ka = {k["customer"]: k for k in after["key_customers"]}
    for name in sorted(set(kb) | set(ka)):
        b_text = (
            " / ".join(filter(None, [kb[name]["needs_analysis"], kb[name]["tracking_plan"]]))
            if name in kb
            else ""
        )
        a_text = (
            " / ".join(filter(None, [ka[name]["needs_analysis"], ka[name]["tracking_plan"]]))
            if name in ka
            else ""
        )
        if name not in kb or name not in ka or b_text != a_text:
            out.append(
                {
                    "label": _("Key customer: %(name)s") % {"name": name},
                    "before": b_text or ("-" if name in kb else _("(not listed)")),
                    "after": a_text or ("-" if name in ka else _("(removed)")),
                }
            )
    return out


def _detail_context(request: ScopedRequest, report: WeeklyReport) -> dict[str, Any]:
    scope = _scope(request)
    revisions = list(report.revisions.all())
    can_review = (
        scope.can_manage_team(report.team_id)
        and (report.rep_id != scope.user_id or scope.is_admin)
        and report.is_locked()
    )
    period = sel.week_period(report)
    team_url = ""
    if scope.can_see_team(report.team_id):
        team_url = reverse("weekly:team_report", args=[report.team.code, period.key])
    return {
        "report": report,
        "period": period,
        "week_label": sel.week_label(period),
        "is_author": report.rep_id == scope.user_id,
        "can_review": can_review,
        "review_form": ReviewForm(initial={"evaluation": report.evaluation}),
        "comment_form": CommentForm(),
        "comments": with_mentions(report.comments.all()),
        "comment_names": COMMENT_NAMES,
        "mentions_url": reverse("weekly:report_mentions", args=[report.pk]),
        "key_customers": list(report.key_customers.select_related("customer")),
        "revisions": revisions,
        "diff": _diff(revisions[0].content, report) if revisions else [],
        "team_url": team_url,
        "readers": list(report.reads.select_related("reader"))
        if report.rep_id == scope.user_id or scope.can_manage_team(report.team_id)
        else None,
        **_figures_context(report),
    }


@login_required
@require_GET
def report_detail(request: ScopedRequest, pk: int) -> HttpResponse:
    """Read a personal report: frozen figures (with "now: X" where the data changed since
    submission), key customers, analysis, goals, summary, evaluation, comments, revisions."""
    report = _report(request, pk)
    report_mark_read(report=report, reader=request.user)
    return render(request, "weekly/report_detail.html", _detail_context(request, report))


@login_required
@require_POST
def report_review(request: ScopedRequest, pk: int) -> HttpResponse:
    """The supervisor's evaluation; marks the report reviewed."""
    report = _report(request, pk)
    services.report_check_can_review(report=report, scope=_scope(request))
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.report_review(
                report=report,
                by=request.user,
                evaluation=form.cleaned_data["evaluation"],
            )
            messages.success(request, _("Weekly report reviewed."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, _("Please correct the evaluation."))
    return redirect("weekly:report_detail", pk=report.pk)


@login_required
@require_POST
def report_comment(request: ScopedRequest, pk: int) -> HttpResponse:
    """Add a comment to a personal report."""
    report = _report(request, pk)
    services.report_check_can_comment(report=report, scope=_scope(request))
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            comment = report_comment_add(
                report=report, by=request.user, text=form.cleaned_data["text"]
            )
        except ValidationError as exc:
            _text_errors(form, exc)
        else:
            messages.success(request, _("Comment added."))
            unreachable_warning(request, comment)
            return redirect(reverse("weekly:report_detail", args=[report.pk]) + "#comments")
    context = _detail_context(request, report)
    context["comment_form"] = form
    return render(request, "weekly/report_detail.html", context, status=400)
