"""Writes for weekly reports (docs/architecture.md: services; docs/domain section 4).

Checks first (``..._check_can_...`` raise PermissionDenied, answered 403); the report must
have been fetched through a restricted queryset (weekly.selectors), so objects outside the
viewer's scope never get here (404 in the view).

Figures are recomputed while a report is a draft and frozen into ``figures`` when it is
submitted, so a later data fix shows as a difference, never as a silent change.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import Membership, OrgUnit, User
from accounts.notifying import notice
from accounts.scoping import Scope, active_memberships, scope_for, team_of
from accounts.services import notification_send
from coaching.models import CoachingPlan
from customers.models import Customer
from kpi.calculations import Period

from . import selectors as sel
from .models import (
    KeyCoachee,
    ReportStatus,
    TeamKeyCustomer,
    TeamWeeklyReport,
    WeeklyKeyCustomer,
    WeeklyReport,
    WeeklyReportRevision,
)

# --- checks -------------------------------------------------------------------------------


def report_check_can_create(*, rep: User, scope: Scope) -> None:
    """A personal report is written by its own rep only (403)."""
    if scope.user_id is None or rep.pk != scope.user_id:
        raise PermissionDenied(_("You can only write your own weekly report."))


def report_check_can_edit(*, report: WeeklyReport, scope: Scope) -> None:
    """Only the author edits, and only a draft (a submitted or reviewed report is read-only:
    amend it; docs/domain, section 4). Raises PermissionDenied whose message names the
    report's state and how to change it (shown on the 403 page, docs/architecture.md,
    "Access")."""
    if report.rep_id != scope.user_id:
        raise PermissionDenied(_("Only the author may change this weekly report."))
    if report.is_locked():
        if report.status == ReportStatus.REVIEWED:
            raise PermissionDenied(
                _(
                    "This weekly report has been reviewed and is read-only. To change it, "
                    "open it and choose “Amend”: the reviewed version is kept as a revision."
                )
            )
        raise PermissionDenied(
            _(
                "This weekly report has been submitted and is read-only. To change it, "
                "open it and choose “Amend”: the submitted version is kept as a revision."
            )
        )


def report_check_can_amend(*, report: WeeklyReport, scope: Scope) -> None:
    """Only the author amends, and only a submitted (or reviewed) report."""
    if report.rep_id != scope.user_id:
        raise PermissionDenied(_("Only the author may amend this weekly report."))
    if not report.is_locked():
        raise PermissionDenied(_("Only a submitted weekly report can be amended."))


def report_check_can_review(*, report: WeeklyReport, scope: Scope) -> None:
    """The team's supervisor (or an admin) reviews; never one's own report."""
    if report.rep_id == scope.user_id and not scope.is_admin:
        raise PermissionDenied(_("You cannot review your own weekly report."))
    if not scope.can_manage_team(report.team_id):
        raise PermissionDenied(_("Only the team's supervisor may review this weekly report."))


def report_check_can_comment(*, report: WeeklyReport, scope: Scope) -> None:
    """Anyone who sees the report may comment: its author, the team's leaders, admins."""
    if not scope.can_see(owner_id=report.rep_id, team_id=report.team_id):
        raise PermissionDenied(_("You may not comment on this weekly report."))


def team_report_check_can_edit(*, team_id: int, scope: Scope) -> None:
    """The team report is written by the team's supervisor (or an admin)."""
    if not scope.can_manage_team(team_id):
        raise PermissionDenied(_("Only the team's supervisor may write the team report."))


def _team_draft(report: TeamWeeklyReport, by: User) -> None:
    team_report_check_can_edit(team_id=report.team_id, scope=scope_for(by))
    if report.status != ReportStatus.DRAFT:
        raise PermissionDenied(_("This team report was submitted; reopen it to make changes."))


def team_report_check_can_review(*, report: TeamWeeklyReport, scope: Scope) -> None:
    """The manager above the team (or an admin) marks the team report read."""
    if not (scope.is_admin or report.team_id in scope.managed_team_ids):
        raise PermissionDenied(_("Only a manager of the team may mark the team report read."))


def _author_edits(report: WeeklyReport, by: User) -> None:
    report_check_can_edit(report=report, scope=Scope(user_id=by.pk, day=report.week))


# --- personal report ----------------------------------------------------------------------


def _goals(raw: dict[str, Any]) -> dict[str, str]:
    """Clean metric -> number goals: only known metrics, numbers >= 0, blanks dropped.
    Raises ValidationError naming the metric for a bad value."""
    out: dict[str, str] = {}
    for metric, value in (raw or {}).items():
        if metric not in sel.WEEK_METRICS or value in (None, ""):
            continue
        try:
            number = Decimal(str(value))
        except (InvalidOperation, ValueError):
            raise ValidationError({metric: _("Enter a number.")}) from None
        if number < 0 or not number.is_finite():
            raise ValidationError({metric: _("Enter a number of 0 or more.")})
        if metric in sel.RATE_METRICS and number > 100:
            raise ValidationError({metric: _("A rate is at most 100 %.")})
        out[metric] = f"{number.normalize():f}"
    return out


def report_draft(*, rep: User, period: Period) -> tuple[WeeklyReport, list[WeeklyKeyCustomer]]:
    """The rep's report of ISO week ``period`` as it would be created, NOT saved (a page load
    shows it and writes nothing; docs/architecture.md, "Layers"): prefilled with this
    week's plan = last week's next goals, and the key customers still in progress carried
    over from last week (needs analysis kept, tracking plan to rewrite).
    The team is the rep's team during that week (customers.services.team_of; docs/domain
    section 9 attribution). ValidationError when the rep was in no team that week."""
    last_day = min(period.end - dt.timedelta(days=1), timezone.localdate())
    team = team_of(rep, max(last_day, period.start)) or team_of(rep, period.start)
    if team is None:
        raise ValidationError(_("You were not in a team that week."))
    previous = WeeklyReport.objects.filter(rep=rep, week=period.previous().start).first()
    report = WeeklyReport(rep=rep, team=team, week=period.start, plan=sel.week_plan(None, previous))
    carried = (
        [
            WeeklyKeyCustomer(
                customer=k.customer, customer_id=k.customer_id, needs_analysis=k.needs_analysis
            )
            for k in previous.key_customers.filter(
                customer__owner=rep, customer__stage__in=["target", "relationship", "intent"]
            ).select_related("customer")
        ]
        if previous
        else []
    )
    return report, carried


@transaction.atomic
def report_get_or_create(*, rep: User, period: Period) -> WeeklyReport:
    """The rep's report for the ISO week ``period``, created (as :func:`report_draft` shows
    it) when missing: on the first save, never on a page load."""
    report = WeeklyReport.objects.filter(rep=rep, week=period.start).first()
    if report:
        return report
    report, carried = report_draft(rep=rep, period=period)
    report.full_clean()
    report.save()
    for k in carried:
        k.report = report
    WeeklyKeyCustomer.objects.bulk_create(carried)
    return report


@transaction.atomic
def report_update(
    *,
    report: WeeklyReport,
    by: User,
    analysis: str,
    summary: str,
    next_goals: dict[str, Any],
) -> WeeklyReport:
    """Save the rep's text and next week's goals (numbers per indicator; rates in
    percent). Author and draft only (403). ValidationError for a bad goal."""
    _author_edits(report, by)
    report.analysis = analysis.strip()
    report.summary = summary.strip()
    report.next_goals = _goals(next_goals)
    report.full_clean()
    report.save(update_fields=["analysis", "summary", "next_goals", "updated_at"])
    return report


@transaction.atomic
def key_customer_add(
    *,
    report: WeeklyReport,
    by: User,
    customer: Customer,
    needs_analysis: str = "",
    tracking_plan: str = "",
) -> WeeklyKeyCustomer:
    """Add (or update) a key customer in progress; it must be one of the rep's own
    customers. Author and draft only."""
    _author_edits(report, by)
    if customer.owner_id != report.rep_id:
        raise ValidationError({"customer": _("Pick one of your own customers.")})
    item, _created = WeeklyKeyCustomer.objects.update_or_create(
        report=report,
        customer=customer,
        defaults={"needs_analysis": needs_analysis.strip(), "tracking_plan": tracking_plan.strip()},
    )
    return item


@transaction.atomic
def key_customer_remove(*, item: WeeklyKeyCustomer, by: User) -> None:
    """Remove a key customer from a draft report (author only)."""
    _author_edits(item.report, by)
    item.delete()


def report_content(report: WeeklyReport) -> dict[str, Any]:
    """The report as JSON for a revision: figures, plan, goals, texts, key customers."""
    return {
        "figures": report.figures,
        "plan": report.plan,
        "next_goals": report.next_goals,
        "analysis": report.analysis,
        "summary": report.summary,
        "key_customers": [
            {
                "customer": k.customer.name,
                "needs_analysis": k.needs_analysis,
                "tracking_plan": k.tracking_plan,
            }
            for k in report.key_customers.select_related("customer")
        ],
        "submitted_at": report.submitted_at.isoformat() if report.submitted_at else None,
    }


def _supervisors(team_id: int, day: dt.date) -> list[User]:
    return [
        m.user
        for m in Membership.objects.filter(
            active_memberships(day), unit_id=team_id, role=Membership.Role.SUPERVISOR
        ).select_related("user")
    ]


@transaction.atomic
def report_submit(
    *,
    report: WeeklyReport,
    by: User,
    at: dt.datetime | None = None,
    figures: dict[str, Any] | None = None,
) -> WeeklyReport:
    """Submit a draft: freezes the week's figures as computed now (kpi.calculations) into
    ``figures``. The report keeps its week whatever the submission time (a report of
    week N submitted Sunday 23:50 local counts in week N). Notifies the supervisor."""
    _author_edits(report, by)
    report.figures = figures if figures is not None else sel.live_figures(report)
    report.status = ReportStatus.SUBMITTED
    report.submitted_at = at or timezone.now()
    report.full_clean()
    report.save(update_fields=["figures", "status", "submitted_at", "updated_at"])
    url = reverse("weekly:report_detail", args=[report.pk])
    title = notice(
        gettext_noop("%(rep)s submitted the weekly report of %(week)s"),
        rep=report.rep.name,
        week=sel.week_period(report).key,
    )
    for sup in _supervisors(report.team_id, timezone.localdate()):
        notification_send(
            user=sup, key=f"weekly-submitted:{report.pk}:{report.revision}", title=title, url=url
        )
    return report


@transaction.atomic
def report_amend(*, report: WeeklyReport, by: User) -> WeeklyReport:
    """Reopen a submitted report for its author: the current content is kept as a
    WeeklyReportRevision, the revision number goes up and the report is a draft again
    (figures are live again until the next submission)."""
    report_check_can_amend(report=report, scope=Scope(user_id=by.pk, day=report.week))
    WeeklyReportRevision.objects.create(
        report=report, number=report.revision, content=report_content(report)
    )
    report.revision += 1
    report.status = ReportStatus.DRAFT
    report.reviewed_at = None
    report.reviewed_by = None
    report.save(update_fields=["revision", "status", "reviewed_at", "reviewed_by", "updated_at"])
    return report


@transaction.atomic
def report_review(
    *, report: WeeklyReport, by: User, evaluation: str, at: dt.datetime | None = None
) -> WeeklyReport:
    """The supervisor's evaluation; marks a submitted report reviewed and tells the rep.
    ValidationError for a draft."""
    report_check_can_review(report=report, scope=scope_for(by))
    if report.status == ReportStatus.DRAFT:
        raise ValidationError(_("The weekly report has not been submitted yet."))
    report.evaluation = evaluation.strip()
    report.status = ReportStatus.REVIEWED
    report.reviewed_at = at or timezone.now()
    report.reviewed_by = by
    report.save(update_fields=["evaluation", "status", "reviewed_at", "reviewed_by", "updated_at"])
    notification_send(
        user=report.rep,
        key=f"weekly-reviewed:{report.pk}:{report.revision}",
        title=notice(
            gettext_noop("Your weekly report of %(week)s was reviewed"),
            week=sel.week_period(report).key,
        ),
        body=report.evaluation[:500],
        url=reverse("weekly:report_detail", args=[report.pk]),
    )
    return report


# --- team report --------------------------------------------------------------------------


def _active_plans(team_id: int, period: Period) -> list[Any]:

    last = period.end - dt.timedelta(days=1)
    return list(
        CoachingPlan.objects.filter(
            team_id=team_id,
            status=CoachingPlan.Status.ACTIVE,
            start__lte=last,
            end__gte=period.start,
        ).order_by("coachee_id", "-start")
    )


@transaction.atomic
def team_report_get_or_create(*, team: OrgUnit, period: Period, by: User) -> TeamWeeklyReport:
    """The team's report of the week, created as a draft by its supervisor when missing,
    prefilled with key coachees from the coaching plans active that week (one per
    coachee) and the key customers of the members' personal reports of the week."""
    report = TeamWeeklyReport.objects.filter(team=team, week=period.start).first()
    if report:
        return report
    team_report_check_can_edit(team_id=team.pk, scope=scope_for(by))
    report = TeamWeeklyReport(team=team, week=period.start, author=by)
    report.full_clean()
    report.save()
    seen: set[int] = set()
    coachees = []
    for plan in _active_plans(team.pk, period):
        if plan.coachee_id in seen:
            continue
        seen.add(plan.coachee_id)
        coachees.append(
            KeyCoachee(report=report, rep_id=plan.coachee_id, problem=plan.problem_text, plan=plan)
        )
    KeyCoachee.objects.bulk_create(coachees)
    rows = WeeklyKeyCustomer.objects.filter(
        report__team=team, report__week=period.start
    ).select_related("report", "customer")
    TeamKeyCustomer.objects.bulk_create(
        TeamKeyCustomer(
            report=report,
            customer_id=k.customer_id,
            needs_analysis=k.needs_analysis,
            owner_id=k.report.rep_id,
            tracking_plan=k.tracking_plan,
        )
        for k in rows
    )
    return report


@transaction.atomic
def team_report_update(
    *, report: TeamWeeklyReport, by: User, summary: str, training_topics: str
) -> TeamWeeklyReport:
    """Save the team summary and next week's training topics (supervisor, draft)."""
    _team_draft(report, by)
    report.summary = summary.strip()
    report.training_topics = training_topics.strip()
    report.full_clean()
    report.save(update_fields=["summary", "training_topics", "updated_at"])
    return report


@transaction.atomic
def team_key_customer_add(
    *,
    report: TeamWeeklyReport,
    by: User,
    customer: Customer,
    needs_analysis: str = "",
    tracking_plan: str = "",
) -> TeamKeyCustomer:
    """Add a key customer of the team (its owner is the 开拓责任人)."""
    _team_draft(report, by)
    if customer.team_id != report.team_id:
        raise ValidationError({"customer": _("Pick a customer of this team.")})
    return TeamKeyCustomer.objects.create(
        report=report,
        customer=customer,
        owner_id=customer.owner_id,
        needs_analysis=needs_analysis.strip(),
        tracking_plan=tracking_plan.strip(),
    )


@transaction.atomic
def team_key_customer_remove(*, item: TeamKeyCustomer, by: User) -> None:
    """Remove a key customer row (supervisor, draft)."""
    _team_draft(item.report, by)
    item.delete()


@transaction.atomic
def key_coachee_save(
    *,
    report: TeamWeeklyReport,
    by: User,
    rep: User,
    problem: str,
    coaching_content: str,
    tracked_effect: str,
    item: KeyCoachee | None = None,
) -> KeyCoachee:
    """Add or edit a key coachee (重点辅导组员: name, problem, coaching content, tracked
    effect). The coachee must be a rep of the team that week."""
    _team_draft(report, by)
    members = {u.pk for u in sel.team_members(report.team_id, sel.week_period(report))}
    if rep.pk not in members:
        raise ValidationError({"rep": _("Pick a member of this team.")})
    item = item or KeyCoachee(report=report)
    item.rep = rep
    item.problem = problem.strip()
    item.coaching_content = coaching_content.strip()
    item.tracked_effect = tracked_effect.strip()
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def key_coachee_remove(*, item: KeyCoachee, by: User) -> None:
    """Remove a key coachee row (supervisor, draft)."""
    _team_draft(item.report, by)
    item.delete()


def team_snapshot(team_id: int, period: Period) -> dict[str, Any]:
    """The team table's inputs as JSON (frozen at submission): members, their figures,
    plans and the team's weekly targets (weekly.selectors.team_week_figures / plans_for /
    team_targets): ``{"members": [{"id", "name"}], "figures": {...}, "plans": {"<rep id>":
    plan}, "targets": {metric: "1827.13" or None}}``."""
    members = sel.team_members(team_id, period)
    return {
        "targets": sel.targets_json(sel.team_targets(team_id, period)),
        "members": [{"id": u.pk, "name": u.name} for u in members],
        "figures": sel.team_week_figures(
            team_id=team_id, period=period, rep_ids=[u.pk for u in members]
        ),
        "plans": {str(k): v for k, v in sel.plans_for(period, [u.pk for u in members]).items()},
    }


@transaction.atomic
def team_report_submit(
    *, report: TeamWeeklyReport, by: User, at: dt.datetime | None = None
) -> TeamWeeklyReport:
    """Submit the team report (supervisor): freezes the team table as computed now."""
    _team_draft(report, by)
    report.figures = team_snapshot(report.team_id, sel.week_period(report))
    report.status = ReportStatus.SUBMITTED
    report.submitted_at = at or timezone.now()
    report.author = by
    report.save(update_fields=["figures", "status", "submitted_at", "author", "updated_at"])
    return report


@transaction.atomic
def team_report_reopen(*, report: TeamWeeklyReport, by: User) -> TeamWeeklyReport:
    """Reopen a submitted team report for changes (supervisor); the revision goes up."""
    team_report_check_can_edit(team_id=report.team_id, scope=scope_for(by))
    if report.status == ReportStatus.DRAFT:
        raise ValidationError(_("The team report is still a draft."))
    report.status = ReportStatus.DRAFT
    report.revision += 1
    report.reviewed_at = None
    report.reviewed_by = None
    report.save(update_fields=["status", "revision", "reviewed_at", "reviewed_by", "updated_at"])
    return report


@transaction.atomic
def team_report_review(
    *, report: TeamWeeklyReport, by: User, at: dt.datetime | None = None
) -> TeamWeeklyReport:
    """The manager marks a submitted team report read. ValidationError for a draft."""
    team_report_check_can_review(report=report, scope=scope_for(by))
    if report.status == ReportStatus.DRAFT:
        raise ValidationError(_("The team report has not been submitted yet."))
    report.status = ReportStatus.REVIEWED
    report.reviewed_at = at or timezone.now()
    report.reviewed_by = by
    report.save(update_fields=["status", "reviewed_at", "reviewed_by", "updated_at"])
    return report
