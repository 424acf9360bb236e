"""Coaching writes: diagnosis findings, coaching plans with measures, goals and follow-up
sessions, one-on-one talks and recognition (DOMAIN.md section 8; issue 7).

Permission rule: plans, measures, goals, sessions, talks and recognition are written by a
supervisor or manager of the coachee's team (or an admin); a plan is acknowledged only by
its coachee. A caller outside the team gets PermissionDenied (views answer 404 before that
for objects the viewer cannot see).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership, OrgSettings, OrgUnit, User
from accounts.scoping import local_today, scope_for
from accounts.services import notification_send
from customers.models import Contract, Customer, Stage, StageChange
from customers.services import team_of
from journals.models import Exemption, Journal, PlanItem, Purpose, Visit
from journals.workdays import work_days
from kpi.calculations import MetricValue, Period, Scope, compute_many, parse_period, period_of

from . import diagnosis
from .diagnosis import RepFacts, Thresholds
from .models import (
    CauseCategory,
    CoachingPlan,
    DiagnosisSettings,
    Finding,
    FollowUpSession,
    Goal,
    Measure,
    Recognition,
    Symptom,
    Talk,
)

log = logging.getLogger(__name__)

#: KPI metrics the diagnosis reads per rep and period.
DIAGNOSIS_METRICS: tuple[str, ...] = (
    "target_customers",
    "new_targets",
    "funnel_target",
    "funnel_relationship",
    "intents",
    "intent_rate",
    "intent_pool",
    "deals",
    "close_rate",
    "visits",
    "effective_activity_rate",
    "target_customers_completion",
    "new_targets_completion",
    "deals_completion",
    "visits_completion",
)


# --------------------------------------------------------------------------- KPI figures


def rep_metrics(
    *,
    team_ids: Sequence[int],
    rep_ids: Sequence[int],
    periods: Sequence[Period],
    metrics: Sequence[str] = DIAGNOSIS_METRICS,
) -> dict[tuple[str, int], dict[str, MetricValue]]:
    """KPI figures per (period key, rep id): ``{metric: MetricValue}``.

    Uses the stored KPI snapshots (kpi.selectors.snapshot_table) when they exist for every
    rep, else computes live with kpi.calculations over kpi.loading.load_input(team_ids).
    """
    out: dict[tuple[str, int], dict[str, MetricValue]] = {}
    if not rep_ids or not periods:
        return out
    missing: list[Period] = []
    try:
        from kpi.selectors import snapshot_table  # type: ignore[import-not-found]
    except ImportError:
        snapshot_table = None
    for period in periods:
        table: dict[int, dict[str, MetricValue]] = {}
        if snapshot_table is not None:
            try:
                table = snapshot_table(
                    scope_kind="rep", scope_ids=list(rep_ids), period=period, metrics=list(metrics)
                )
            except (LookupError, ValueError, TypeError):
                log.warning("KPI snapshots unavailable for %s; computing live", period)
                table = {}
        if all(table.get(rid) for rid in rep_ids):
            for rid in rep_ids:
                out[(period.key, rid)] = table[rid]
        else:
            missing.append(period)
    if missing:
        from kpi.loading import load_input

        data = load_input(team_ids=list(team_ids))
        result = compute_many(
            missing,
            [Scope.rep(rid) for rid in rep_ids],
            data,
            new_revenue_months=OrgSettings.load().new_revenue_months,
        )
        for (period, scope), figures in result.items():
            out[(period.key, int(scope.id))] = figures  # type: ignore[arg-type]
    return out


def thresholds() -> Thresholds:
    """The diagnosis thresholds from DiagnosisSettings and OrgSettings."""
    s = DiagnosisSettings.load()
    return Thresholds(
        team_median_ratio=float(s.team_median_ratio),
        target_ratio=float(s.target_ratio),
        min_denominator=s.min_denominator,
        min_explanation_visits=s.min_explanation_visits,
        interest_rate_min=float(s.interest_rate_min),
        min_closing_visits=s.min_closing_visits,
        closing_success_min=float(s.closing_success_min),
        lost_intents_max=s.lost_intents_max,
        activity_ratio=float(s.activity_ratio),
        visit_standard_per_day=OrgSettings.load().visit_standard_per_day,
        unprepared_share_max=float(s.unprepared_share_max),
        min_planned_visits=s.min_planned_visits,
        overdue_next_steps_max=s.overdue_next_steps_max,
        missing_journals_max=s.missing_journals_max,
    )


# --------------------------------------------------------------------------- diagnosis


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def _team_reps(team_id: int, period: Period) -> dict[int, tuple[dt.date, dt.date]]:
    """Reps of the team during the period: {user id: (first day, last day) inside it}."""
    last = period.end - dt.timedelta(days=1)
    rows = Membership.objects.filter(
        Q(end__isnull=True) | Q(end__gte=period.start),
        unit_id=team_id,
        role=Membership.Role.REP,
        start__lte=last,
        user__is_active=True,
    ).values_list("user_id", "start", "end")
    reps: dict[int, tuple[dt.date, dt.date]] = {}
    for user_id, start, end in rows:
        first, until = max(start, period.start), min(end or last, last)
        if user_id in reps:
            first, until = min(first, reps[user_id][0]), max(until, reps[user_id][1])
        reps[user_id] = (first, until)
    return reps


def _habit_facts(
    team_id: int, reps: dict[int, tuple[dt.date, dt.date]], period: Period, today: dt.date
) -> dict[int, RepFacts]:
    """Journal habit counts and evidence links per rep (plain data for the rules)."""
    facts = {rid: RepFacts(rep_id=rid) for rid in reps}
    rep_ids = list(reps)
    start_at, end_at = _aware(period.start), _aware(period.end)
    ev_c: dict[int, dict[str, dict[int, dict[str, Any]]]] = defaultdict(lambda: defaultdict(dict))
    ev_j: dict[int, dict[str, dict[int, dict[str, Any]]]] = defaultdict(lambda: defaultdict(dict))

    def link(rid: int, key: str, cid: int | None, cname: str, jid: int | None, day: Any) -> None:
        if cid is not None:
            ev_c[rid][key].setdefault(cid, {"id": cid, "name": cname})
        if jid is not None:
            ev_j[rid][key].setdefault(jid, {"id": jid, "day": day.isoformat()})

    visits = Visit.objects.filter(
        rep_id__in=rep_ids, occurred_at__gte=start_at, occurred_at__lt=end_at
    ).values_list(
        "rep_id", "purpose", "customer_id", "customer__name", "journal_id", "journal__day"
    )
    for rid, purpose, cid, cname, jid, day in visits:
        link(rid, "all", None, "", jid, day)
        if purpose == Purpose.EXPLANATION:
            facts[rid].explanation_visits += 1
            link(rid, "explanation", cid, cname, jid, day)
        elif purpose == Purpose.CLOSING:
            facts[rid].closing_visits += 1
            link(rid, "closing", cid, cname, jid, day)

    lost = StageChange.objects.filter(
        rep_id__in=rep_ids,
        to_stage=Stage.LOST,
        from_stage__in=[Stage.INTENT],
        at__gte=start_at,
        at__lt=end_at,
    ).values_list("rep_id", "customer_id", "customer__name")
    for rid, cid, cname in lost:
        facts[rid].intents_lost += 1
        link(rid, "closing", cid, cname, None, None)

    items = PlanItem.objects.filter(
        kind=PlanItem.Kind.VISIT,
        journal__rep_id__in=rep_ids,
        journal__day__gte=period.start,
        journal__day__lt=period.end,
    ).values_list(
        "journal__rep_id",
        "preparation",
        "customer_id",
        "customer__name",
        "journal_id",
        "journal__day",
    )
    for rid, preparation, cid, cname, jid, day in items:
        facts[rid].planned_visits += 1
        if not (preparation or "").strip():
            facts[rid].unprepared += 1
            link(rid, "unprepared", cid, cname, jid, day)

    due_before = min(period.end, today)
    overdue = Visit.objects.filter(
        rep_id__in=rep_ids,
        next_step_date__gte=period.start,
        next_step_date__lt=due_before,
        next_step_done=False,
    ).values_list("rep_id", "customer_id", "customer__name", "journal_id", "journal__day")
    for rid, cid, cname, jid, day in overdue:
        facts[rid].overdue_next_steps += 1
        link(rid, "overdue", cid, cname, jid, day)

    customers = Customer.objects.filter(
        owner_id__in=rep_ids, stage__in=[Stage.TARGET, Stage.RELATIONSHIP, Stage.INTENT]
    ).values_list("owner_id", "stage", "id", "name")[:2000]
    for rid, stage, cid, cname in customers:
        link(rid, "intent" if stage == Stage.INTENT else "targets", cid, cname, None, None)

    # Missing journals: elapsed work days (before today) without a submitted journal.
    submitted = set(
        Journal.objects.filter(rep_id__in=rep_ids, day__gte=period.start, day__lt=period.end)
        .exclude(status=Journal.Status.DRAFT)
        .values_list("rep_id", "day")
    )
    exempt: dict[int, set[dt.date]] = defaultdict(set)
    for uid, e_start, e_end in Exemption.objects.filter(
        user_id__in=rep_ids, start__lt=period.end, end__gte=period.start
    ).values_list("user_id", "start", "end"):
        day = e_start
        while day <= e_end:
            exempt[uid].add(day)
            day += dt.timedelta(days=1)
    for rid, (first, last) in reps.items():
        last = min(last, today - dt.timedelta(days=1))
        days = [d for d in work_days(first, last) if d not in exempt[rid]]
        facts[rid].work_days = len(days)
        facts[rid].missing_journals = sum(1 for d in days if (rid, d) not in submitted)
        facts[rid].customers = {k: list(v.values()) for k, v in ev_c[rid].items()}
        facts[rid].journals = {k: list(v.values()) for k, v in ev_j[rid].items()}
    return facts


def _plain(value: MetricValue | None) -> float | None:
    if value is None or value.value is None:
        return None
    return float(value.value)


def findings_recompute(
    *, team_ids: Iterable[int], period: Period | str, today: dt.date | None = None
) -> dict[str, int]:
    """Recompute the diagnosis findings of the teams' reps for one month or ISO week.

    Idempotent: upserts on (rep, period kind, period start, symptom), keeps the status of
    existing findings, and deletes findings that no longer hold unless a plan was made from
    them. Returns counts ``{"created", "updated", "deleted"}``. Rules: coaching.diagnosis.
    """
    period = parse_period(period)
    today = today or local_today()
    th = thresholds()
    teams = list(OrgUnit.objects.filter(pk__in=list(team_ids), kind=OrgUnit.Kind.TEAM))
    counts = {"created": 0, "updated": 0, "deleted": 0}
    team_reps = {t.pk: _team_reps(t.pk, period) for t in teams}
    all_reps = sorted({rid for reps in team_reps.values() for rid in reps})
    figures = rep_metrics(team_ids=[t.pk for t in teams], rep_ids=all_reps, periods=[period])
    now = timezone.now()
    for team in teams:
        reps = team_reps[team.pk]
        facts = _habit_facts(team.pk, reps, period, today)
        for rid, fact in facts.items():
            values = figures.get((period.key, rid), {})
            fact.metrics = {m: _plain(values.get(m)) for m in DIAGNOSIS_METRICS}
            fact.completion = {
                m[: -len("_completion")]: fact.metrics[m]
                for m in DIAGNOSIS_METRICS
                if m.endswith("_completion") and fact.metrics.get(m) is not None
            }
        fired = diagnosis.diagnose_team(list(facts.values()), th)
        keep: set[tuple[int, str]] = set()
        with transaction.atomic():
            for d in fired:
                keep.add((d.rep_id, d.symptom))
                _obj, created = Finding.objects.update_or_create(
                    rep_id=d.rep_id,
                    period_kind=period.kind,
                    period_start=period.start,
                    symptom=d.symptom,
                    defaults={
                        "team": team,
                        "evidence": d.evidence,
                        "causes": d.causes,
                        "measures": d.measures,
                        "computed_at": now,
                    },
                )
                counts["created" if created else "updated"] += 1
            stale = Finding.objects.filter(
                team=team, period_kind=period.kind, period_start=period.start
            ).exclude(status=Finding.Status.PLANNED)
            drop = [
                f.pk
                for f in stale.only("pk", "rep_id", "symptom")
                if (f.rep_id, f.symptom) not in keep
            ]
            if drop:
                counts["deleted"] += Finding.objects.filter(
                    pk__in=drop, plans__isnull=True
                ).delete()[0]
    return counts


@transaction.atomic
def finding_dismiss(*, finding: Finding, by: User) -> Finding:
    """Mark a finding dismissed (the supervisor judged it not a problem)."""
    _check_lead(by, finding.team_id)
    finding.status = Finding.Status.DISMISSED
    finding.save(update_fields=["status"])
    return finding


# --------------------------------------------------------------------------- plans


def _check_lead(by: User, team_id: int | None) -> None:
    if not scope_for(by).can_lead_team(team_id):
        raise PermissionDenied(_("Only the team's supervisor or manager can do this."))


def plan_initial_from_finding(finding: Finding) -> dict[str, Any]:
    """Form initial values of a plan made from ``finding`` (problem, evidence, causes...)."""
    label = Symptom(finding.symptom).label
    lines = []
    for fig in finding.evidence.get("figures", []):
        value = fig.get("value")
        shown = (
            "-" if value is None else (f"{value:.0%}" if fig.get("fmt") == "rate" else f"{value:g}")
        )
        lines.append(f"{_(fig['label'])}: {shown}")
    categories = [c.get("category") for c in finding.causes]
    start = local_today()
    return {
        "coachee": finding.rep_id,
        "problem": str(label),
        "evidence": "\n".join(lines),
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
            plan=plan, kind=m["kind"], description=str(m["text"]), due=m.get("due"), owner=by
        )
    if finding is not None and finding.status != Finding.Status.PLANNED:
        finding.status = Finding.Status.PLANNED
        finding.save(update_fields=["status"])
    notification_send(
        user=coachee,
        key=f"coaching-plan-{plan.pk}",
        title=_("A coaching plan was made with you"),
        body=problem,
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
            {"kind": m["kind"], "text": _(m["text"]), "due": start + dt.timedelta(days=7)}
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
    from .effect import EFFECT_METRICS

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


@transaction.atomic
def talk_add(
    *,
    by: User,
    rep: User,
    held_on: dt.date,
    notes: str,
    agreed: str = "",
    plan: CoachingPlan | None = None,
) -> Talk:
    """Log a one-on-one talk (员工沟通) with ``rep``, optionally for one of their plans."""
    team = plan.team if plan is not None else team_of(rep, held_on) or team_of(rep, local_today())
    if team is None:
        raise ValidationError({"rep": _("This person is not in a team.")})
    _check_lead(by, team.pk)
    if plan is not None and plan.coachee_id != rep.pk:
        raise ValidationError({"plan": _("The plan belongs to someone else.")})
    talk = Talk(
        rep=rep, team=team, supervisor=by, plan=plan, held_on=held_on, notes=notes, agreed=agreed
    )
    talk.full_clean()
    talk.save()
    return talk


# --------------------------------------------------------------------------- recognition


@transaction.atomic
def recognition_give(
    *, by: User, rep: User, behaviour: str, impact: str, source: str = ""
) -> Recognition:
    """Recognise a specific behaviour of ``rep`` on the team's board and notify them at once
    (DOMAIN.md section 8: immediately, specifically, say what it did for the team)."""
    team = team_of(rep, local_today())
    if team is None:
        raise ValidationError({"rep": _("This person is not in a team.")})
    _check_lead(by, team.pk)
    rec = Recognition(rep=rep, team=team, by=by, behaviour=behaviour, impact=impact, source=source)
    rec.full_clean()
    rec.save()
    url = reverse("coaching:recognition_board") + f"?team={team.pk}"
    transaction.on_commit(
        lambda: notification_send(
            user=rep,
            key=f"recognition-{rec.pk}",
            title=_("You were recognised: %(what)s") % {"what": behaviour[:80]},
            body=impact,
            url=url,
        )
    )
    return rec


STREAK_MIN = 10


def recognition_suggestions(*, team_id: int, day: dt.date | None = None) -> list[dict[str, Any]]:
    """Data-driven recognition ideas for the team's week containing ``day`` - 2 days.

    Returns ``[{"rep_id", "source", "behaviour", "impact"}]`` from: a rep's first deal
    ever (this week), the week's biggest deal by contract monthly value, the best effective
    activity rate of the week (KPI engine), and on-time journal streaks of at least
    STREAK_MIN work days. Ideas already given (same rep and source since the week began)
    are left out. Texts are ready to use (translated).
    """
    day = day or local_today()
    # On Monday and Tuesday the week has barely begun: look at the previous week then.
    period = period_of(day - dt.timedelta(days=2), "week")
    reps = _team_reps(team_id, period)
    rep_ids = sorted(reps)
    out: list[dict[str, Any]] = []
    if not rep_ids:
        return out
    start_at, end_at = _aware(period.start), _aware(period.end)
    deals = StageChange.objects.filter(rep_id__in=rep_ids, to_stage=Stage.DEAL)
    earlier = set(deals.filter(at__lt=start_at).values_list("rep_id", flat=True))
    for rid, cname in (
        deals.filter(at__gte=start_at, at__lt=end_at)
        .order_by("at")
        .values_list("rep_id", "customer__name")
    ):
        if rid not in earlier:
            earlier.add(rid)
            out.append(
                {
                    "rep_id": rid,
                    "source": "first_deal",
                    "behaviour": _("Closed a first deal: %(customer)s") % {"customer": cname},
                    "impact": _("A new colleague who closes adds to the whole team's result."),
                }
            )
    biggest = (
        Contract.objects.filter(
            rep_id__in=rep_ids, signed_on__gte=period.start, signed_on__lt=period.end
        )
        .order_by("-monthly_value", "id")
        .values_list("rep_id", "customer__name", "monthly_value")
        .first()
    )
    if biggest:
        out.append(
            {
                "rep_id": biggest[0],
                "source": "biggest_deal",
                "behaviour": _(
                    "Signed the week's biggest contract: %(customer)s, %(value)s a month"
                )
                % {"customer": biggest[1], "value": biggest[2]},
                "impact": _("The largest contribution to the team's new sales revenue this week."),
            }
        )
    figures = rep_metrics(
        team_ids=[team_id], rep_ids=rep_ids, periods=[period], metrics=["effective_activity_rate"]
    )
    best: tuple[float, int] | None = None
    for rid in rep_ids:
        mv = figures.get((period.key, rid), {}).get("effective_activity_rate")
        judged = mv is not None and mv.value is not None and (mv.denominator or 0) >= 3
        if judged and (best is None or float(mv.value) > best[0]):  # type: ignore[union-attr,arg-type]
            best = (float(mv.value), rid)  # type: ignore[union-attr,arg-type]
    if best:
        out.append(
            {
                "rep_id": best[1],
                "source": "best_effective_rate",
                "behaviour": _("Best effective activity rate of the week: %(rate)s")
                % {"rate": f"{best[0]:.0%}"},
                "impact": _("Shows the team how well-prepared visits move customers forward."),
            }
        )
    out.extend(_streaks(rep_ids, day))
    given = set(
        Recognition.objects.filter(rep_id__in=rep_ids, created_at__gte=start_at).values_list(
            "rep_id", "source"
        )
    )
    return [s for s in out if (s["rep_id"], s["source"]) not in given]


def _streaks(rep_ids: list[int], day: dt.date) -> list[dict[str, Any]]:
    """On-time journal streaks (consecutive work days before ``day``) of STREAK_MIN+."""
    since = day - dt.timedelta(days=90)
    on_time = set(
        Journal.objects.filter(rep_id__in=rep_ids, day__gte=since, day__lt=day, is_late=False)
        .exclude(status=Journal.Status.DRAFT)
        .values_list("rep_id", "day")
    )
    days = list(reversed(work_days(since, day - dt.timedelta(days=1))))
    out = []
    for rid in rep_ids:
        n = 0
        for d in days:
            if (rid, d) not in on_time:
                break
            n += 1
        if n >= STREAK_MIN:
            out.append(
                {
                    "rep_id": rid,
                    "source": "journal_streak",
                    "behaviour": _("Submitted the journal on time %(n)s work days in a row")
                    % {"n": n},
                    "impact": _("Keeps the morning meeting and the team's figures reliable."),
                }
            )
    return out
