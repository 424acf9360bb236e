"""Figures of the weekly report: ISO weeks, hand-computed values, "-" for no value."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from kpi.calculations import iso_week_period, period_of, weeks_in_iso_year
from weekly import selectors as sel

from .factories import WEEK, fixed_week


def test_iso_week_edge_cases():
    assert period_of(dt.date(2025, 12, 29), "week").key == "2026-W01"
    assert period_of(dt.date(2027, 1, 1), "week").key == "2026-W53"
    assert weeks_in_iso_year(2026) == 53
    assert sel.parse_week("2026-W53").start == dt.date(2026, 12, 28)


def test_parse_week_never_raises_for_bad_input():
    default = iso_week_period(2026, 10)
    for raw in ["2027-W53", "2026-W00", "junk", "2026-13-45", "2026-Wxx"]:
        assert sel.parse_week(raw, default) == default
    assert sel.parse_week("2026-03-04", default).key == "2026-W10"


def test_sunday_2350_local_is_in_that_week():
    sunday_late = timezone.make_aware(dt.datetime(2026, 11, 8, 23, 50))
    assert sel.current_period(sunday_late) == WEEK
    monday_early = timezone.make_aware(dt.datetime(2026, 11, 9, 0, 10))
    assert sel.current_period(monday_early) == WEEK.next()


def test_week_label_shows_dates():
    assert sel.week_label(WEEK) == "2026-W45 (11-02 - 11-08)"


@pytest.mark.django_db
def test_figures_equal_hand_computed_values(org):
    fixed_week(org)
    figs = sel.team_week_figures(
        team_id=org.team_a.pk, period=WEEK, rep_ids=[org.rep.pk, org.teammate.pk]
    )
    rep = figs[str(org.rep.pk)]
    values = {m: sel.figure_value(rep, m) for m in sel.WEEK_METRICS}
    assert values["visits"] == 4
    assert values["customers_visited"] == 3
    assert values["target_customer_visits"] == 2
    assert values["effective_customers"] == 2
    assert values["effective_activity_rate"] == pytest.approx(2 / 3)
    assert values["intents"] == 1
    assert values["weekly_intent_rate"] == pytest.approx(0.5)
    assert values["sales_revenue"] == Decimal("1000.00")
    mate = figs[str(org.teammate.pk)]
    assert sel.figure_value(mate, "effective_activity_rate") is None
    assert sel.fmt("effective_activity_rate", None) == "-"
    assert sel.figure_value(figs["team"], "visits") == 4


@pytest.mark.django_db
def test_rows_show_plan_and_achievement_or_dash(org):
    fixed_week(org)
    figs = sel.team_week_figures(team_id=org.team_a.pk, period=WEEK, rep_ids=[org.rep.pk])
    rows = {
        r.metric: r
        for r in sel.figure_rows(
            figures=figs[str(org.rep.pk)], plan={"visits": "5", "effective_activity_rate": "50"}
        )
    }
    assert rows["visits"].actual == "4"
    assert rows["visits"].plan == "5"
    assert rows["visits"].achievement == "80.0%"
    assert rows["effective_activity_rate"].actual == "66.7%"
    assert rows["effective_activity_rate"].plan == "50%"
    assert rows["effective_activity_rate"].achievement == "133.3%"
    assert rows["weekly_intent_rate"].actual == "50.0%"
    assert rows["deals"].plan == "-"
    assert rows["deals"].achievement == "-"
    assert rows["sales_revenue"].actual == "1,000.00"


def test_achievement_rules():
    assert sel.achievement("visits", 4, None) is None
    assert sel.achievement("visits", 4, Decimal(0)) is None
    assert sel.achievement("visits", None, Decimal(5)) is None
    assert sel.achievement("visits", 4, Decimal(5)) == pytest.approx(0.8)


@pytest.mark.django_db
def test_team_table_rows_and_member_pairs(org):
    fixed_week(org)
    members = [org.rep, org.teammate]
    figs = sel.team_week_figures(
        team_id=org.team_a.pk, period=WEEK, rep_ids=[u.pk for u in members]
    )
    table = sel.team_table(
        members=members,
        figures=figs,
        plans={org.rep.pk: {"sales_revenue": "2000", "effective_activity_rate": "40"}},
    )
    assert table.rows == list(sel.TEAM_ROWS)
    rep_rev = table.cells["sales_revenue"]["members"][0]
    assert rep_rev == (Decimal("2000"), Decimal("1000.00"))
    assert table.cells["achievement"]["members"][0][1] == pytest.approx(0.5)
    assert table.cells["achievement"]["members"][1][1] is None
    assert table.cells["effective_activity_rate"]["members"][0][0] == Decimal("0.4")
    assert table.cells["customers_visited"]["members"][1] == (None, 0)
    display = {r["row"]: r for r in table.display_rows()}
    assert display["achievement"]["pairs"][0] == ("-", "50.0%")
    assert display["effective_activity_rate"]["pairs"][1] == ("-", "-")
