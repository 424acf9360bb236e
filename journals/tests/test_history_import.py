"""History import from another CRM: visits, follow-ups and stage changes attached to the
right customers with their own dates, reps and outcomes; scoped; counted by the KPIs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from customers.models import Customer, StageChange
from customers.tests.factories import make_customer
from customers.tests.test_import_support import english, xlsx_bytes  # noqa: F401 - fixture
from journals.history_import import (
    ATTACH,
    KNOWN,
    REJECT,
    HistoryFileRefused,
    history_import,
    history_plan,
)
from journals.models import Journal, Visit
from kpi import figures
from kpi.calculations.periods import Scope as KpiScope
from salesops.events import HistoryImported, subscribe, unsubscribe

pytestmark = pytest.mark.django_db

HEAD: list[object] = [
    "客户编号",
    "客户名称",
    "类型",
    "日期",
    "跟进人",
    "目的",
    "结果",
    "内容",
    "下一步",
    "下一步日期",
    "新阶段",
]  # noqa: E501


def local(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime(y, m, d, hh, mm))


@pytest.fixture
def customers(org):
    """A (code H001, the rep's) and B (no code, the teammate's), leads since 2026-09-01,
    and C of the other branch (code H003)."""
    at = local(2026, 9, 1)
    a = make_customer(org.rep, name="甲科技有限公司", external_code="H001", at=at)
    b = make_customer(org.teammate, name="乙贸易有限公司", at=at)
    c = make_customer(org.outsider, name="丙物流有限公司", external_code="H003", at=at)
    return a, b, c


def history_file(org) -> bytes:
    rows: list[list[object]] = [
        HEAD,
        ["H001", "", "阶段变更", "2026-10-02", "rep", "", "", "", "", "", "目标客户"],
        [
            "H001",
            "",
            "拜访",
            "2026-10-05 10:00",
            "rep",
            "初访",
            "约定后期安排",
            "谈需求",
            "方案演示",
            "2026-10-12",
            "",
        ],  # noqa: E501
        ["H001", "", "拜访", "2026-10-12 15:30", "张伟", "说明", "无结果", "", "", "", ""],
        ["H001", "", "stage", dt.date(2026, 10, 20), "rep", "", "", "", "", "", "intent"],
        [
            "",
            "乙贸易有限公司",
            "跟进",
            "2026/10/8",
            "teammate",
            "回访：服务",
            "信息收集",
            "",
            "",
            "",
            "",
        ],  # noqa: E501
        ["H999", "", "拜访", "2026-10-09", "rep", "初访", "", "", "", "", ""],
        ["H003", "", "拜访", "2026-10-09", "outsider", "初访", "", "", "", "", ""],
        ["H001", "", "拜访", "10/9/2026", "rep", "", "", "", "", "", ""],
        ["H001", "", "拜访", "2026-10-09", "nobody", "初访", "", "", "", "", ""],
    ]
    return xlsx_bytes(rows)


def problems(plan, number):
    row = next(p for p in plan.rows if p.row.row_number == number)
    return [(e.field, e.reason) for e in row.problems]


@pytest.mark.usefixtures("english")
def test_the_plan_says_what_is_attached_where_and_why_a_row_is_refused(org, customers):
    a, b, _ = customers
    plan = history_plan(by=org.supervisor, data=history_file(org))
    actions = [(p.row.row_number, p.action) for p in plan.rows]
    assert actions == [
        (2, ATTACH),
        (3, ATTACH),
        (4, ATTACH),
        (5, ATTACH),
        (6, ATTACH),
        (7, REJECT),
        (8, REJECT),
        (9, REJECT),
        (10, REJECT),
    ]
    first = plan.rows[0]
    assert (first.customer, first.rep, first.team) == (a, org.rep, org.team_a)
    assert plan.rows[2].rep == org.rep  # by display name 张伟
    assert (plan.rows[4].customer, plan.rows[4].rep) == (b, org.teammate)  # by name
    assert problems(plan, 7) == [("customer", "no customer H999 among the customers you may see")]
    # Another branch's customer is not visible to the supervisor: the same answer.
    assert problems(plan, 8)[0] == ("customer", "no customer H003 among the customers you may see")
    assert ("at", "not a date: 10/9/2026") in problems(plan, 9)
    assert ("purpose", "required for a visit or follow-up") in problems(plan, 9)
    assert problems(plan, 10) == [("rep", "unknown user nobody")]
    assert plan.count(ATTACH, "visit") == 3
    assert plan.count(ATTACH, "stage") == 2


def test_import_writes_history_with_original_dates_reps_and_outcomes(org, customers):
    a, b, _ = customers
    owners_before = dict(Customer.objects.values_list("pk", "owner_id"))
    history_import(by=org.supervisor, data=history_file(org))
    changes = list(
        StageChange.objects.filter(customer=a).values_list("to_stage", "at", "rep_id", "team_id")
    )
    assert changes == [
        ("target", local(2026, 10, 2), org.rep.pk, org.team_a.pk),
        ("intent", local(2026, 10, 20), org.rep.pk, org.team_a.pk),
    ]
    a.refresh_from_db()
    assert (a.stage, a.stage_changed_at) == ("intent", local(2026, 10, 20))
    visits = list(
        Visit.objects.order_by("occurred_at").values_list(
            "customer_id", "rep_id", "team_id", "occurred_at", "purpose", "outcome", "stage_before"
        )
    )
    assert visits == [
        (a.pk, org.rep.pk, org.team_a.pk, local(2026, 10, 5, 10), "first", "next_step", "target"),
        (b.pk, org.teammate.pk, org.team_a.pk, local(2026, 10, 8, 12), "service", "info", "lead"),
        (
            a.pk,
            org.rep.pk,
            org.team_a.pk,
            local(2026, 10, 12, 15, 30),
            "explanation",
            "nothing",
            "target",
        ),  # noqa: E501
    ]
    first = Visit.objects.get(occurred_at=local(2026, 10, 5, 10))
    assert (first.learned, first.next_step, first.next_step_date) == (
        "谈需求",
        "方案演示",
        dt.date(2026, 10, 12),
    )
    assert first.journal.rep == org.rep
    assert first.journal.day == dt.date(2026, 10, 5)
    assert first.journal.status == Journal.Status.SUBMITTED
    # Never re-owned to the importer (or anyone).
    assert dict(Customer.objects.values_list("pk", "owner_id")) == owners_before
    a.refresh_from_db()
    assert a.last_activity_at == local(2026, 10, 12, 15, 30)


def test_importing_the_same_file_twice_adds_nothing(org, customers):
    history_import(by=org.admin, data=history_file(org))
    counts = (Visit.objects.count(), StageChange.objects.count(), Journal.objects.count())
    plan = history_import(by=org.admin, data=history_file(org))
    assert plan.count(ATTACH) == 0
    assert plan.count(KNOWN) == 6  # the admin also sees the other branch's customer
    assert (Visit.objects.count(), StageChange.objects.count(), Journal.objects.count()) == counts


def test_kpis_count_the_imported_history(org, customers):
    """Hand-computed, October 2026, team north-1: visits on 10-05 (A, effective: dated next
    step), 10-08 (B, follow-up, not effective) and 10-12 (A, nothing); A reached target on
    10-02 and intent on 10-20. So visits 3, customers visited 2, effective customers 1,
    new targets 1, intents 1, target-customer visits 2 (both visits to A fall while A is an
    open target), intent rate 1/1; the rep alone: 2 visits, 1 customer."""
    history_import(by=org.supervisor, data=history_file(org))
    team, rep = KpiScope.team(org.team_a.pk), KpiScope.rep(org.rep.pk)
    result = figures.compute(["2026-10"], [team, rep], team_ids=[org.team_a.pk])
    (period,) = {p for p, _ in result}
    got = {k: v.value for k, v in result[(period, team)].items()}
    assert got["visits"] == 3
    assert got["customers_visited"] == 2
    assert got["effective_customers"] == 1
    assert got["new_targets"] == 1
    assert got["intents"] == 1
    assert got["target_customer_visits"] == 2
    assert got["intent_rate"] == 1
    mine = {k: v.value for k, v in result[(period, rep)].items()}
    assert (mine["visits"], mine["customers_visited"]) == (2, 1)


def test_import_publishes_the_team_days_so_the_kpis_recompute(
    org, customers, django_capture_on_commit_callbacks
):
    seen: list[HistoryImported] = []
    subscribe(HistoryImported, seen.append)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            history_import(by=org.supervisor, data=history_file(org))
    finally:
        unsubscribe(HistoryImported, seen.append)
    assert len(seen) == 1
    days = {d for t, d in seen[0].team_days if t == org.team_a.pk}
    assert days == {dt.date(2026, 10, d) for d in (2, 5, 8, 12, 20)}


def test_only_admins_and_supervisors_import_and_each_sees_only_their_customers(org, customers):
    for person in (org.rep, org.manager):
        with pytest.raises(PermissionDenied):
            history_plan(by=person, data=history_file(org))
    # The other branch's supervisor sees none of team north-1's customers or people.
    plan = history_plan(by=org.outsider_supervisor, data=history_file(org))
    assert {p.row.row_number for p in plan.rows if p.action == ATTACH} == {8}
    # The admin sees every customer.
    plan = history_plan(by=org.admin, data=history_file(org))
    assert next(p for p in plan.rows if p.row.row_number == 8).action == ATTACH


def test_a_file_without_a_customer_or_date_column_is_refused_once(org):
    with pytest.raises(HistoryFileRefused) as refused:
        history_plan(by=org.admin, data=xlsx_bytes([["日期", "跟进人"], ["2026-10-01", "rep"]]))
    assert refused.value.code == "no_customer_column"
    with pytest.raises(HistoryFileRefused) as refused:
        history_plan(by=org.admin, data=xlsx_bytes([["客户编号", "跟进人"], ["H001", "rep"]]))
    assert refused.value.code == "no_date_column"
