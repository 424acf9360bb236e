"""Coaching plans (docs/domain, section 8): create (also from a finding), change status,
acknowledge, and add measures, goals and follow-up sessions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from accounts.notifying import label_value, notice
from accounts.scoping import local_today, team_of
from accounts.services import notification_send
from domain import symptoms
from journals.models import Visit

from .. import diagnosis, texts
from ..effect import EFFECT_METRICS
from ..models import (
    CauseCategory,
    CoachingPlan,
    Finding,
    FollowUpSession,
    Goal,
    Measure,
    Symptom,
)
from ._common import _check_lead


def _in_both_languages(make: Callable[[], str]) -> set[str]:
    """``make()`` rendered in every language of the site (stripped)."""
    out = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            out.add(make().strip())
    return out


def plan_initial_from_finding(finding: Finding) -> dict[str, Any]:
    """Form initial values of a plan made from ``finding`` (problem, evidence, causes...)."""
    label = Symptom(finding.symptom).label
    categories = [c.get("category") for c in finding.causes]
    start = local_today()
    return {
        "coachee": finding.rep_id,
        "problem": str(label),
        "evidence": texts.evidence_lines(finding.evidence.get("figures", [])),
        "cause_category": categories[0] if categories else CauseCategory.SKILL,
        "start": start,
        "end": start + dt.timedelta(days=27),
        "effect_metrics": list(diagnosis.EFFECT_METRICS.get(finding.symptom, ())),
    }


@transaction.atomic
def plan_create(
    *,
    by: User,
    coachee: User,
    problem: str,
    cause_category: str,
    start: dt.date,
    end: dt.date,
    evidence: str = "",
    effect_metrics: Sequence[str] = (),
    finding: Finding | None = None,
    measures: Sequence[dict[str, Any]] = (),
) -> CoachingPlan:
    """Create a coaching plan for ``coachee`` in the coachee's team today.

    A plan made from a finding marks the finding planned. ``measures``: dicts with kind and
    text (and optional due). Raises PermissionDenied unless ``by`` leads the team,
    ValidationError for bad fields (e.g. end before start, a coachee without a team).
    """
    problem_code, evidence_figures = "", []
    if finding is not None:
        # The suggestion taken as it is (in either language) stays a code with values, so
        # every reader sees it in their own language; a retyped text stays as typed.
        figures = finding.evidence.get("figures", [])
        if problem.strip() in _in_both_languages(lambda: str(Symptom(finding.symptom).label)):
            problem_code = finding.symptom
        if evidence.strip() and evidence.strip().replace("\r\n", "\n") in _in_both_languages(
            lambda: texts.evidence_lines(figures)
        ):
            evidence_figures = list(figures)
    team = finding.team if finding is not None else team_of(coachee, local_today())
    if team is None:
        raise ValidationError({"coachee": _("This person is not in a team.")})
    _check_lead(by, team.pk)
    plan = CoachingPlan(
        coachee=coachee,
        team=team,
        coach=by,
        finding=finding,
        problem=problem,
        evidence=evidence,
        problem_code=problem_code,
        evidence_figures=evidence_figures,
        cause_category=cause_category,
        start=start,
        end=end,
        effect_metrics=list(effect_metrics),
    )
    if end < start:
        raise ValidationError({"end": _("The end is before the start.")})
    plan.full_clean()
    plan.save()
    for m in measures:
        Measure.objects.create(
            plan=plan,
            kind=m["kind"],
            code=m.get("code") or texts.legacy_code("measure", str(m.get("text", ""))),
            description="" if m.get("code") else str(m.get("text", "")),
            due=m.get("due"),
            owner=by,
        )
    if finding is not None and finding.status != Finding.Status.PLANNED:
        finding.status = Finding.Status.PLANNED
        finding.save(update_fields=["status"])
    notification_send(
        user=coachee,
        key=f"coaching-plan-{plan.pk}",
        title=notice(gettext_noop("A coaching plan was made with you")),
        # The symptom is stored as its label in both languages, so the coachee reads it
        # in the language they read in (docs/architecture.md, Conventions, i18n).
        body=notice(
            gettext_noop("Problem: %(problem)s"),
            problem=label_value(next(s for s in symptoms.SYMPTOMS if s.code == problem_code)),
        )
        if problem_code
        else problem,
        url=reverse("coaching:plan_detail", args=[plan.pk]),
    )
    return plan


def plan_create_from_finding(
    *, finding: Finding, by: User, start: dt.date | None = None, end: dt.date | None = None
) -> CoachingPlan:
    """A plan prefilled from ``finding``: its problem, evidence, first cause category, the
    suggested measures and the symptom's default KPIs. See :func:`plan_create`."""
    initial = plan_initial_from_finding(finding)
    start = start or initial["start"]
    return plan_create(
        by=by,
        coachee=finding.rep,
        problem=initial["problem"],
        evidence=initial["evidence"],
        cause_category=initial["cause_category"],
        start=start,
        end=end or start + dt.timedelta(days=27),
        effect_metrics=initial["effect_metrics"],
        finding=finding,
        measures=[
            {
                "kind": m["kind"],
                "code": m.get("code", ""),
                "text": m.get("text", ""),
                "due": start + dt.timedelta(days=7),
            }
            for m in finding.measures
        ],
    )


@transaction.atomic
def plan_set_status(*, plan: CoachingPlan, by: User, status: str) -> CoachingPlan:
    """Change a plan's status (active, done, cancelled)."""
    _check_lead(by, plan.team_id)
    if status not in CoachingPlan.Status.values:
        raise ValidationError({"status": _("Unknown status.")})
    plan.status = status
    plan.save(update_fields=["status"])
    return plan


@transaction.atomic
def plan_acknowledge(*, plan: CoachingPlan, by: User) -> CoachingPlan:
    """The coachee confirms they have read and agree the plan. Idempotent.

    Raises PermissionDenied for anyone but the coachee.
    """
    if by.pk != plan.coachee_id:
        raise PermissionDenied(_("Only the coachee acknowledges a plan."))
    if plan.acknowledged_at is None:
        plan.acknowledged_at = timezone.now()
        plan.save(update_fields=["acknowledged_at"])
    return plan


@transaction.atomic
def measure_add(
    *,
    plan: CoachingPlan,
    by: User,
    kind: str,
    description: str,
    due: dt.date | None = None,
    owner: User | None = None,
    visit: Visit | None = None,
) -> Measure:
    """Add a coaching, training or support item; ``visit`` ("accompany a visit") must be
    one of the coachee's visits."""
    _check_lead(by, plan.team_id)
    if visit is not None and visit.rep_id != plan.coachee_id:
        raise ValidationError({"visit": _("Choose one of the coachee's visits.")})
    measure = Measure(
        plan=plan,
        kind=kind,
        description=description,
        due=due,
        owner=owner or by,
        visit=visit,
    )
    measure.full_clean()
    measure.save()
    return measure


@transaction.atomic
def goal_add(
    *, plan: CoachingPlan, by: User, metric: str, target_value: Decimal, due: dt.date
) -> Goal:
    """Add a goal: a KPI (coaching.effect.EFFECT_METRICS), a target value and a date."""
    _check_lead(by, plan.team_id)
    if metric not in EFFECT_METRICS:
        raise ValidationError({"metric": _("Unknown KPI.")})
    goal = Goal(plan=plan, metric=metric, target_value=target_value, due=due)
    goal.full_clean()
    goal.save()
    return goal


@transaction.atomic
def session_add(
    *, plan: CoachingPlan, by: User, held_on: dt.date, notes: str, next_step: str = ""
) -> FollowUpSession:
    """Log a follow-up session of the plan (date, notes, next step)."""
    _check_lead(by, plan.team_id)
    session = FollowUpSession(
        plan=plan, held_on=held_on, notes=notes, next_step=next_step, author=by
    )
    session.full_clean()
    session.save()
    return session
