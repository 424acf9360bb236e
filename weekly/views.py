"""Weekly report pages (DOMAIN.md section 4; issue 5): the rep's personal report (opened
prefilled for the current week), report list and detail with review, comments and
revisions; the team report (小组活动统计) and the weekly meeting (周例会); .xlsx exports.

Views are thin: parse input, call a service or selector, render. Objects outside the
viewer's scope answer 404; visible but read-only ones answer 403 on write.
"""

from __future__ import annotations

import contextlib
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import OrgUnit
from accounts.scoping import Scope, get_visible_or_404
from customers.selectors import customer_queryset
from kpi.calculations import Period, iso_week_period, weeks_in_iso_year

from . import selectors as sel
from . import services
from .exporting import report_workbook, team_workbook, workbook_response
from .forms import (
    CommentForm,
    KeyCoacheeForm,
    KeyCustomerForm,
    ReportForm,
    ReviewForm,
    TeamReportForm,
)
from .models import KeyCoachee, TeamKeyCustomer, TeamWeeklyReport, WeeklyKeyCustomer, WeeklyReport


def _scope(request: HttpRequest) -> Scope:
    return request.scope  # type: ignore[attr-defined,no-any-return]


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


def _report(request: HttpRequest, pk: int) -> WeeklyReport:
    return get_visible_or_404(sel.report_queryset(_scope(request)), _scope(request), pk=pk)


def _editable(request: HttpRequest, pk: int) -> WeeklyReport:
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
    try:
        year, week = raw.upper().split("-W")
        if not 1 <= int(week) <= weeks_in_iso_year(int(year)):
            raise Http404
        return iso_week_period(int(year), int(week))
    except ValueError:
        raise Http404 from None


# --- personal report ----------------------------------------------------------------------


@login_required
@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
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


@login_required
@require_GET
def report_current(request: HttpRequest) -> HttpResponse:
    """The viewer's own report of the current week (or ``?week=``), created prefilled on
    first open; a draft opens in the editor, a submitted one in the detail page."""
    scope = _scope(request)
    period = sel.parse_week(request.GET.get("week"))
    if period.start > sel.current_period().start:
        messages.error(request, _("A weekly report can only be written once the week has begun."))
        return redirect("weekly:report_list")
    try:
        report = services.report_get_or_create(rep=request.user, period=period)  # type: ignore[arg-type]
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("weekly:report_list")
    if report.rep_id != scope.user_id:  # pragma: no cover - defensive
        raise Http404
    if report.is_locked():
        return redirect("weekly:report_detail", pk=report.pk)
    return redirect("weekly:report_edit", pk=report.pk)


def _figures_context(report: WeeklyReport) -> dict[str, Any]:
    shown, live = sel.report_figures(report)
    rows = sel.figure_rows(figures=shown, plan=report.plan, next_goals=report.next_goals, live=live)
    return {"rows": rows, "frozen": report.is_locked(), "changed": any(r.now for r in rows)}


@login_required
def report_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The rep's editor: live figures vs plan, key customers, analysis, next week's goals,
    summary. POST saves (and submits with ``action=submit``). Author and draft only."""
    report = _editable(request, pk)
    form = ReportForm(
        request.POST or None,
        initial=ReportForm.initial_for(report.analysis, report.summary, report.next_goals),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.report_update(
                report=report,
                by=request.user,  # type: ignore[arg-type]
                analysis=form.cleaned_data["analysis"],
                summary=form.cleaned_data["summary"],
                next_goals=form.goals(),
            )
            if request.POST.get("action") == "submit":
                services.report_submit(report=report, by=request.user)  # type: ignore[arg-type]
                messages.success(request, _("Weekly report submitted."))
                return redirect("weekly:report_detail", pk=report.pk)
            messages.success(request, _("Weekly report saved."))
            return redirect("weekly:report_edit", pk=report.pk)
        except ValidationError as exc:
            _errors(form, exc)
    return render(
        request,
        "weekly/report_edit.html",
        {
            "report": report,
            "period": sel.week_period(report),
            "week_label": sel.week_label(sel.week_period(report)),
            "form": form,
            "key_form": KeyCustomerForm(customers=_own_customers(report)),
            "key_customers": list(report.key_customers.select_related("customer")),
            **_figures_context(report),
        },
    )


@login_required
@require_POST
def report_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Submit the viewer's draft: the figures are frozen as computed now."""
    report = _editable(request, pk)
    services.report_submit(report=report, by=request.user)  # type: ignore[arg-type]
    messages.success(request, _("Weekly report submitted."))
    return redirect("weekly:report_detail", pk=report.pk)


@login_required
@require_POST
def report_amend(request: HttpRequest, pk: int) -> HttpResponse:
    """Reopen the viewer's submitted report; the submitted version is kept as a revision."""
    report = _report(request, pk)
    services.report_check_can_amend(report=report, scope=_scope(request))
    services.report_amend(report=report, by=request.user)  # type: ignore[arg-type]
    messages.info(
        request,
        _("Amending: the submitted version is kept as revision %(n)d.")
        % {"n": report.revision - 1},
    )
    return redirect("weekly:report_edit", pk=report.pk)


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
                    "label": _("Next week's goal: %(metric)s")
                    % {"metric": sel.METRIC_LABELS[metric]},
                    "before": sel.fmt_plan(metric, b),
                    "after": sel.fmt_plan(metric, a),
                }
            )
        fb = sel.fmt(metric, sel.figure_value(before.get("figures") or {}, metric))
        fa = sel.fmt(metric, sel.figure_value(after["figures"] or {}, metric))
        if report.is_locked() and fb != fa:
            out.append({"label": str(sel.METRIC_LABELS[metric]), "before": fb, "after": fa})
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


def _detail_context(request: HttpRequest, report: WeeklyReport) -> dict[str, Any]:
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
        "comments": list(report.comments.select_related("author")),
        "key_customers": list(report.key_customers.select_related("customer")),
        "revisions": revisions,
        "diff": _diff(revisions[0].content, report) if revisions else [],
        "team_url": team_url,
        **_figures_context(report),
    }


@login_required
@require_GET
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Read a personal report: frozen figures (with "now: X" where the data changed since
    submission), key customers, analysis, goals, summary, evaluation, comments, revisions."""
    report = _report(request, pk)
    return render(request, "weekly/report_detail.html", _detail_context(request, report))


@login_required
@require_POST
def report_review(request: HttpRequest, pk: int) -> HttpResponse:
    """The supervisor's evaluation; marks the report reviewed."""
    report = _report(request, pk)
    services.report_check_can_review(report=report, scope=_scope(request))
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.report_review(
                report=report,
                by=request.user,  # type: ignore[arg-type]
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
def report_comment(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a comment to a personal report."""
    report = _report(request, pk)
    services.report_check_can_comment(report=report, scope=_scope(request))
    form = CommentForm(request.POST)
    if form.is_valid():
        services.report_comment_add(report=report, by=request.user, text=form.cleaned_data["text"])  # type: ignore[arg-type]
        messages.success(request, _("Comment added."))
        return redirect(reverse("weekly:report_detail", args=[report.pk]) + "#comments")
    context = _detail_context(request, report)
    context["comment_form"] = form
    return render(request, "weekly/report_detail.html", context, status=400)


@login_required
@require_POST
def key_customer_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a key customer in progress (one of the rep's own customers) to a draft."""
    report = _editable(request, pk)
    form = KeyCustomerForm(request.POST, customers=_own_customers(report))
    if form.is_valid():
        try:
            services.key_customer_add(
                report=report,
                by=request.user,  # type: ignore[arg-type]
                customer=form.cleaned_data["customer"],
                needs_analysis=form.cleaned_data["needs_analysis"],
                tracking_plan=form.cleaned_data["tracking_plan"],
            )
            return redirect(reverse("weekly:report_edit", args=[report.pk]) + "#key-customers")
        except ValidationError as exc:
            _errors(form, exc)
    return render(
        request,
        "weekly/report_edit.html",
        {
            "report": report,
            "period": sel.week_period(report),
            "week_label": sel.week_label(sel.week_period(report)),
            "form": ReportForm(
                initial=ReportForm.initial_for(report.analysis, report.summary, report.next_goals)
            ),
            "key_form": form,
            "key_customers": list(report.key_customers.select_related("customer")),
            **_figures_context(report),
        },
        status=400,
    )


@login_required
@require_POST
def key_customer_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove a key customer from a draft."""
    scope = _scope(request)
    item = get_visible_or_404(
        WeeklyKeyCustomer.objects.filter(report__in=sel.report_queryset(scope)).select_related(
            "report"
        ),
        scope,
        pk=pk,
    )
    services.report_check_can_edit(report=item.report, scope=scope)
    services.key_customer_remove(item=item, by=request.user)  # type: ignore[arg-type]
    return redirect(reverse("weekly:report_edit", args=[item.report_id]) + "#key-customers")


@login_required
@require_GET
def report_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The personal report as .xlsx (title, figures vs plan, key customers, texts)."""
    report = _report(request, pk)
    shown, _live = sel.report_figures(report)
    wb = report_workbook(
        report=report,
        figures=shown,
        key_customers=list(report.key_customers.select_related("customer")),
    )
    name = f"weekly-{report.rep.username}-{sel.week_period(report).key}.xlsx"
    return workbook_response(wb, name)


# --- team report --------------------------------------------------------------------------


def _team(request: HttpRequest, code: str) -> OrgUnit:
    scope = _scope(request)
    team = OrgUnit.objects.filter(code=code, kind=OrgUnit.Kind.TEAM).first()
    if team is None or not scope.can_see_team(team.pk):
        raise Http404
    return team


def _team_report(request: HttpRequest, pk: int) -> TeamWeeklyReport:
    scope = _scope(request)
    report = TeamWeeklyReport.objects.select_related("team").filter(pk=pk).first()
    if report is None or not scope.can_see_team(report.team_id):
        raise Http404
    return report


def _team_url(report: TeamWeeklyReport) -> str:
    return reverse("weekly:team_report", args=[report.team.code, sel.week_period(report).key])


def _team_table(report: TeamWeeklyReport | None, team: OrgUnit, period: Period) -> dict[str, Any]:
    """The table from the frozen snapshot of a submitted report (with the live one to
    flag changes), else live. ``members`` are dicts {id, name}."""
    live = services.team_snapshot(team.pk, period)
    snap = live
    frozen = bool(report and report.status != "draft" and report.figures)
    if frozen:
        snap = report.figures  # type: ignore[union-attr]
    table = _table_from(snap)
    changed_cells: dict[tuple[str, int], str] = {}
    if frozen:
        live_table = _table_from(live)
        if [m["id"] for m in live["members"]] == [m["id"] for m in snap["members"]]:
            for r1, r2 in zip(table.display_rows(), live_table.display_rows(), strict=True):
                for i, (p1, p2) in enumerate(zip(r1["pairs"], r2["pairs"], strict=True)):
                    if p1[1] != p2[1]:
                        changed_cells[(r1["row"], i)] = p2[1]
    rows = table.display_rows()
    for r in rows:
        r["cells"] = [
            {"plan": p, "actual": a, "now": changed_cells.get((r["row"], i))}
            for i, (p, a) in enumerate(r["pairs"])
        ]
    return {
        "table": table,
        "table_rows": rows,
        "members": snap["members"],
        "frozen": frozen,
        "changed": bool(changed_cells),
    }


def _table_from(snap: dict[str, Any]) -> sel.TeamTable:
    class _M:
        def __init__(self, pk: int, name: str) -> None:
            self.pk = pk
            self.name = name

    members = [_M(m["id"], m["name"]) for m in snap["members"]]
    plans = {int(k): v for k, v in snap["plans"].items()}
    return sel.team_table(members=members, figures=snap["figures"], plans=plans)  # type: ignore[arg-type]


def _coachees(report: TeamWeeklyReport | None) -> list[KeyCoachee]:
    """Key coachees with ``plan_url`` set when the coaching app's plan page exists."""
    if report is None:
        return []
    items = list(report.key_coachees.select_related("rep", "plan"))
    for c in items:
        c.plan_url = ""  # type: ignore[attr-defined]
        if c.plan_id:
            with contextlib.suppress(NoReverseMatch):
                c.plan_url = reverse("coaching:plan_detail", args=[c.plan_id])  # type: ignore[attr-defined]
    return items


def _team_context(
    request: HttpRequest, team: OrgUnit, period: Period, report: TeamWeeklyReport | None
) -> dict[str, Any]:
    scope = _scope(request)
    members = sel.team_members(team.pk, period)
    can_edit = scope.can_manage_team(team.pk) and (report is None or report.status == "draft")
    ctx: dict[str, Any] = {
        "team": team,
        "period": period,
        "week_label": sel.week_label(period),
        "weeks": sel.week_choices(period),
        "report": report,
        "can_edit": can_edit,
        "can_manage": scope.can_manage_team(team.pk),
        "can_review": bool(
            report
            and report.status == "submitted"
            and (scope.is_admin or team.pk in scope.managed_team_ids)
        ),
        "key_customers": list(report.key_customers.select_related("customer", "owner"))
        if report
        else [],
        "coachees": _coachees(report),
        "comments": list(report.comments.select_related("author")) if report else [],
        "comment_form": CommentForm(),
        **_team_table(report, team, period),
    }
    if report and can_edit:
        ctx["form"] = TeamReportForm(
            initial={"summary": report.summary, "training_topics": report.training_topics}
        )
        ctx["key_form"] = KeyCustomerForm(
            customers=customer_queryset(scope)
            .filter(team_id=team.pk)
            .exclude(stage="lost")
            .order_by("name")
        )
        ctx["coachee_form"] = KeyCoacheeForm(members=members)
    ctx["personal"] = list(
        WeeklyReport.objects.filter(team_id=team.pk, week=period.start).select_related("rep")
    )
    return ctx


@login_required
def team_report(request: HttpRequest, code: str, week: str) -> HttpResponse:
    """The team weekly report (小组活动统计) of a team and ISO week ``2026-W05``: created
    prefilled on first open by the supervisor; POST saves the texts (and submits with
    ``action=submit``). Visible to the team's supervisor, managers above and admins."""
    team = _team(request, code)
    period = _strict_week(week)
    scope = _scope(request)
    report = TeamWeeklyReport.objects.filter(team=team, week=period.start).first()
    if (
        report is None
        and scope.can_manage_team(team.pk)
        and period.start <= sel.current_period().start
    ):
        report = services.team_report_get_or_create(team=team, period=period, by=request.user)  # type: ignore[arg-type]
    if request.method == "POST":
        if report is None:
            raise Http404
        form = TeamReportForm(request.POST)
        if form.is_valid():
            services.team_report_update(
                report=report,
                by=request.user,  # type: ignore[arg-type]
                summary=form.cleaned_data["summary"],
                training_topics=form.cleaned_data["training_topics"],
            )
            if request.POST.get("action") == "submit":
                services.team_report_submit(report=report, by=request.user)  # type: ignore[arg-type]
                messages.success(request, _("Team report submitted."))
            else:
                messages.success(request, _("Team report saved."))
            return redirect(_team_url(report))
        ctx = _team_context(request, team, period, report)
        ctx["form"] = form
        return render(request, "weekly/team_report.html", ctx, status=400)
    return render(request, "weekly/team_report.html", _team_context(request, team, period, report))


@login_required
@require_POST
def team_report_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    """Reopen a submitted team report (supervisor)."""
    report = _team_report(request, pk)
    services.team_report_check_can_edit(team_id=report.team_id, scope=_scope(request))
    try:
        services.team_report_reopen(report=report, by=request.user)  # type: ignore[arg-type]
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(_team_url(report))


@login_required
@require_POST
def team_report_review(request: HttpRequest, pk: int) -> HttpResponse:
    """The manager marks a submitted team report read."""
    report = _team_report(request, pk)
    services.team_report_check_can_review(report=report, scope=_scope(request))
    try:
        services.team_report_review(report=report, by=request.user)  # type: ignore[arg-type]
        messages.success(request, _("Team report marked as read."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(_team_url(report))


@login_required
@require_POST
def team_report_comment(request: HttpRequest, pk: int) -> HttpResponse:
    """Comment on a team report."""
    report = _team_report(request, pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        services.team_comment_add(report=report, by=request.user, text=form.cleaned_data["text"])  # type: ignore[arg-type]
        messages.success(request, _("Comment added."))
    else:
        messages.error(request, _("Write a comment first."))
    return redirect(_team_url(report) + "#comments")


@login_required
@require_POST
def team_key_customer_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a key customer to the team report (supervisor, draft)."""
    report = _team_report(request, pk)
    services.team_report_check_can_edit(team_id=report.team_id, scope=_scope(request))
    customers = customer_queryset(_scope(request)).filter(team_id=report.team_id)
    form = KeyCustomerForm(request.POST, customers=customers)
    if form.is_valid():
        try:
            services.team_key_customer_add(
                report=report,
                by=request.user,  # type: ignore[arg-type]
                customer=form.cleaned_data["customer"],
                needs_analysis=form.cleaned_data["needs_analysis"],
                tracking_plan=form.cleaned_data["tracking_plan"],
            )
            return redirect(_team_url(report) + "#key-customers")
        except ValidationError as exc:
            _errors(form, exc)
    ctx = _team_context(request, report.team, sel.week_period(report), report)
    ctx["key_form"] = form
    return render(request, "weekly/team_report.html", ctx, status=400)


@login_required
@require_POST
def team_key_customer_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove a key customer row from the team report."""
    item = TeamKeyCustomer.objects.select_related("report__team").filter(pk=pk).first()
    if item is None or not _scope(request).can_see_team(item.report.team_id):
        raise Http404
    services.team_report_check_can_edit(team_id=item.report.team_id, scope=_scope(request))
    services.team_key_customer_remove(item=item, by=request.user)  # type: ignore[arg-type]
    return redirect(_team_url(item.report) + "#key-customers")


@login_required
@require_POST
def key_coachee_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a key coachee to the team report (supervisor, draft)."""
    report = _team_report(request, pk)
    services.team_report_check_can_edit(team_id=report.team_id, scope=_scope(request))
    members = sel.team_members(report.team_id, sel.week_period(report))
    form = KeyCoacheeForm(request.POST, members=members)
    if form.is_valid():
        try:
            services.key_coachee_save(
                report=report,
                by=request.user,  # type: ignore[arg-type]
                rep=form.cleaned_data["rep"],
                problem=form.cleaned_data["problem"],
                coaching_content=form.cleaned_data["coaching_content"],
                tracked_effect=form.cleaned_data["tracked_effect"],
            )
            return redirect(_team_url(report) + "#coachees")
        except ValidationError as exc:
            _errors(form, exc)
    ctx = _team_context(request, report.team, sel.week_period(report), report)
    ctx["coachee_form"] = form
    return render(request, "weekly/team_report.html", ctx, status=400)


@login_required
@require_POST
def key_coachee_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a key coachee's coaching content and tracked effect (supervisor, draft)."""
    item = KeyCoachee.objects.select_related("report__team", "rep").filter(pk=pk).first()
    if item is None or not _scope(request).can_see_team(item.report.team_id):
        raise Http404
    services.team_report_check_can_edit(team_id=item.report.team_id, scope=_scope(request))
    try:
        services.key_coachee_save(
            report=item.report,
            by=request.user,  # type: ignore[arg-type]
            rep=item.rep,
            problem=request.POST.get("problem", item.problem)[:2000],
            coaching_content=request.POST.get("coaching_content", "")[:2000],
            tracked_effect=request.POST.get("tracked_effect", "")[:2000],
            item=item,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(_team_url(item.report) + "#coachees")


@login_required
@require_POST
def key_coachee_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove a key coachee row."""
    item = KeyCoachee.objects.select_related("report__team").filter(pk=pk).first()
    if item is None or not _scope(request).can_see_team(item.report.team_id):
        raise Http404
    services.team_report_check_can_edit(team_id=item.report.team_id, scope=_scope(request))
    services.key_coachee_remove(item=item, by=request.user)  # type: ignore[arg-type]
    return redirect(_team_url(item.report) + "#coachees")


@login_required
@require_GET
def team_report_export(request: HttpRequest, code: str, week: str) -> HttpResponse:
    """The team report as .xlsx laid out like the seed's 小组活动统计 template."""
    team = _team(request, code)
    period = _strict_week(week)
    report = TeamWeeklyReport.objects.filter(team=team, week=period.start).first()
    ctx = _team_table(report, team, period)
    wb = team_workbook(
        team=team,
        period=period,
        table=ctx["table"],
        key_customers=list(report.key_customers.select_related("customer", "owner"))
        if report
        else [],
        coachees=list(report.key_coachees.select_related("rep")) if report else [],
        report=report,
    )
    return workbook_response(wb, f"team-weekly-{team.code}-{period.key}.xlsx")


# --- weekly meeting -----------------------------------------------------------------------


@login_required
@require_GET
def meeting(request: HttpRequest) -> HttpResponse:
    """The weekly meeting (周例会) of a team (``?team=``) and week (``?week=``, default the
    current week): figures vs plan with a ranking, wins, problems, success cases, key
    coachees and training topics. Fixed number of queries whatever the team size."""
    from coaching.selectors import findings_for_team  # coaching reads weekly's models
    from journals.selectors import pick_team

    scope = _scope(request)
    team, teams = pick_team(scope, request.GET.get("team"))
    period = sel.parse_week(request.GET.get("week"), sel.meeting_default_period())
    data = sel.meeting(team=team, period=period)
    if not teams:  # pragma: no cover - pick_team raises first
        raise PermissionDenied
    return render(
        request,
        "weekly/meeting.html",
        {
            "m": data,
            "team": team,
            "teams": teams,
            "period": period,
            "week_label": sel.week_label(period),
            "weeks": sel.week_choices(period),
            "table_rows": data.table.display_rows(),
            "metric_labels": [str(sel.METRIC_LABELS[m]) for m in sel.WEEK_METRICS],
            "team_report_url": reverse("weekly:team_report", args=[team.code, period.key]),
            "findings": findings_for_team(team_id=team.pk, period=period),
        },
    )
