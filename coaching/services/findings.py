"""Diagnosis findings (docs/domain, section 8): recompute a period's findings from the KPI
figures and journal habits, and dismiss a finding. The rules are in coaching.diagnosis.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.calendar import work_calendar
from accounts.models import OrgSettings, OrgUnit, User
from accounts.scoping import local_today
from customers.models import Customer, Stage, StageChange
from journals.models import Exemption, Journal, PlanItem, Purpose, Visit
from kpi.calculations import MetricValue, Period, parse_period

from .. import diagnosis
from ..diagnosis import RepFacts, Thresholds
from ..models import (
    DiagnosisSettings,
    Finding,
)
from ._common import _aware, _check_lead, _team_reps
from .figures import DIAGNOSIS_METRICS, rep_metrics


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
    calendar = work_calendar(team_id)  # the team's work days (docs/domain, section 3)
    for rid, (first, last) in reps.items():
        last = min(last, today - dt.timedelta(days=1))
        days = [d for d in calendar.workdays_between(first, last) if d not in exempt[rid]]
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
        keep = {(d.rep_id, d.symptom) for d in fired}
        with transaction.atomic():
            _upsert(fired, team, period, now, counts)
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


def _upsert(
    fired: list[Any], team: OrgUnit, period: Period, now: dt.datetime, counts: dict[str, int]
) -> None:
    """Write the fired findings of one team and period in a few queries (one read, then
    bulk writes) instead of one read and one write per finding: unchanged findings only
    get their ``computed_at``, changed ones their evidence, causes and measures, new ones
    are inserted (an insert racing another writer updates instead, on the natural key)."""
    if not fired:
        return
    existing = {
        (f.rep_id, f.symptom): f
        for f in Finding.objects.filter(
            rep_id__in={d.rep_id for d in fired},
            period_kind=period.kind,
            period_start=period.start,
        )
    }
    fresh: list[int] = []
    changed: list[Finding] = []
    new: list[Finding] = []
    for d in fired:
        f = existing.get((d.rep_id, d.symptom))
        if f is None:
            new.append(
                Finding(
                    rep_id=d.rep_id,
                    team=team,
                    period_kind=period.kind,
                    period_start=period.start,
                    symptom=d.symptom,
                    evidence=d.evidence,
                    causes=d.causes,
                    measures=d.measures,
                    computed_at=now,
                )
            )
            continue
        counts["updated"] += 1
        same = (f.team_id, f.evidence, f.causes, f.measures) == (
            team.pk,
            d.evidence,
            d.causes,
            d.measures,
        )
        if same:
            fresh.append(f.pk)
        else:
            f.team, f.evidence, f.causes, f.measures, f.computed_at = (
                team,
                d.evidence,
                d.causes,
                d.measures,
                now,
            )
            changed.append(f)
    if fresh:
        Finding.objects.filter(pk__in=fresh).update(computed_at=now)
    if changed:
        Finding.objects.bulk_update(
            changed, ["team", "evidence", "causes", "measures", "computed_at"], batch_size=500
        )
    if new:
        Finding.objects.bulk_create(
            new,
            batch_size=500,
            update_conflicts=True,
            unique_fields=["rep", "period_kind", "period_start", "symptom"],
            update_fields=["team", "evidence", "causes", "measures", "computed_at"],
        )
        counts["created"] += len(new)
