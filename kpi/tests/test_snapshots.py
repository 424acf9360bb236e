"""KPI snapshots end to end through the ORM: hand-computed cases from
docs/domain section 9, stored by kpi.snapshots and read back by kpi.selectors."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from accounts.models import Membership
from customers.models import BillingMonth, Contract, RevenueRecord, Stage
from customers.services import customer_change_stage
from customers.tests.factories import make_customer
from kpi import figures, selectors
from kpi.calculations import metrics_as_json, month_period
from kpi.models import KpiSnapshot, Target
from kpi.snapshots import compute_and_store, metric_value_from_row, to_decimal

TZ = ZoneInfo("Asia/Shanghai")
MARCH = "2026-03"


def at(day: dt.date | str, hour: int = 10) -> dt.datetime:
    if isinstance(day, str):
        day = dt.date.fromisoformat(day)
    return dt.datetime.combine(day, dt.time(hour), tzinfo=TZ)


def make_cohort(owner, month_start: dt.date = dt.date(2026, 3, 2)) -> None:
    """The seed's cohort in one month: 100 leads, 50 targets, 25 relationships, 12 intents,
    6 deals (each customer created at its final stage, skipped stages reached with it)."""
    finals = (
        [Stage.LEAD] * 50
        + [Stage.TARGET] * 25
        + [Stage.RELATIONSHIP] * 13
        + [Stage.INTENT] * 6
        + [Stage.DEAL] * 6
    )
    for i, stage in enumerate(finals):
        make_customer(owner, stage=stage, at=at(month_start + dt.timedelta(days=i % 20)))


@pytest.fixture
def eager():
    """Run Celery tasks in-process for this test, also in CI where REDIS_URL is set (the
    worker could not see this test's uncommitted rows)."""
    from salesops.celery import app

    saved = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


@pytest.fixture
def cohort(org):
    make_cohort(org.rep)
    return org


def rows_of(**filters: object) -> list[tuple[object, ...]]:
    return sorted(
        KpiSnapshot.objects.filter(**filters).values_list(
            "scope_kind",
            "scope_id",
            "period_kind",
            "period_start",
            "metric",
            "value",
            "numerator",
            "denominator",
            "status",
        )
    )


def test_cohort_gives_intent_rate_24_and_close_rate_50_in_snapshots(cohort):
    org = cohort
    written = compute_and_store(periods=[MARCH], team_ids=[org.team_a.pk])
    assert written > 0
    for kind, scope_id in [("rep", org.rep.pk), ("team", org.team_a.pk), ("branch", org.north.pk)]:
        m = selectors.snapshot_metrics(scope_kind=kind, scope_id=scope_id, period=MARCH)
        assert m["target_customers"].value == 50
        assert m["intents"].value == 12
        assert m["deals"].value == 6
        assert m["intent_rate"].value == pytest.approx(0.24)
        assert (m["intent_rate"].numerator, m["intent_rate"].denominator) == (12, 50)
        assert m["close_rate"].value == pytest.approx(0.5)
        assert m["funnel_lead"].value == 100
    row = KpiSnapshot.objects.get(
        scope_kind="team",
        scope_id=org.team_a.pk,
        period_start=dt.date(2026, 3, 1),
        metric="intent_rate",
    )
    assert row.value == Decimal("0.24")
    # The teammate has nothing: rates have no value, never 0.
    mate = selectors.snapshot_metrics(scope_kind="rep", scope_id=org.teammate.pk, period=MARCH)
    assert mate["intent_rate"].value is None
    assert mate["intent_rate"].status == "no_data"


def test_snapshots_equal_live_computation(cohort):
    """Stored figures read back equal to the engine's, rates exactly: a rate is rebuilt
    from its exact numerator and denominator, not from the 6-place stored value."""
    org = cohort
    compute_and_store(periods=[MARCH, "2026-W11"], team_ids=[org.team_a.pk])
    for period in (MARCH, "2026-W11"):
        stored = selectors.snapshot_metrics(
            scope_kind="team", scope_id=org.team_a.pk, period=period
        )
        live = selectors.live_metrics(scope_kind="team", scope_id=org.team_a.pk, period=period)
        assert set(stored) == set(live)
        for name, mv in live.items():
            assert stored[name].status == mv.status, name
            assert stored[name].value == mv.value, name
            assert (stored[name].numerator, stored[name].denominator) == (
                mv.numerator,
                mv.denominator,
            ), name


def test_recomputing_twice_gives_identical_snapshots(cohort):
    org = cohort
    periods = [MARCH, "2026-02", "2026-W10", "2026-W11"]
    first_count = compute_and_store(periods=periods)
    first = rows_of()
    second_count = compute_and_store(periods=periods)
    assert first_count == second_count == len(first)
    assert rows_of() == first
    # A part run for one team gives the same rows for that team.
    compute_and_store(periods=periods, team_ids=[org.team_a.pk])
    assert rows_of() == first


def test_stale_metrics_are_removed_on_recompute(cohort):
    org = cohort
    compute_and_store(periods=[MARCH], team_ids=[org.team_a.pk])
    KpiSnapshot.objects.create(
        scope_kind="team",
        scope_id=org.team_a.pk,
        period_kind="month",
        period_start=dt.date(2026, 3, 1),
        metric="industry_share:gone",
        value=Decimal(1),
        computed_at=at("2026-03-01"),
    )
    compute_and_store(periods=[MARCH], team_ids=[org.team_a.pk])
    assert not KpiSnapshot.objects.filter(metric="industry_share:gone").exists()


def test_team_without_targets_has_null_completion_and_json_without_nan(cohort):
    org = cohort
    compute_and_store(periods=[MARCH], team_ids=[org.team_a.pk])
    m = selectors.snapshot_metrics(scope_kind="team", scope_id=org.team_a.pk, period=MARCH)
    assert m["deals_completion"].value is None
    assert m["deals_completion"].status == "no_data"
    json.dumps(metrics_as_json(m), allow_nan=False)


def test_completion_uses_the_target(cohort):
    org = cohort
    Target.objects.create(team=org.team_a, month=dt.date(2026, 3, 1), metric="deals", value=8)
    compute_and_store(periods=[MARCH], team_ids=[org.team_a.pk])
    m = selectors.snapshot_metrics(scope_kind="team", scope_id=org.team_a.pk, period=MARCH)
    assert m["deals_completion"].value == pytest.approx(0.75)
    assert m["deals_completion"].denominator == 8
    # The branch's target is the sum of its teams' targets.
    Target.objects.create(team=org.team_b, month=dt.date(2026, 3, 1), metric="deals", value=4)
    compute_and_store(periods=[MARCH], team_ids=[org.team_a.pk])
    b = selectors.snapshot_metrics(scope_kind="branch", scope_id=org.north.pk, period=MARCH)
    assert b["deals_completion"].value == pytest.approx(0.5)
    assert b["deals_completion"].denominator == 12


def test_january_arpu_uses_december_deals_and_is_pending_until_billing(org):
    dec = make_customer(org.rep, stage=Stage.DEAL, at=at("2025-12-10"))
    dec2 = make_customer(org.rep, stage=Stage.DEAL, at=at("2025-12-20"))
    jan = make_customer(org.rep, stage=Stage.DEAL, at=at("2026-01-05"))
    RevenueRecord.objects.create(customer=dec, month=dt.date(2026, 1, 1), billed=Decimal("300.00"))
    RevenueRecord.objects.create(customer=jan, month=dt.date(2026, 1, 1), billed=Decimal("999.00"))
    compute_and_store(periods=["2026-01"], team_ids=[org.team_a.pk])
    m = selectors.snapshot_metrics(scope_kind="rep", scope_id=org.rep.pk, period="2026-01")
    assert m["arpu"].value is None
    assert m["arpu"].status == "pending"
    BillingMonth.objects.create(month=dt.date(2026, 1, 1))
    compute_and_store(periods=["2026-01"], team_ids=[org.team_a.pk])
    m = selectors.snapshot_metrics(scope_kind="rep", scope_id=org.rep.pk, period="2026-01")
    # December's two deals, January's billing: (300 + 0) / 2; January's own deal not in it.
    assert m["arpu"].value == Decimal("150.00")
    assert m["arpu"].denominator == 2
    assert m["arpu"].status == "ok"
    assert dec2.pk


def test_rep_who_changed_team_mid_month_counts_in_each_team(org):
    mover = org.teammate
    Membership.objects.filter(user=mover).update(end=dt.date(2026, 3, 15))
    Membership.objects.create(user=mover, unit=org.team_b, role="rep", start=dt.date(2026, 3, 16))
    a = make_customer(mover, stage=Stage.TARGET, at=at("2026-03-03"))
    b = make_customer(mover, stage=Stage.TARGET, at=at("2026-03-04"))
    customer_change_stage(
        customer=a, to_stage=Stage.INTENT, by=mover, at=at("2026-03-10"), check_required=False
    )
    customer_change_stage(
        customer=b, to_stage=Stage.INTENT, by=mover, at=at("2026-03-20"), check_required=False
    )
    compute_and_store(periods=[MARCH], team_ids=[org.team_a.pk])
    team_a = selectors.snapshot_metrics(scope_kind="team", scope_id=org.team_a.pk, period=MARCH)
    team_b = selectors.snapshot_metrics(scope_kind="team", scope_id=org.team_b.pk, period=MARCH)
    rep = selectors.snapshot_metrics(scope_kind="rep", scope_id=mover.pk, period=MARCH)
    assert team_a["intents"].value == 1
    assert team_b == {}  # team_b was not part of this computation
    compute_and_store(periods=[MARCH], team_ids=[org.team_b.pk])
    team_b = selectors.snapshot_metrics(scope_kind="team", scope_id=org.team_b.pk, period=MARCH)
    assert team_b["intents"].value == 1
    assert rep["intents"].value == 2
    branch = selectors.snapshot_metrics(scope_kind="branch", scope_id=org.north.pk, period=MARCH)
    assert branch["intents"].value == 2


def test_money_and_contracts_read_back_as_decimals(org):
    c = make_customer(org.rep, stage=Stage.DEAL, at=at("2026-03-05"))
    Contract.objects.create(
        customer=c,
        signed_on=dt.date(2026, 3, 5),
        products="宽带",
        monthly_value=Decimal("1234.50"),
        rep=org.rep,
        team=org.team_a,
    )
    RevenueRecord.objects.create(
        customer=c, month=dt.date(2026, 3, 1), billed=Decimal("800.00"), received=Decimal("600.00")
    )
    compute_and_store(periods=[MARCH], team_ids=[org.team_a.pk])
    m = selectors.snapshot_metrics(scope_kind="rep", scope_id=org.rep.pk, period=MARCH)
    assert m["total_revenue"].status == "pending"  # March's billing is not in yet
    BillingMonth.objects.create(month=dt.date(2026, 3, 1))
    compute_and_store(periods=[MARCH], team_ids=[org.team_a.pk])
    m = selectors.snapshot_metrics(scope_kind="rep", scope_id=org.rep.pk, period=MARCH)
    assert m["sales_revenue"].value == Decimal("1234.50")
    assert m["total_revenue"].value == Decimal("800.00")
    assert m["collection_rate"].value == pytest.approx(0.75)
    assert m["collection_rate"].numerator == Decimal("600.00")


def test_series_and_table_read_in_one_query(cohort, django_assert_num_queries):
    org = cohort
    compute_and_store(periods=["2026-02", MARCH, "2026-04"], team_ids=[org.team_a.pk])
    periods = [month_period(2026, m) for m in (1, 2, 3, 4)]
    with django_assert_num_queries(1):
        series = selectors.snapshot_series(
            scope_kind="team", scope_id=org.team_a.pk, metric="new_targets", periods=periods
        )
    assert series[0] is None
    assert [s.value if s else None for s in series[1:]] == [0, 50, 0]
    with django_assert_num_queries(1):
        many = figures.stored_series_many(
            scope_kind="team",
            scope_id=org.team_a.pk,
            metrics=["new_targets", "deals", "no_such_metric"],
            periods=periods,
        )
    assert many["new_targets"] == series
    assert many["deals"] == figures.stored_series(
        scope_kind="team", scope_id=org.team_a.pk, metric="deals", periods=periods
    )
    assert many["deals"][1] is not None
    assert many["no_such_metric"] == [None] * 4
    with django_assert_num_queries(1):
        table = selectors.snapshot_table(
            scope_kind="rep",
            scope_ids=[org.rep.pk, org.teammate.pk, org.outsider.pk],
            period=MARCH,
            metrics=["deals", "intent_rate"],
        )
    assert table[org.rep.pk]["deals"].value == 6
    assert table[org.teammate.pk]["deals"].value == 0
    assert org.outsider.pk not in table
    with django_assert_num_queries(1):
        selectors.snapshot_metrics(scope_kind="team", scope_id=org.team_a.pk, period=MARCH)


def test_to_decimal_keeps_six_places():
    assert to_decimal(1 / 3) == Decimal("0.333333")
    assert to_decimal(7) == Decimal(7)
    assert to_decimal(None) is None
    assert to_decimal(Decimal("12.50")) == Decimal("12.50")


@pytest.mark.django_db
def test_a_week_across_two_months_has_a_target_only_when_both_months_have_one(org):
    from decimal import Decimal

    from kpi.loading import targets_frame
    from kpi.models import Target

    Target.objects.create(
        rep=org.rep, month=dt.date(2026, 11, 1), metric="deals", value=Decimal("30")
    )
    frame = targets_frame()
    weeks = set(frame[frame.period.str.contains("W")].period)
    assert "2026-W48" in weeks  # 23-29 November, all inside the month
    assert "2026-W49" not in weeks  # 30 November - 6 December: December has no target
    Target.objects.create(
        rep=org.rep, month=dt.date(2026, 12, 1), metric="deals", value=Decimal("31")
    )
    frame = targets_frame()
    w49 = frame[frame.period == "2026-W49"].value.iloc[0]
    # By work days (docs/domain, section 4b). November: 21 work days, W45-W48 5 each, W49 1
    # (the 30th): 30 x 5/21 = 7.14 x 4 and 30/21 = 1.43 -> 7, 7, 7, 7, 1 (29) + the one left
    # to W49's 0.43 = 2. December: 23 work days, W49 4 (1st-4th), W50-W52 5, W53 4:
    # 5.39, 6.74 x 3, 5.39 -> 5, 6, 6, 6, 5 (28) + 3 to the 0.74s: 5, 7, 7, 7, 5.
    assert w49 == Decimal(2) + Decimal(5)


def test_rates_read_back_exactly_from_numerator_and_denominator():
    stored = metric_value_from_row(
        "effective_activity_rate", to_decimal(2 / 3), Decimal(2), Decimal(3), "ok"
    )
    assert stored.value == 2 / 3  # not 0.666667
    money = metric_value_from_row(
        "collection_rate", to_decimal(1 / 3), Decimal("100.00"), Decimal("300.00"), "ok"
    )
    assert money.value == 1 / 3
    no_data = metric_value_from_row("intent_rate", None, Decimal(0), Decimal(0), "no_data")
    assert no_data.value is None
