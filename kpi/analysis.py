"""Monthly business analysis and plan (月度经营分析与计划, docs/domain section 4b), personal
(a rep) and team (a supervisor): last month's targets vs results, the author's
explanation of each gap, next month's plan. Lifecycle draft -> submitted -> reviewed, like
the journals; submitting freezes the results into ``MonthlyAnalysis.results``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import OrgUnit, User
from accounts.notifying import notice
from accounts.scoping import Scope
from accounts.services import notification_send

from . import figures
from .models import MonthlyAnalysis, MonthlyAnalysisComment, Target
from .templatetags.kpi_format import as_number, raw_value

#: Process KPIs shown in every analysis besides the targeted metrics.
PROCESS_METRICS: tuple[str, ...] = (
    "target_customers",
    "new_targets",
    "intents",
    "intent_rate",
    "deals",
    "close_rate",
    "effective_activity_rate",
    "total_revenue",
    "received",
)


def analysis_scope(analysis: MonthlyAnalysis) -> tuple[str, int]:
    """('rep', rep id) for a personal analysis, ('team', team id) for a team one."""
    if analysis.rep_id:
        return "rep", analysis.rep_id
    return "team", analysis.team_id


def _metrics_for(scope_kind: str, scope_id: int, month: dt.date) -> dict[str, Any]:
    """Snapshot figures of the scope and month, or live ones when none are stored (both
    through the read seam ``kpi.figures``)."""
    period = f"{month:%Y-%m}"
    metrics = figures.stored_metrics(scope_kind=scope_kind, scope_id=scope_id, period=period)
    if not metrics:
        metrics = figures.live_metrics(scope_kind=scope_kind, scope_id=scope_id, period=period)
    return dict(metrics or {})


def analysis_as_of(analysis: MonthlyAnalysis) -> dt.datetime:
    """When the analysis' live figures were computed: the stored snapshots' time
    (``kpi.figures.as_of``) when the scope and month have snapshots, else now (they are
    computed for the request). Pages show it as "截至 hh:mm" (docs/architecture.md)."""
    kind, scope_id = analysis_scope(analysis)
    stored = figures.as_of(scope_kind=kind, scope_ids=[scope_id], period=f"{analysis.month:%Y-%m}")
    return stored or timezone.now()


def _plain(value: Any) -> str | None:
    """A JSON-safe text of a value (Decimal/int as is, float rounded), None kept."""
    raw = raw_value(value)
    if raw is None:
        return None
    if isinstance(raw, float):
        return repr(round(raw, 6))
    return str(raw)


def analysis_results(analysis: MonthlyAnalysis) -> dict[str, dict[str, str | None]]:
    """Targets vs results of the analysis' month, computed now.

    Shape: {metric: {"target": "12.00" | None, "actual": "10" | None, "completion":
    "0.8333" | None}}: first every targeted metric, then :data:`PROCESS_METRICS`.
    Completion = actual / target; no target or a zero target -> None (docs/domain section 9).
    """
    kind, scope_id = analysis_scope(analysis)
    targets = Target.objects.filter(month=analysis.month)
    targets = targets.filter(rep_id=scope_id) if kind == "rep" else targets.filter(team_id=scope_id)
    metrics = _metrics_for(kind, scope_id, analysis.month)
    out: dict[str, dict[str, str | None]] = {}
    for t in targets.order_by("metric"):
        actual = metrics.get(t.metric)
        actual_num = as_number(actual)
        completion = (
            None if actual_num is None or not t.value else round(actual_num / float(t.value), 4)
        )
        out[t.metric] = {
            "target": str(t.value),
            "actual": _plain(actual),
            "completion": None if completion is None else str(completion),
        }
    for name in PROCESS_METRICS:
        if name not in out:
            out[name] = {"target": None, "actual": _plain(metrics.get(name)), "completion": None}
    return out


def analysis_can_see(analysis: MonthlyAnalysis, scope: Scope) -> bool:
    """The author, the rep, and viewers of the team see an analysis."""
    if not scope.is_authenticated:
        return False
    if scope.user_id in (analysis.author_id, analysis.rep_id):
        return True
    return scope.can_see_team(analysis.team_id)


def analysis_check_can_edit(*, analysis: MonthlyAnalysis, user: User) -> None:
    """Only the author edits, and only a draft. Raises PermissionDenied."""
    if analysis.author_id != user.pk or analysis.status != MonthlyAnalysis.Status.DRAFT:
        raise PermissionDenied(_("Only the author can change a draft analysis."))


def analysis_check_can_review(*, analysis: MonthlyAnalysis, scope: Scope) -> None:
    """Supervisors and managers of the team review submitted analyses (not their own)."""
    if (
        analysis.status != MonthlyAnalysis.Status.SUBMITTED
        or not scope.can_lead_team(analysis.team_id)
        or analysis.author_id == scope.user_id
    ):
        raise PermissionDenied(_("You cannot review this analysis."))


def analysis_check_can_comment(*, analysis: MonthlyAnalysis, by: User, scope: Scope) -> None:
    """Anyone who sees the analysis comments, but nobody on another author's draft (it is
    still being written). Raises PermissionDenied."""
    if not analysis_can_see(analysis, scope):
        raise PermissionDenied
    if analysis.status == MonthlyAnalysis.Status.DRAFT and analysis.author_id != by.pk:
        raise PermissionDenied(_("Comments open once the analysis is submitted."))


@transaction.atomic
def analysis_start(
    *, by: User, scope: Scope, month: dt.date, team: OrgUnit, personal: bool
) -> MonthlyAnalysis:
    """Open (or return the existing) analysis of ``month``: personal for the rep ``by``
    in ``team``, or the team's (``by`` must supervise the team or be admin).
    Raises PermissionDenied otherwise."""
    month = month.replace(day=1)
    if personal:
        if team.pk not in scope.rep_team_ids:
            raise PermissionDenied(_("Personal analyses are for the team's reps."))
        existing = MonthlyAnalysis.objects.filter(rep=by, month=month).first()
        lookup: dict[str, Any] = {"rep": by}
    else:
        if not scope.can_manage_team(team.pk):
            raise PermissionDenied(_("Team analyses are written by the team's supervisor."))
        existing = MonthlyAnalysis.objects.filter(rep=None, team=team, month=month).first()
        lookup = {"rep": None}
    if existing:
        return existing
    analysis = MonthlyAnalysis(team=team, month=month, author=by, **lookup)
    analysis.full_clean(validate_constraints=False)
    analysis.save()
    return analysis


@transaction.atomic
def analysis_update(
    *, analysis: MonthlyAnalysis, user: User, gaps: dict[str, str], plan: str
) -> MonthlyAnalysis:
    """Save the gap explanations ({metric: text}) and the plan of a draft."""
    analysis_check_can_edit(analysis=analysis, user=user)
    analysis.gaps = {k: v.strip() for k, v in gaps.items() if v and v.strip()}
    analysis.plan = plan.strip()
    analysis.save(update_fields=["gaps", "plan"])
    return analysis


@transaction.atomic
def analysis_submit(*, analysis: MonthlyAnalysis, user: User) -> MonthlyAnalysis:
    """Submit a draft: freezes targets vs results into ``results``. A plan is required.
    Raises PermissionDenied (not the author / not a draft) or ValidationError."""
    analysis_check_can_edit(analysis=analysis, user=user)
    if not analysis.plan.strip():
        raise ValidationError({"plan": _("Write next month's plan before submitting.")})
    analysis.results = analysis_results(analysis)
    analysis.status = MonthlyAnalysis.Status.SUBMITTED
    analysis.submitted_at = timezone.now()
    analysis.save(update_fields=["results", "status", "submitted_at"])
    return analysis


@transaction.atomic
def analysis_review(
    *, analysis: MonthlyAnalysis, by: User, scope: Scope, text: str = ""
) -> MonthlyAnalysis:
    """Mark a submitted analysis reviewed (optionally with a comment); notifies the author."""
    analysis_check_can_review(analysis=analysis, scope=scope)
    if text.strip():
        MonthlyAnalysisComment.objects.create(analysis=analysis, author=by, text=text.strip())
    analysis.status = MonthlyAnalysis.Status.REVIEWED
    analysis.reviewed_at = timezone.now()
    analysis.reviewed_by = by
    analysis.save(update_fields=["status", "reviewed_at", "reviewed_by"])
    notification_send(
        user=analysis.author,
        key=f"kpi-analysis-reviewed-{analysis.pk}",
        title=notice(
            gettext_noop("Your monthly analysis for %(month)s was reviewed"),
            month=f"{analysis.month:%Y-%m}",
        ),
        url=reverse("kpi:analysis_detail", args=[analysis.pk]),
    )
    return analysis


@transaction.atomic
def analysis_comment(
    *, analysis: MonthlyAnalysis, by: User, scope: Scope, text: str
) -> MonthlyAnalysisComment:
    """Add a comment (anyone who sees the analysis; not on a draft of someone else).

    Raises PermissionDenied outside the scope or on another author's draft (a draft is
    still being written: comments start once it is submitted), ValidationError for an
    empty text.
    """
    analysis_check_can_comment(analysis=analysis, by=by, scope=scope)
    if not text.strip():
        raise ValidationError({"text": _("Write a comment.")})
    comment = MonthlyAnalysisComment(analysis=analysis, author=by, text=text.strip())
    comment.full_clean()
    comment.save()
    if analysis.author_id != by.pk:
        notification_send(
            user=analysis.author,
            key=f"kpi-analysis-comment-{comment.pk}",
            title=notice(gettext_noop("New comment on your monthly analysis")),
            url=reverse("kpi:analysis_detail", args=[analysis.pk]),
        )
    return comment
