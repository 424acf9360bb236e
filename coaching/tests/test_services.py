"""Coaching services over the database: findings recompute (idempotent upsert, stale
findings removed unless planned), plans, acknowledgement, talks and recognition."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.calendar import workdays_between as work_days
from accounts.models import Notification
from coaching import selectors, services
from coaching.models import CoachingPlan, DiagnosisSettings, Finding, Symptom
from customers.models import Stage
from journals.models import Journal
from journals.tests.factories import JournalFactory, local_dt, make_customer, submitted, visit

from .factories import make_finding, make_plan

WEEK = "2026-W44"  # Monday 2026-10-26 .. Sunday 2026-11-01
MONDAY = dt.date(2026, 10, 26)
TODAY = dt.date(2026, 11, 20)


def _journal(rep, team, day, *, status="submitted"):
    j = JournalFactory.create(rep=rep, team=team, day=day)
    return submitted(j) if status == "submitted" else j


def _week_of_journals(rep, team):
    return [_journal(rep, team, d) for d in work_days(MONDAY, MONDAY + dt.timedelta(days=6))]


def _symptoms(rep) -> set[str]:
    return set(Finding.objects.filter(rep=rep).values_list("symptom", flat=True))


@pytest.fixture
def follow_up_case(org):
    """The rep leaves three agreed next steps undone; the teammate keeps them."""
    journals = _week_of_journals(org.rep, org.team_a)
    _week_of_journals(org.teammate, org.team_a)
    for i in range(3):
        c = make_customer(org.rep, stage=Stage.TARGET)
        visit(
            journals[i], c, next_step="再约时间", next_step_date=MONDAY + dt.timedelta(days=i + 1)
        )
    c = make_customer(org.teammate, stage=Stage.TARGET)
    tj = Journal.objects.filter(rep=org.teammate).first()
    assert tj is not None
    visit(
        tj, c, next_step="送方案", next_step_date=MONDAY + dt.timedelta(days=2), next_step_done=True
    )
    return org


def test_recompute_finds_the_missing_follow_up_with_evidence(follow_up_case) -> None:
    org = follow_up_case
    services.findings_recompute(team_ids=[org.team_a.pk], period=WEEK, today=TODAY)
    assert Symptom.NO_FOLLOW_UP in _symptoms(org.rep)
    assert Symptom.NO_FOLLOW_UP not in _symptoms(org.teammate)
    f = Finding.objects.get(rep=org.rep, symptom=Symptom.NO_FOLLOW_UP)
    assert f.period_kind == "week"
    assert f.period_start == MONDAY
    assert f.team == org.team_a
    assert len(f.evidence["customers"]) == 3
    assert len(f.evidence["journals"]) == 3
    assert f.causes
    assert f.measures


def test_recompute_is_idempotent(follow_up_case) -> None:
    org = follow_up_case
    first = services.findings_recompute(team_ids=[org.team_a.pk], period=WEEK, today=TODAY)
    n = Finding.objects.count()
    second = services.findings_recompute(team_ids=[org.team_a.pk], period=WEEK, today=TODAY)
    assert Finding.objects.count() == n
    assert second["created"] == 0
    assert second["updated"] == first["created"]


def test_findings_that_no_longer_hold_are_removed_unless_planned(org) -> None:
    # No journals at all: both reps miss their journals.
    services.findings_recompute(team_ids=[org.team_a.pk], period=WEEK, today=TODAY)
    assert Symptom.MISSING_JOURNALS in _symptoms(org.rep)
    assert Symptom.MISSING_JOURNALS in _symptoms(org.teammate)
    planned = Finding.objects.get(rep=org.teammate, symptom=Symptom.MISSING_JOURNALS)
    services.plan_create_from_finding(finding=planned, by=org.supervisor)
    _week_of_journals(org.rep, org.team_a)
    _week_of_journals(org.teammate, org.team_a)
    counts = services.findings_recompute(team_ids=[org.team_a.pk], period=WEEK, today=TODAY)
    assert counts["deleted"] >= 1
    assert Symptom.MISSING_JOURNALS not in _symptoms(org.rep)
    assert Finding.objects.filter(pk=planned.pk).exists()


def test_thresholds_come_from_the_settings(follow_up_case) -> None:
    org = follow_up_case
    s = DiagnosisSettings.load()
    s.overdue_next_steps_max = 4
    s.save()
    services.findings_recompute(team_ids=[org.team_a.pk], period=WEEK, today=TODAY)
    assert Symptom.NO_FOLLOW_UP not in _symptoms(org.rep)
    s.overdue_next_steps_max = 3
    s.save()
    services.findings_recompute(team_ids=[org.team_a.pk], period=WEEK, today=TODAY)
    assert Symptom.NO_FOLLOW_UP in _symptoms(org.rep)


def test_unprepared_visits_are_found(org) -> None:
    from journals.tests.factories import plan

    for rep, preparation in ((org.rep, ""), (org.teammate, "带产品资料")):
        for j in _week_of_journals(rep, org.team_a):
            plan(j, "first", make_customer(rep, stage=Stage.TARGET), preparation=preparation)
    services.findings_recompute(team_ids=[org.team_a.pk], period=WEEK, today=TODAY)
    assert Symptom.NO_PREPARATION in _symptoms(org.rep)
    assert Symptom.NO_PREPARATION not in _symptoms(org.teammate)


def test_findings_for_team_lists_the_period(follow_up_case) -> None:
    org = follow_up_case
    services.findings_recompute(team_ids=[org.team_a.pk], period=WEEK, today=TODAY)
    rows = selectors.findings_for_team(team_id=org.team_a.pk, period=WEEK)
    assert {f.rep_id for f in rows} >= {org.rep.pk}
    assert selectors.findings_for_team(team_id=org.team_b.pk, period=WEEK) == []
    assert selectors.findings_for_team(team_id=org.team_a.pk, period="2026-W45") == []


def test_plan_from_finding_is_prefilled_and_marks_it_planned(org) -> None:
    f = make_finding(org.rep, org.team_a, symptom=Symptom.HARD_TO_CLOSE)
    plan = services.plan_create_from_finding(
        finding=f, by=org.supervisor, start=dt.date(2026, 11, 2)
    )
    f.refresh_from_db()
    assert f.status == Finding.Status.PLANNED
    assert plan.coachee == org.rep
    assert plan.team == org.team_a
    assert plan.finding == f
    assert plan.problem == str(Symptom.HARD_TO_CLOSE.label)
    assert plan.cause_category == "skill"
    assert plan.effect_metrics == ["deals", "close_rate"]
    assert plan.measures.count() == 2
    assert Notification.objects.filter(user=org.rep, key=f"coaching-plan-{plan.pk}").exists()


def test_only_leads_of_the_team_create_plans(org) -> None:
    kwargs: dict[str, Any] = dict(
        problem="p", cause_category="skill", start=dt.date(2026, 11, 2), end=dt.date(2026, 11, 30)
    )
    with pytest.raises(PermissionDenied):
        services.plan_create(by=org.supervisor_b, coachee=org.rep, **kwargs)
    with pytest.raises(PermissionDenied):
        services.plan_create(by=org.teammate, coachee=org.rep, **kwargs)
    assert services.plan_create(by=org.manager, coachee=org.rep, **kwargs).team == org.team_a


def test_plan_end_before_start_is_a_validation_error(org) -> None:
    with pytest.raises(ValidationError):
        services.plan_create(
            by=org.supervisor,
            coachee=org.rep,
            problem="p",
            cause_category="skill",
            start=dt.date(2026, 11, 10),
            end=dt.date(2026, 11, 1),
        )


def test_only_the_coachee_acknowledges(org) -> None:
    plan = make_plan(org.rep, org.team_a, org.supervisor)
    with pytest.raises(PermissionDenied):
        services.plan_acknowledge(plan=plan, by=org.supervisor)
    services.plan_acknowledge(plan=plan, by=org.rep)
    first = plan.acknowledged_at
    assert first is not None
    services.plan_acknowledge(plan=plan, by=org.rep)
    assert plan.acknowledged_at == first


def test_measure_visit_must_be_the_coachees(org) -> None:
    plan = make_plan(org.rep, org.team_a, org.supervisor)
    other = visit(_journal(org.teammate, org.team_a, MONDAY), make_customer(org.teammate))
    with pytest.raises(ValidationError):
        services.measure_add(
            plan=plan, by=org.supervisor, kind="coaching", description="陪访", visit=other
        )
    own = visit(_journal(org.rep, org.team_a, MONDAY), make_customer(org.rep))
    m = services.measure_add(
        plan=plan, by=org.supervisor, kind="coaching", description="陪访", visit=own
    )
    assert m.visit == own


def test_goal_needs_a_known_kpi(org) -> None:
    plan = make_plan(org.rep, org.team_a, org.supervisor)
    with pytest.raises(ValidationError):
        services.goal_add(
            plan=plan, by=org.supervisor, metric="nonsense", target_value=Decimal(1), due=plan.end
        )
    g = services.goal_add(
        plan=plan, by=org.supervisor, metric="visits", target_value=Decimal(60), due=plan.end
    )
    assert g.plan == plan


def test_talk_for_a_plan_must_be_with_its_coachee(org) -> None:
    plan = make_plan(org.rep, org.team_a, org.supervisor)
    with pytest.raises(ValidationError):
        services.talk_add(by=org.supervisor, rep=org.teammate, held_on=TODAY, notes="n", plan=plan)
    talk = services.talk_add(by=org.supervisor, rep=org.rep, held_on=TODAY, notes="n", plan=plan)
    assert talk.team == org.team_a
    with pytest.raises(PermissionDenied):
        services.talk_add(by=org.supervisor_b, rep=org.rep, held_on=TODAY, notes="n")


def test_recognition_notifies_the_rep(org, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        rec = services.recognition_give(
            by=org.supervisor, rep=org.rep, behaviour="首单", impact="鼓舞小组"
        )
    assert rec.team == org.team_a
    note = Notification.objects.get(user=org.rep, key=f"recognition-{rec.pk}")
    assert "首单" in note.title
    with pytest.raises(PermissionDenied):
        services.recognition_give(
            by=org.outsider_supervisor, rep=org.rep, behaviour="x", impact="y"
        )


def test_suggestions_include_a_long_on_time_streak(org) -> None:
    day = dt.date(2026, 11, 20)
    for d in work_days(day - dt.timedelta(days=30), day - dt.timedelta(days=1)):
        _journal(org.rep, org.team_a, d)
    ideas = services.recognition_suggestions(team_id=org.team_a.pk, day=day)
    streak = [s for s in ideas if s["source"] == "journal_streak"]
    assert [s["rep_id"] for s in streak] == [org.rep.pk]


def test_suggestions_include_a_first_deal_and_the_biggest_contract(org) -> None:
    from customers.models import Contract
    from customers.services import customer_change_stage

    day = dt.date(2026, 11, 20)
    c = make_customer(org.teammate, stage=Stage.INTENT)
    customer_change_stage(
        customer=c, to_stage=Stage.DEAL, by=org.teammate, at=local_dt(dt.date(2026, 11, 17))
    )
    Contract.objects.create(
        customer=c,
        signed_on=dt.date(2026, 11, 17),
        products="专线",
        monthly_value=Decimal("8800.00"),
        rep=org.teammate,
        team=org.team_a,
    )
    ideas = {
        s["source"]: s for s in services.recognition_suggestions(team_id=org.team_a.pk, day=day)
    }
    assert ideas["first_deal"]["rep_id"] == org.teammate.pk
    assert ideas["biggest_deal"]["rep_id"] == org.teammate.pk
    assert "8800" in ideas["biggest_deal"]["behaviour"]


def test_plan_effect_compares_equal_windows_from_live_kpis(org) -> None:
    plan = make_plan(
        org.rep,
        org.team_a,
        org.supervisor,
        start=dt.date(2026, 11, 2),
        end=dt.date(2026, 11, 15),
        effect_metrics=["visits"],
    )
    c = make_customer(org.rep, stage=Stage.TARGET)
    # Before: weeks of 10-19 and 10-26 hold 1 visit; during: 11-02 and 11-09 hold 3.
    visit(_journal(org.rep, org.team_a, dt.date(2026, 10, 20)), c)
    for d in (dt.date(2026, 11, 3), dt.date(2026, 11, 4), dt.date(2026, 11, 10)):
        visit(_journal(org.rep, org.team_a, d), c)
    visit(_journal(org.rep, org.team_a, dt.date(2026, 10, 13)), c)  # outside both windows
    eff = selectors.plan_effect(plan, today=dt.date(2026, 11, 25))
    assert eff["weeks"] == 2
    assert eff["before"] == (dt.date(2026, 10, 19), dt.date(2026, 11, 1))
    assert eff["after"] == (dt.date(2026, 11, 2), dt.date(2026, 11, 15))
    (row,) = eff["rows"]
    assert (row["before"], row["after"], row["change"]) == (1, 3, 2)
    assert eff["chart"]["labels"] == ["2026-W43", "2026-W44", "2026-W45", "2026-W46"]
    assert eff["chart"]["series"][0]["data"] == [1, 0, 2, 1]


def test_key_coachees_are_the_team_plans_running_in_the_period(org) -> None:
    running = make_plan(org.teammate, org.team_a, org.supervisor)
    make_plan(org.rep, org.team_a, org.supervisor, status=CoachingPlan.Status.CANCELLED)
    make_plan(org.rep_b, org.team_b, org.supervisor_b)
    assert selectors.key_coachees(team_id=org.team_a.pk, period="2026-W46") == [running]


def test_a_suggestion_already_given_is_not_suggested_again(org) -> None:
    day = dt.date(2026, 11, 20)
    for d in work_days(day - dt.timedelta(days=30), day - dt.timedelta(days=1)):
        _journal(org.rep, org.team_a, d)
    (idea,) = services.recognition_suggestions(team_id=org.team_a.pk, day=day)
    services.recognition_give(
        by=org.supervisor,
        rep=org.rep,
        behaviour=idea["behaviour"],
        impact=idea["impact"],
        source=idea["source"],
    )
    from coaching.models import Recognition

    Recognition.objects.update(created_at=local_dt(dt.date(2026, 11, 18)))
    assert services.recognition_suggestions(team_id=org.team_a.pk, day=day) == []


def test_findings_and_plans_stored_as_english_text_become_codes(org):
    """The data migration of coaching texts: legacy English causes/measures and a seeded
    plan's Chinese measure and problem become codes, typed text stays."""
    import importlib

    from django.apps import apps

    from coaching.models import CoachingPlan, Measure
    from coaching.tests.factories import make_finding

    migration = importlib.import_module("coaching.migrations.0005_texts_as_codes_data")
    finding = make_finding(org.rep, org.team_a)
    finding.causes = [{"cause": "Too little customer activity", "category": "attitude"}]
    finding.measures = [{"kind": "coaching", "text": "Accompany a closing visit"}]
    finding.save()
    plan = CoachingPlan.objects.create(
        coachee=org.rep,
        team=org.team_a,
        coach=org.supervisor,
        problem="约定的后期安排未跟进",
        cause_category="skill",
        start=dt.date(2026, 11, 2),
        end=dt.date(2026, 11, 30),
    )
    seeded = Measure.objects.create(plan=plan, kind="coaching", description="陪同促成拜访")
    typed = Measure.objects.create(plan=plan, kind="coaching", description="每周一对一")
    migration.forwards(apps, None)
    finding.refresh_from_db()
    assert finding.causes == [{"code": "little_activity", "category": "attitude"}]
    assert finding.measures == [{"kind": "coaching", "code": "accompany_closing"}]
    seeded.refresh_from_db()
    typed.refresh_from_db()
    assert (seeded.code, seeded.description) == ("accompany_closing", "")
    assert (typed.code, typed.description) == ("", "每周一对一")
    plan.refresh_from_db()
    assert plan.problem_code == "no_follow_up"
    migration.backwards(apps, None)
    finding.refresh_from_db()
    assert finding.causes == [{"cause": "Too little customer activity", "category": "attitude"}]
