"""The read seam kpi.figures: the organisation's time zone everywhere, reps' customers whose
rows carry no team, one team target. Every expected number is worked out beside it."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from customers.models import Customer, Ownership, Stage, StageChange
from customers.tests.factories import make_customer
from journals.models import Journal, Visit
from kpi import figures
from kpi.calculations import KpiInput, compute_scope, iso_week_period, month_period, period_of
from kpi.models import Target
from kpi.snapshots import compute_and_store

ZONES = ["Asia/Shanghai", "Europe/Berlin", "America/Los_Angeles"]
W10 = iso_week_period(2026, 10)  # Monday 2026-03-02 .. Sunday 2026-03-08
W11 = iso_week_period(2026, 11)


def test_the_engine_has_no_default_time_zone() -> None:
    with pytest.raises(TypeError):
        compute_scope("2026-10", ("rep", 1), KpiInput())  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="time zone"):
        compute_scope("2026-10", ("rep", 1), KpiInput(), tz=None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="Mars/Olympus"):
        compute_scope("2026-10", ("rep", 1), KpiInput(), tz="Mars/Olympus")


def _sunday_night_visit(org, zone: ZoneInfo) -> None:
    """One visit by ``org.rep`` on Sunday 2026-03-08 at 23:30 local time in ``zone``."""
    customer = make_customer(
        org.rep, stage=Stage.TARGET, at=dt.datetime(2026, 2, 2, 10, tzinfo=zone)
    )
    sunday = dt.date(2026, 3, 8)
    journal = Journal.objects.create(rep=org.rep, team=org.team_a, day=sunday)
    Visit.objects.create(
        journal=journal,
        rep=org.rep,
        team=org.team_a,
        customer=customer,
        purpose="explanation",
        occurred_at=dt.datetime(2026, 3, 8, 23, 30, tzinfo=zone),
        stage_before=Stage.TARGET,
    )


@pytest.mark.parametrize("zone_name", ZONES)
def test_a_sunday_2330_local_visit_counts_in_that_week_in_every_zone(
    org, settings, client_for, zone_name: str
) -> None:
    settings.TIME_ZONE = zone_name
    zone = ZoneInfo(zone_name)
    assert timezone.get_default_timezone() == zone
    _sunday_night_visit(org, zone)
    # Live: the week of the visit has 1 visit, the next week 0 (in Shanghai, Berlin and Los
    # Angeles alike: the boundary is local midnight between Sunday and Monday).
    for scope_kind, scope_id in (("rep", org.rep.pk), ("team", org.team_a.pk)):
        assert (
            figures.live_metrics(scope_kind=scope_kind, scope_id=scope_id, period=W10)[
                "visits"
            ].value
            == 1
        )
        assert (
            figures.live_metrics(scope_kind=scope_kind, scope_id=scope_id, period=W11)[
                "visits"
            ].value
            == 0
        )
    week = figures.team_week(team_id=org.team_a.pk, period=W10, rep_ids=[org.rep.pk])
    assert week["team"]["visits"].value == 1
    assert week[str(org.rep.pk)]["visits"].value == 1
    assert week[str(org.rep.pk)]["target_customer_visits"].value == 1
    # Stored: the same numbers, read back through the seam.
    compute_and_store(periods=[W10, W11], team_ids=[org.team_a.pk])
    assert (
        figures.stored_metrics(scope_kind="rep", scope_id=org.rep.pk, period=W10)["visits"].value
        == 1
    )
    assert (
        figures.stored_metrics(scope_kind="rep", scope_id=org.rep.pk, period=W11)["visits"].value
        == 0
    )
    # Coaching and recognition read the same figures.
    got = figures.rep_figures(
        team_ids=[org.team_a.pk], rep_ids=[org.rep.pk], periods=[W10], metrics=["visits"]
    )
    assert got[(W10.key, org.rep.pk)]["visits"].value == 1
    from coaching.services import rep_metrics
    from weekly import selectors as weekly

    coached = rep_metrics(team_ids=[org.team_a.pk], rep_ids=[org.rep.pk], periods=[W10, W11])
    assert coached[(W10.key, org.rep.pk)]["visits"].value == 1
    assert coached[(W11.key, org.rep.pk)]["visits"].value == 0
    # The weekly report's figures and the dashboard's tile.
    report = weekly.team_week_figures(team_id=org.team_a.pk, period=W10, rep_ids=[org.rep.pk])
    assert report[str(org.rep.pk)]["visits"]["value"] == 1
    nxt = weekly.team_week_figures(team_id=org.team_a.pk, period=W11, rep_ids=[org.rep.pk])
    assert nxt[str(org.rep.pk)]["visits"]["value"] == 0
    page = client_for(org.rep).get(f"/kpi/rep/{org.rep.username}/?period={W10.key}")
    tiles = {t["metric"]: t for t in page.context["tiles"]}
    assert tiles["target_customer_visits"]["value"].value == 1


def test_stored_rep_figures_include_customers_whose_rows_carry_no_team(org) -> None:
    """The rep moved two customers to target in March 2026; after the rep left team A their
    rows carry no team (customer, ownership and stage rows). The engine still attributes
    both to the rep, so the rep's stored new_targets for March is 2 (it was 0 when the loader
    looked only at team columns)."""
    tz = timezone.get_default_timezone()
    first = make_customer(org.rep, stage=Stage.TARGET, at=dt.datetime(2026, 3, 3, 10, tzinfo=tz))
    second = make_customer(org.rep, stage=Stage.TARGET, at=dt.datetime(2026, 3, 9, 10, tzinfo=tz))
    ids = [first.pk, second.pk]
    Customer.objects.filter(pk__in=ids).update(team=None)
    Ownership.objects.filter(customer_id__in=ids).update(team=None)
    StageChange.objects.filter(customer_id__in=ids).update(team=None)
    march = month_period(2026, 3)
    compute_and_store(periods=[march], team_ids=[org.team_a.pk])
    stored = figures.stored_metrics(scope_kind="rep", scope_id=org.rep.pk, period=march)
    assert stored["new_targets"].value == 2
    live = figures.live_metrics(scope_kind="rep", scope_id=org.rep.pk, period=march)
    assert live["new_targets"].value == 2


def test_rep_figures_of_several_periods_read_the_stored_rows_as_stored_metrics(org) -> None:
    """``rep_figures`` reads the stored figures of several periods in one plain query with
    the backend's decimal converters: every MetricValue (counts, money, rates rebuilt from
    numerator and denominator) equals what the ORM read of ``stored_metrics`` gives, and a
    period whose reps all have figures is not computed live."""
    tz = timezone.get_default_timezone()
    for day in (3, 9, 10):
        make_customer(org.rep, stage=Stage.INTENT, at=dt.datetime(2026, 3, day, 10, tzinfo=tz))
    make_customer(org.teammate, stage=Stage.TARGET, at=dt.datetime(2026, 3, 4, 10, tzinfo=tz))
    march, week = month_period(2026, 3), W10
    compute_and_store(periods=[march, week], team_ids=[org.team_a.pk])
    reps = [org.rep.pk, org.teammate.pk]
    names = ["new_targets", "intents", "intent_rate", "funnel_target", "arpu", "revenue"]
    got = figures.rep_figures(
        team_ids=[org.team_a.pk],
        rep_ids=[],
        periods=[march, week],
        metrics=names,
        reps_by_period={march.key: reps, week.key: [org.rep.pk]},
    )
    assert set(got) == {(march.key, r) for r in reps} | {(week.key, org.rep.pk)}
    for (key, rep), values in got.items():
        stored = figures.stored_metrics(scope_kind="rep", scope_id=rep, period=key)
        assert values == {m: stored[m] for m in names if m in stored}
    assert got[(march.key, org.rep.pk)]["intents"].value == 3
    assert isinstance(got[(march.key, org.rep.pk)]["intent_rate"].value, float | None)


def test_one_team_target_for_a_month_and_its_weeks(org) -> None:
    """A team target of 3300.00 for March 2026 (22 work days), no explicit split: W10 (Mar
    2-8, 5 work days inside March) gets 3300 x 5 / 22 = 750.00; W09 (Feb 23 - Mar 1) has only
    one day in March and February has no target, so the week has none."""
    Target.objects.create(
        team=org.team_a, month=dt.date(2026, 3, 1), metric="sales_revenue", value=3300
    )
    assert figures.team_target(
        team_id=org.team_a.pk, period="2026-03", metric="sales_revenue"
    ) == Decimal("3300")
    assert figures.team_target(
        team_id=org.team_a.pk, period=W10, metric="sales_revenue"
    ) == Decimal("750.00")
    assert (
        figures.team_target(team_id=org.team_a.pk, period="2026-W09", metric="sales_revenue")
        is None
    )
    assert figures.team_target(team_id=org.team_a.pk, period=W10, metric="deals") is None
    # The team figures the weekly pages read carry the same number.
    week = figures.team_week(team_id=org.team_a.pk, period=W10, rep_ids=[])
    assert week["team"]["sales_revenue_completion"].denominator == Decimal("750.00")


def test_team_target_against_the_sum_of_the_reps_targets(org) -> None:
    march = dt.date(2026, 3, 1)
    Target.objects.create(team=org.team_a, month=march, metric="deals", value=10)
    Target.objects.create(rep=org.rep, month=march, metric="deals", value=4)
    Target.objects.create(rep=org.teammate, month=march, metric="deals", value=6)
    Target.objects.create(team=org.team_a, month=march, metric="visits", value=100)
    Target.objects.create(rep=org.rep, month=march, metric="visits", value=30)
    got = figures.team_targets_vs_reps(
        team_id=org.team_a.pk, month=march, rep_ids=[org.rep.pk, org.teammate.pk]
    )
    # deals: 10 = 4 + 6, no difference; visits: 100 against 30.
    assert got == [("visits", Decimal("100"), Decimal("30"))]


def test_as_of_is_the_time_of_the_last_computation(org) -> None:
    assert figures.as_of(scope_kind="team", scope_ids=[org.team_a.pk], period=W10) is None
    before = timezone.now()
    compute_and_store(periods=[W10], team_ids=[org.team_a.pk])
    got = figures.as_of(scope_kind="team", scope_ids=[org.team_a.pk], period=W10)
    assert got is not None
    assert before <= got <= timezone.now()


def _targets_on(owner, day: dt.date, n: int) -> None:
    tz = timezone.get_default_timezone()
    for _i in range(n):
        make_customer(owner, stage=Stage.TARGET, at=dt.datetime.combine(day, dt.time(10), tz))


def test_month_to_date_is_compared_with_the_same_first_days(org, client_for) -> None:
    """Seen on 2026-12-03. New target customers: Dec 1-3 2026: 2; Nov 1-3: 1 (and 3 more on
    Nov 20, outside the span); Dec 1-3 2025: 10. Month on month: 2 against 1, a base under
    10, so the absolute change +1 (the whole of November, 4, would have said -50.0%); year on
    year: 2 against 10 = -80.0%."""
    from kpi.views.dashboard_data import dashboard_data
    from kpi.views.scopes import DashScope

    _targets_on(org.rep, dt.date(2026, 12, 2), 2)
    _targets_on(org.rep, dt.date(2026, 11, 2), 1)
    _targets_on(org.rep, dt.date(2026, 11, 20), 3)
    _targets_on(org.rep, dt.date(2025, 12, 1), 10)
    december = month_period(2026, 12)
    compute_and_store(periods=[december, month_period(2026, 11)], team_ids=[org.team_a.pk])
    ds = DashScope("rep", org.rep.pk, org.rep, f"rep:{org.rep.username}")
    data = dashboard_data(ds, december, today=dt.date(2026, 12, 3))
    assert data["to_date"] == "month"
    tile = next(t for t in data["tiles"] if t["metric"] == "new_targets")
    assert tile["value"].value == 2
    assert tile["mom"] == {"text": "+1", "sign": 1, "absolute": True}
    assert tile["yoy"] == {"text": "-80.0%", "sign": -1}
    # The same month seen once it is over: whole December against the whole of November
    # (stored, 4): 2 against 4, a base under 10, so -2.
    after = dashboard_data(ds, december, today=dt.date(2027, 1, 5))
    assert after["to_date"] == ""
    tile = next(t for t in after["tiles"] if t["metric"] == "new_targets")
    assert tile["mom"] == {"text": "-2", "sign": -1, "absolute": True}


def test_week_to_date_compares_the_same_weekdays(org) -> None:
    """Seen on Wednesday 2026-03-04 (W10). New targets Mon-Wed of W10: 12; Mon-Wed of W09:
    10 and 5 more on Friday of W09. Week on week: 12 against 10 = +20.0%."""
    from kpi.views.dashboard_data import dashboard_data
    from kpi.views.scopes import DashScope

    _targets_on(org.rep, dt.date(2026, 3, 3), 12)
    _targets_on(org.rep, dt.date(2026, 2, 24), 10)
    _targets_on(org.rep, dt.date(2026, 2, 27), 5)
    compute_and_store(periods=[W10], team_ids=[org.team_a.pk])
    ds = DashScope("team", org.team_a.pk, org.team_a, f"team:{org.team_a.code}", [org.team_a.pk])
    data = dashboard_data(ds, W10, today=dt.date(2026, 3, 4))
    assert data["to_date"] == "week"
    tile = next(t for t in data["tiles"] if t["metric"] == "new_targets")
    assert tile["value"].value == 12
    assert tile["mom"] == {"text": "+20.0%", "sign": 1}


def test_the_dashboard_says_month_to_date_and_as_of(org, client_for) -> None:
    today = timezone.localdate()
    _targets_on(org.rep, today, 1)
    compute_and_store(periods=[month_period(today.year, today.month)], team_ids=[org.team_a.pk])
    client = client_for(org.rep)
    page = client.get(
        f"/kpi/rep/{org.rep.username}/", HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert "本月至今" in page
    assert "截至 " in page


def test_weekly_splits_of_count_targets_are_whole_and_add_up(org) -> None:
    """10 deals for March 2026, split by work days (official calendar, no holiday in March):
    W09 has 0 work days in March (Sunday 1st), W10-W13 5 each, W14 2 (30th, 31st): 22.
    Exact shares 0, 2.27 x 4, 0.91; rounded down 0, 2, 2, 2, 2, 0 (8); the 2 left go to the
    largest remainders, W14 (0.91) and then W10 (0.27, the earliest of the tie):
    0, 3, 2, 2, 2, 1 = 10."""
    from kpi.loading import targets_frame

    Target.objects.create(team=org.team_a, month=dt.date(2026, 3, 1), metric="deals", value=10)
    Target.objects.create(team=org.team_a, month=dt.date(2026, 4, 1), metric="deals", value=0)
    frame = targets_frame([org.team_a.pk])
    weeks = frame[(frame["period"].str.contains("W")) & (frame["metric"] == "deals")]
    got = dict(zip(weeks["period"], weeks["value"], strict=True))
    # W14 (Mar 30 - Apr 5) also has April's 0 -> 1; W09 (Feb 23 - Mar 1): February has none.
    assert got == {
        "2026-W10": 3,
        "2026-W11": 2,
        "2026-W12": 2,
        "2026-W13": 2,
        "2026-W14": 1,
        "2026-W15": 0,
        "2026-W16": 0,
        "2026-W17": 0,
    }  # W18 (Apr 27 - May 3) also has May days and May has no target: none
    assert all(Decimal(v) == Decimal(v).to_integral_value() for v in got.values())


@pytest.mark.parametrize(
    ("lang", "weekly", "monthly"),
    [
        ("en", ["WoW", "Week on week", "week on week and year on year"], ["MoM", "month on"]),
        ("zh-hans", ["环比（与上周）"], ["环比、同比"]),
    ],
)
def test_a_weekly_dashboard_compares_week_on_week(org, client_for, lang, weekly, monthly) -> None:
    """The previous period of an ISO week is the previous week: the weekly dashboard (team,
    branch, rep) and its export say WoW / week on week (zh: 环比 with 上周), a monthly one
    MoM (kpi.views.dashboard_data.comparison_labels, docs/domain, section 9)."""
    from openpyxl import load_workbook

    today = timezone.localdate()
    week = period_of(today, "week")
    month = month_period(today.year, today.month)
    _targets_on(org.rep, today, 1)
    compute_and_store(periods=[week, month], team_ids=[org.team_a.pk])
    pages = {
        org.supervisor: f"/kpi/team/{org.team_a.code}/",
        org.manager: f"/kpi/branch/{org.team_a.parent.code}/",
        org.rep: f"/kpi/rep/{org.rep.username}/",
    }
    for user, url in pages.items():
        client = client_for(user)
        page = client.get(f"{url}?period={week.key}", HTTP_ACCEPT_LANGUAGE=lang)
        assert page.status_code == 200, url
        html = page.content.decode()
        for text in weekly:
            assert text in html, (url, text)
        assert "MoM" not in html
        assert "month on month" not in html
        if lang == "zh-hans" and user == org.manager:
            assert "<th>名称</th>" in html  # the branch ranks teams: a thing's name
        html = client.get(f"{url}?period={month.key}", HTTP_ACCEPT_LANGUAGE=lang).content.decode()
        for text in monthly:
            assert text in html, (url, text)
        assert "WoW" not in html
    export = client_for(org.supervisor).get(
        f"/kpi/export/?scope=team:{org.team_a.code}&period={week.key}", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert export.status_code == 200
    header = [c.value for c in next(load_workbook(io.BytesIO(export.content)).active.rows)]
    assert header[2] == "Week on week"
