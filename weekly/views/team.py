"""The team weekly report (小组活动统计, docs/domain, section 4): the table of plans and
figures, review, comments, team key customers and key coachees.
"""

from __future__ import annotations

import contextlib
from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.chasing import chases_by_user
from accounts.http import id_param
from accounts.middleware import ScopedRequest
from accounts.models import Chase, OrgUnit
from accounts.scoping import get_visible_or_404, visible_users
from customers.selectors import customer_queryset
from kpi.calculations import Period

from .. import selectors as sel
from .. import services
from ..chasing import weekly_chase, weekly_owed
from ..comments import team_comment_add
from ..forms import (
    CommentForm,
    KeyCoacheeForm,
    KeyCustomerForm,
    TeamReportForm,
)
from ..models import KeyCoachee, TeamKeyCustomer, TeamWeeklyReport, WeeklyReport
from ._common import _errors, _scope, _strict_week
from .comments import TEAM_NAMES, unreachable_warning, with_mentions

# --- team report --------------------------------------------------------------------------


def _team(request: ScopedRequest, code: str) -> OrgUnit:
    scope = _scope(request)
    team = OrgUnit.objects.filter(code=code, kind=OrgUnit.Kind.TEAM).first()
    if team is None or not scope.can_see_team(team.pk):
        raise Http404
    return team


R = TypeVar("R", TeamKeyCustomer, KeyCoachee)


def _team_report(request: ScopedRequest, pk: int) -> TeamWeeklyReport:
    """The team report ``pk`` through its model's rule (``TeamWeeklyReport.objects.
    visible_to``): 404 outside the viewer's scope, a huge id included."""
    scope = _scope(request)
    return get_visible_or_404(TeamWeeklyReport.objects.select_related("team"), scope, pk=pk)


def _team_item(request: ScopedRequest, model: type[R], pk: int, *related: str) -> R:
    """A key customer or key coachee row ``pk`` of a team report the viewer sees (404
    otherwise), with its report and team (and ``related``) joined in."""
    scope = _scope(request)
    reports = TeamWeeklyReport.objects.visible_to(scope).values("pk")
    rows = model._default_manager.select_related("report__team", *related)
    return get_visible_or_404(rows.filter(report__in=reports), scope, pk=pk)


def _team_url(report: TeamWeeklyReport) -> str:
    return reverse("weekly:team_report", args=[report.team.code, sel.week_period(report).key])


def _team_table(report: TeamWeeklyReport | None, team: OrgUnit, period: Period) -> dict[str, Any]:
    """The table from the frozen snapshot of a submitted report, targets included
    (``sel.snapshot_targets``), with the live one to flag changes ("now: X" beside a member's
    figure, the team target or the team's figure that differs now), else live.
    ``members`` are dicts {id, name}. docs/domain, section 4: frozen figures stay frozen."""
    live = services.team_snapshot(team.pk, period)
    live_targets = sel.snapshot_targets(live)
    snap = live
    frozen = bool(report and report.status != "draft" and report.figures)
    if frozen:
        snap = report.figures  # type: ignore[union-attr]
    table = _table_from(snap, sel.snapshot_targets(snap) if frozen else live_targets)
    changed_cells: dict[tuple[str, int], str] = {}
    changed_team: dict[tuple[str, str], str] = {}
    if frozen:
        live_table = _table_from(live, live_targets)
        same_members = [m["id"] for m in live["members"]] == [m["id"] for m in snap["members"]]
        for r1, r2 in zip(table.display_rows(), live_table.display_rows(), strict=True):
            for key in ("target", "team_actual"):
                if r1[key] != r2[key]:
                    changed_team[(r1["row"], key)] = r2[key]
            if not same_members:
                continue
            for i, (p1, p2) in enumerate(zip(r1["pairs"], r2["pairs"], strict=True)):
                if p1[1] != p2[1]:
                    changed_cells[(r1["row"], i)] = p2[1]
    rows = table.display_rows()
    for r in rows:
        r["cells"] = [
            {"plan": p, "actual": a, "now": changed_cells.get((r["row"], i))}
            for i, (p, a) in enumerate(r["pairs"])
        ]
        r["target_now"] = changed_team.get((r["row"], "target"))
        r["team_actual_now"] = changed_team.get((r["row"], "team_actual"))
    return {
        "table": table,
        "table_rows": rows,
        "members": snap["members"],
        "frozen": frozen,
        "changed": bool(changed_cells or changed_team),
    }


def _table_from(snap: dict[str, Any], targets: dict[str, Any] | None = None) -> sel.TeamTable:
    class _M:
        def __init__(self, pk: int, name: str) -> None:
            self.pk = pk
            self.name = name

    members = [_M(m["id"], m["name"]) for m in snap["members"]]
    plans = {int(k): v for k, v in snap["plans"].items()}
    return sel.team_table(members=members, figures=snap["figures"], plans=plans, targets=targets)  # type: ignore[arg-type]


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
    request: ScopedRequest, team: OrgUnit, period: Period, report: TeamWeeklyReport | None
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
        # Submitting before the week is over freezes figures still growing: ask first.
        "week_open": timezone.localdate() <= period.last_day,
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
        "comments": with_mentions(report.comments.all()) if report else [],
        "comment_names": TEAM_NAMES,
        "mentions_url": reverse("weekly:team_report_mentions", args=[report.pk]) if report else "",
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
    ctx["owed"] = []
    if scope.can_manage_team(team.pk) and period.start <= sel.current_period().start:
        chases = chases_by_user(kind=Chase.Kind.WEEKLY, team_id=team.pk, period=period.start)
        ctx["owed"] = [
            {"user": u, "chases": len(chases.get(u.pk, []))}
            for u in weekly_owed(team=team, period=period)
        ]
    return ctx


@login_required
@require_POST
def team_chase(request: ScopedRequest, code: str, week: str) -> HttpResponse:
    """Chase everyone of the team who owes the week's report (or one person, ``user``).
    404 for a team out of scope, 403 for a viewer who does not supervise it."""
    team = _team(request, code)
    if not _scope(request).can_manage_team(team.pk):
        raise PermissionDenied
    period = _strict_week(week)
    user = None
    if request.POST.get("user"):
        # Only someone the viewer sees (a member of a visible team today).
        visible = visible_users(_scope(request))
        user = visible.filter(pk=id_param(request.POST.get("user")) or 0).first()
    try:
        if request.POST.get("user") and user is None:
            raise ValidationError(_("Nobody owes this weekly report."))
        chases = weekly_chase(team=team, period=period, by=request.user, user=user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            ngettext("Chased %(n)d person.", "Chased %(n)d people.", len(chases))
            % {"n": len(chases)},
        )
    return redirect("weekly:team_report", code=team.code, week=period.key)


@login_required
def team_report(request: ScopedRequest, code: str, week: str) -> HttpResponse:
    """The team weekly report (小组活动统计) of a team and ISO week ``2026-W05``: shown as an
    unsaved draft until the supervisor first saves it (then created prefilled; a GET never
    writes); POST saves the texts (and submits with
    ``action=submit``). Visible to the team's supervisor, managers above and admins."""
    team = _team(request, code)
    period = _strict_week(week)
    scope = _scope(request)
    report = TeamWeeklyReport.objects.filter(team=team, week=period.start).first()
    may_start = scope.can_manage_team(team.pk) and period.start <= sel.current_period().start
    if request.method == "POST":
        # A GET never writes: the draft (prefilled) is created on the first save.
        if report is None and may_start:
            report = services.team_report_get_or_create(team=team, period=period, by=request.user)
        if report is None:
            raise Http404
        form = TeamReportForm(request.POST)
        if form.is_valid():
            services.team_report_update(
                report=report,
                by=request.user,
                summary=form.cleaned_data["summary"],
                training_topics=form.cleaned_data["training_topics"],
            )
            if request.POST.get("action") == "submit":
                services.team_report_submit(report=report, by=request.user)
                messages.success(request, _("Team report submitted."))
            else:
                messages.success(request, _("Team report saved."))
            return redirect(_team_url(report))
        ctx = _team_context(request, team, period, report)
        ctx["form"] = form
        return render(request, "weekly/team_report.html", ctx, status=400)
    ctx = _team_context(request, team, period, report)
    if report is None and may_start:
        ctx["form"] = TeamReportForm()  # an unsaved draft: saving it creates the report
    return render(request, "weekly/team_report.html", ctx)


@login_required
@require_POST
def team_report_reopen(request: ScopedRequest, pk: int) -> HttpResponse:
    """Reopen a submitted team report (supervisor)."""
    report = _team_report(request, pk)
    services.team_report_check_can_edit(team_id=report.team_id, scope=_scope(request))
    try:
        services.team_report_reopen(report=report, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(_team_url(report))


@login_required
@require_POST
def team_report_review(request: ScopedRequest, pk: int) -> HttpResponse:
    """The manager marks a submitted team report read."""
    report = _team_report(request, pk)
    services.team_report_check_can_review(report=report, scope=_scope(request))
    try:
        services.team_report_review(report=report, by=request.user)
        messages.success(request, _("Team report marked as read."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(_team_url(report))


@login_required
@require_POST
def team_report_comment(request: ScopedRequest, pk: int) -> HttpResponse:
    """Comment on a team report."""
    report = _team_report(request, pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            comment = team_comment_add(
                report=report, by=request.user, text=form.cleaned_data["text"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Comment added."))
            unreachable_warning(request, comment)
    else:
        messages.error(request, _("Write a comment first."))
    return redirect(_team_url(report) + "#comments")


@login_required
@require_POST
def team_key_customer_add(request: ScopedRequest, pk: int) -> HttpResponse:
    """Add a key customer to the team report (supervisor, draft)."""
    report = _team_report(request, pk)
    services.team_report_check_can_edit(team_id=report.team_id, scope=_scope(request))
    customers = customer_queryset(_scope(request)).filter(team_id=report.team_id)
    form = KeyCustomerForm(request.POST, customers=customers)
    if form.is_valid():
        try:
            services.team_key_customer_add(
                report=report,
                by=request.user,
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
def team_key_customer_remove(request: ScopedRequest, pk: int) -> HttpResponse:
    """Remove a key customer row from the team report."""
    item = _team_item(request, TeamKeyCustomer, pk)
    services.team_report_check_can_edit(team_id=item.report.team_id, scope=_scope(request))
    services.team_key_customer_remove(item=item, by=request.user)
    return redirect(_team_url(item.report) + "#key-customers")


@login_required
@require_POST
def key_coachee_add(request: ScopedRequest, pk: int) -> HttpResponse:
    """Add a key coachee to the team report (supervisor, draft)."""
    report = _team_report(request, pk)
    services.team_report_check_can_edit(team_id=report.team_id, scope=_scope(request))
    members = sel.team_members(report.team_id, sel.week_period(report))
    form = KeyCoacheeForm(request.POST, members=members)
    if form.is_valid():
        try:
            services.key_coachee_save(
                report=report,
                by=request.user,
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
def key_coachee_edit(request: ScopedRequest, pk: int) -> HttpResponse:
    """Edit a key coachee's coaching content and tracked effect (supervisor, draft)."""
    item = _team_item(request, KeyCoachee, pk, "rep")
    services.team_report_check_can_edit(team_id=item.report.team_id, scope=_scope(request))
    try:
        services.key_coachee_save(
            report=item.report,
            by=request.user,
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
def key_coachee_remove(request: ScopedRequest, pk: int) -> HttpResponse:
    """Remove a key coachee row."""
    item = _team_item(request, KeyCoachee, pk)
    services.team_report_check_can_edit(team_id=item.report.team_id, scope=_scope(request))
    services.key_coachee_remove(item=item, by=request.user)
    return redirect(_team_url(item.report) + "#coachees")
