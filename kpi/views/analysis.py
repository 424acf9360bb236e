"""Monthly business analysis pages: list, start, detail, edit, submit, comment, review."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.comments import comment_delete, comment_edit
from accounts.models import OrgUnit
from accounts.scoping import get_visible_or_404, local_today
from accounts.views_comments import comment_delete_view, comment_edit_view
from kpi import analysis as analysis_services
from kpi import targets as target_services
from kpi.forms import AnalysisPlanForm, CommentForm
from kpi.models import MonthlyAnalysis, MonthlyAnalysisComment
from kpi.templatetags.kpi_format import as_number, format_value, metric_label
from kpi.views.scopes import _scope, _user, resolve_team


def _visible_analysis(request: HttpRequest, pk: int) -> MonthlyAnalysis:
    """The analysis ``pk`` through its model's rule (``MonthlyAnalysisQuerySet``): 404
    outside the viewer's scope."""
    rows = MonthlyAnalysis.objects.select_related("rep", "team", "author", "reviewed_by")
    return get_visible_or_404(rows, _scope(request), pk=pk)


def _result_rows(
    results: dict[str, dict[str, Any]],
    gaps: dict[str, str],
    live: dict[str, dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """Display rows of frozen (or draft) ``results``; with ``live`` (the results computed
    now), a row whose actual value changed since it was frozen carries ``now``."""
    rows = []
    for metric, r in results.items():
        completion = as_number(r.get("completion"))
        now = (live or {}).get(metric, {}).get("actual") if live is not None else None
        changed = live is not None and as_number(now) != as_number(r.get("actual"))
        rows.append(
            {
                "metric": metric,
                "label": metric_label(metric),
                "target": format_value(r.get("target"), metric),
                "actual": format_value(r.get("actual"), metric),
                "completion": format_value(r.get("completion"), f"{metric}_completion"),
                "bar": None if completion is None else max(0, min(100, round(completion * 100))),
                "short": completion is not None and completion < 1,
                "gap": gaps.get(metric, ""),
                "now": format_value(now, metric) if changed else "",
            }
        )
    return rows


@login_required
@require_GET
def analysis_list(request: HttpRequest) -> HttpResponse:
    """Monthly analyses the viewer may see (own, their team's), newest first, paged;
    with the forms to start a personal or team analysis."""
    scope = _scope(request)
    qs = MonthlyAnalysis.objects.visible_to(scope).select_related("rep", "team", "author")
    page = Paginator(qs.order_by("-month", "team__name", "rep__username"), 25).get_page(
        request.GET.get("page")
    )
    last_month = (local_today().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    supervised = (
        list(OrgUnit.objects.filter(pk__in=sorted(scope.supervised_team_ids)).order_by("name"))
        if not scope.is_admin
        else list(OrgUnit.objects.filter(kind=OrgUnit.Kind.TEAM).order_by("name"))
    )
    context = {
        "page": page,
        "default_month": f"{last_month:%Y-%m}",
        "can_personal": bool(scope.rep_team_ids),
        "supervised": supervised,
    }
    return render(request, "kpi/analysis_list.html", context)


@login_required
@require_POST
def analysis_start(request: HttpRequest) -> HttpResponse:
    """POST: open the personal (``kind=personal``) or team (``team=CODE``) analysis of a
    month, or go to the existing one."""
    scope = _scope(request)
    month = target_services.parse_month(request.POST.get("month"))
    if month is None:
        messages.error(request, _("Choose a month."))
        return redirect("kpi:analysis_list")
    if request.POST.get("kind") == "personal":
        if not scope.rep_team_ids:
            raise PermissionDenied
        team = OrgUnit.objects.get(pk=min(scope.rep_team_ids))
        personal = True
    else:
        team = resolve_team(scope, request.POST.get("team", "")).obj
        personal = False
    analysis = analysis_services.analysis_start(
        by=_user(request), scope=scope, month=month, team=team, personal=personal
    )
    return redirect("kpi:analysis_edit", pk=analysis.pk)


@login_required
@require_GET
def analysis_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An analysis: targets vs results (frozen once submitted), the gap explanations,
    next month's plan, comments and the actions the viewer may take."""
    scope = _scope(request)
    analysis = _visible_analysis(request, pk)
    draft = analysis.status == MonthlyAnalysis.Status.DRAFT
    results = analysis_services.analysis_results(analysis) if draft else analysis.results
    comments = list(
        MonthlyAnalysisComment.objects.filter(analysis=analysis).select_related("author")
    )
    try:
        analysis_services.analysis_check_can_review(analysis=analysis, scope=scope)
        can_review = True
    except PermissionDenied:
        can_review = False
    scope_url = (
        reverse("kpi:rep_dashboard", args=[analysis.rep.username])
        if analysis.rep is not None
        else reverse("kpi:team_dashboard", args=[analysis.team.code])
    )
    context = {
        "analysis": analysis,
        "rows": _result_rows(
            results,
            analysis.gaps,
            None if draft else analysis_services.analysis_results(analysis),
        ),
        "frozen_at": None if draft else analysis.submitted_at,
        "as_of": analysis_services.analysis_as_of(analysis),
        "comments": comments,
        "comment_form": CommentForm(),
        "comment_names": COMMENT_NAMES,
        "can_edit": draft and analysis.author_id == request.user.pk,
        "can_review": can_review,
        "dashboard_url": f"{scope_url}?period={analysis.month:%Y-%m}",
    }
    return render(request, "kpi/analysis_detail.html", context)


@login_required
def analysis_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a draft analysis (its author only; others who see it get 403)."""
    analysis = _visible_analysis(request, pk)
    analysis_services.analysis_check_can_edit(analysis=analysis, user=_user(request))
    results = analysis_services.analysis_results(analysis)
    metrics = [(m, metric_label(m)) for m in results]
    initial = {"plan": analysis.plan, **{f"gap_{m}": analysis.gaps.get(m, "") for m in results}}
    form = AnalysisPlanForm(request.POST or None, initial=initial, metrics=metrics)
    if request.method == "POST" and form.is_valid():
        analysis_services.analysis_update(
            analysis=analysis, user=_user(request), gaps=form.gaps(), plan=form.cleaned_data["plan"]
        )
        if request.POST.get("submit"):
            try:
                analysis_services.analysis_submit(analysis=analysis, user=_user(request))
            except ValidationError as exc:
                form.add_error("plan", exc.message_dict.get("plan", exc.messages))
            else:
                messages.success(request, _("Analysis submitted."))
                return redirect("kpi:analysis_detail", pk=analysis.pk)
        else:
            messages.success(request, _("Draft saved."))
            return redirect("kpi:analysis_edit", pk=analysis.pk)
    rows = _result_rows(results, analysis.gaps)
    for row in rows:
        row["field"] = form[f"gap_{row['metric']}"]
    return render(
        request,
        "kpi/analysis_edit.html",
        {
            "analysis": analysis,
            "form": form,
            "rows": rows,
            "as_of": analysis_services.analysis_as_of(analysis),
        },
    )


@login_required
@require_POST
def analysis_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """POST: submit a draft (author only); freezes the results."""
    analysis = _visible_analysis(request, pk)
    try:
        analysis_services.analysis_submit(analysis=analysis, user=_user(request))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("kpi:analysis_edit", pk=analysis.pk)
    messages.success(request, _("Analysis submitted."))
    return redirect("kpi:analysis_detail", pk=analysis.pk)


@login_required
@require_POST
def analysis_comment(request: HttpRequest, pk: int) -> HttpResponse:
    """POST: add a comment to an analysis the viewer sees."""
    analysis = _visible_analysis(request, pk)
    analysis_services.analysis_check_can_comment(
        analysis=analysis,
        by=request.user,  # type: ignore[arg-type]
        scope=_scope(request),
    )
    form = CommentForm(request.POST)
    if form.is_valid():
        analysis_services.analysis_comment(
            analysis=analysis,
            by=_user(request),
            scope=_scope(request),
            text=form.cleaned_data["text"],
        )
        messages.success(request, _("Comment added."))
    else:
        messages.error(request, _("Write a comment."))
    return redirect("kpi:analysis_detail", pk=analysis.pk)


@login_required
@require_POST
def analysis_review(request: HttpRequest, pk: int) -> HttpResponse:
    """POST: a supervisor/manager of the team marks a submitted analysis reviewed."""
    analysis = _visible_analysis(request, pk)
    analysis_services.analysis_review(
        analysis=analysis,
        by=_user(request),
        scope=_scope(request),
        text=request.POST.get("text", ""),
    )
    messages.success(request, _("Analysis reviewed."))
    return redirect("kpi:analysis_detail", pk=analysis.pk)


def _comment(request: HttpRequest, pk: int) -> MonthlyAnalysisComment:
    comment = (
        MonthlyAnalysisComment.objects.select_related("author", "analysis", "analysis__team")
        .filter(pk=pk)
        .first()
    )
    if comment is None or not analysis_services.analysis_can_see(comment.analysis, _scope(request)):
        raise Http404
    return comment


COMMENT_NAMES = ("kpi:analysis_comment_edit", "kpi:analysis_comment_delete")


@login_required
@require_http_methods(["GET", "POST"])
def analysis_comment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """GET the edit form of one's own analysis comment, POST its new text (marked
    edited). 404 outside the scope, 403 for anyone but the author."""
    comment = _comment(request, pk)

    def edit(text: str) -> MonthlyAnalysisComment:
        comment_edit(comment=comment, by=_user(request), text=text)
        return comment

    return comment_edit_view(
        request,
        comment=comment,
        edit=edit,
        names=COMMENT_NAMES,
        back=reverse("kpi:analysis_detail", args=[comment.analysis_id]),
    )


@login_required
@require_POST
def analysis_comment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete one's own analysis comment (the page asks first)."""
    comment = _comment(request, pk)
    return comment_delete_view(
        request,
        comment=comment,
        delete=lambda: comment_delete(comment=comment, by=_user(request)),
        back=reverse("kpi:analysis_detail", args=[comment.analysis_id]),
    )
