"""Weekly targets are the month's target split pro rata to each week's work days on the one
work calendar (docs/domain, section 4b; ``kpi/loading.py``, ``targets_frame``): a company
holiday takes its day out of the split, a team entry changes only that team, count targets
stay whole numbers and money targets cents, always adding up to the month. Every expected
value below is computed by hand in the test's docstring."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from accounts.calendar import calendar_day_set
from accounts.models import Membership
from domain.periods import period_of
from kpi.loading import _months_touching, _week_shares, split_largest_remainder, targets_frame
from kpi.models import Target

pytestmark = pytest.mark.django_db

D = dt.date
MARCH = D(2026, 3, 1)
HOLIDAY = D(2026, 3, 10)  # a Tuesday in 2026-W11: the company's annual meeting day off


def _weeks(frame, kind: str, scope_id: int, metric: str) -> dict[str, Decimal]:
    rows = frame[
        frame["period"].str.contains("W")
        & (frame["scope_kind"] == kind)
        & (frame["scope_id"] == scope_id)
        & (frame["metric"] == metric)
    ]
    return {p: Decimal(v) for p, v in zip(rows["period"], rows["value"], strict=True)}


def _with_april_zero(**scope: object) -> None:
    # W14 (30 March - 5 April) straddles April: it has a target only when April has one.
    Target.objects.create(month=D(2026, 4, 1), metric="deals", value=0, **scope)


def test_a_company_holiday_removes_its_day_from_the_split_of_a_count_target(org):
    """22 deals for March 2026 (no public holiday in March). Work days in March per ISO week:
    W09 0 (1 March is a Sunday), W10 5, W11 5, W12 5, W13 5, W14 2 (30th, 31st) = 22, so
    one deal a work day: 5, 5, 5, 5, 2.

    With the company holiday on Tuesday 10 March, W11 has 4 work days and March 21: exact
    shares 22x5/21 = 5.238 (W10, W12, W13), 22x4/21 = 4.190 (W11), 22x2/21 = 2.095 (W14);
    rounded down 5, 4, 5, 5, 2 = 21; the 1 left goes to the largest remainder, 0.238, the
    earliest of the three tied weeks, W10: 6, 4, 5, 5, 2 = 22."""
    Target.objects.create(team=org.team_a, month=MARCH, metric="deals", value=22)
    _with_april_zero(team=org.team_a)
    before = _weeks(targets_frame([org.team_a.pk]), "team", org.team_a.pk, "deals")
    assert {k: v for k, v in before.items() if k <= "2026-W14"} == {
        "2026-W10": 5,
        "2026-W11": 5,
        "2026-W12": 5,
        "2026-W13": 5,
        "2026-W14": 2,
    }
    calendar_day_set(by=org.admin, day=HOLIDAY, is_workday=False, name="公司年会")
    after = _weeks(targets_frame([org.team_a.pk]), "team", org.team_a.pk, "deals")
    assert {k: v for k, v in after.items() if k <= "2026-W14"} == {
        "2026-W10": 6,
        "2026-W11": 4,
        "2026-W12": 5,
        "2026-W13": 5,
        "2026-W14": 2,
    }
    assert sum(v for k, v in after.items() if k <= "2026-W13") + 2 == 22


def test_a_rep_target_follows_the_reps_team_calendar_and_money_keeps_cents(org):
    """22,000.00 of sales revenue for the rep (team A) and 22 deals for team B in March 2026.
    The company holiday on 10 March is off for everyone, but team B works it (a team entry),
    so team B keeps 5, 5, 5, 5, 2 deals.

    The rep's money target over 21 work days, in cents: exact 2,200,000 x 5/21 = 523,809.52
    (W10, W12, W13), x 4/21 = 419,047.62 (W11), x 2/21 = 209,523.81 (W14); rounded down
    523,809 x 3 + 419,047 + 209,523 = 2,199,997; the 3 cents left go to the largest
    remainders: W14 (0.81), W11 (0.62), then W10 (0.52, earliest of the tie):
    5,238.10, 4,190.48, 5,238.09, 5,238.09, 2,095.24 = 22,000.00."""
    calendar_day_set(by=org.admin, day=HOLIDAY, is_workday=False, name="公司年会")
    calendar_day_set(by=org.admin, day=HOLIDAY, is_workday=True, name="", unit=org.team_b)
    Target.objects.create(rep=org.rep, month=MARCH, metric="sales_revenue", value=22000)
    Target.objects.create(rep=org.rep, month=D(2026, 4, 1), metric="sales_revenue", value=0)
    Target.objects.create(team=org.team_b, month=MARCH, metric="deals", value=22)
    _with_april_zero(team=org.team_b)
    frame = targets_frame()
    rep = _weeks(frame, "rep", org.rep.pk, "sales_revenue")
    assert {k: v for k, v in rep.items() if k <= "2026-W14"} == {
        "2026-W10": Decimal("5238.10"),
        "2026-W11": Decimal("4190.48"),
        "2026-W12": Decimal("5238.09"),
        "2026-W13": Decimal("5238.09"),
        "2026-W14": Decimal("2095.24"),
    }
    team_b = _weeks(frame, "team", org.team_b.pk, "deals")
    assert [team_b[f"2026-W{w}"] for w in range(10, 15)] == [5, 5, 5, 5, 2]


def test_a_rep_who_joins_mid_month_is_split_on_the_new_teams_calendar(org):
    """A rep with no membership on 1 March who joins team B on 16 March: the split uses team
    B's calendar, where 10 March (a company holiday) is a work day; 22 deals -> 5, 5, 5, 5, 2."""
    calendar_day_set(by=org.admin, day=HOLIDAY, is_workday=False, name="公司年会")
    calendar_day_set(by=org.admin, day=HOLIDAY, is_workday=True, unit=org.team_b)
    newcomer = type(org.rep).objects.create(username="newcomer")
    Membership.objects.create(
        user=newcomer, unit=org.team_b, role=Membership.Role.REP, start=D(2026, 3, 16)
    )
    Target.objects.create(rep=newcomer, month=MARCH, metric="deals", value=22)
    got = _weeks(targets_frame(), "rep", newcomer.pk, "deals")
    assert [got[f"2026-W{w}"] for w in range(10, 14)] == [5, 5, 5, 5]


def test_a_week_with_no_work_day_in_the_month_gets_nothing_and_an_all_off_month_uses_days(
    org,
):
    """February 2027 is not covered by the chinesecalendar package (Monday-Friday), and the
    Spring Festival is entered by hand: 8-12 February (W06) off. 19 visits over the other 15
    work days of February (W05 1-5, W07 15-19, W08 22-26): 19x5/15 = 6.33 each; rounded down
    6, 6, 6 (18), the 1 left to the earliest of the tie, W05: 7, 0, 6, 6 = 19. A month whose
    every day is off is split by calendar days instead, so its target is not lost."""
    for i in range(5):
        calendar_day_set(by=org.admin, day=D(2027, 2, 8 + i), is_workday=False, name="春节")
    from accounts.calendar import work_calendar

    shares = _week_shares(D(2027, 2, 1), Decimal(19), {}, "visits", work_calendar())
    assert shares == {"2027-W05": 7, "2027-W06": 0, "2027-W07": 6, "2027-W08": 6}
    from accounts.calendar import WorkCalendar

    all_off = WorkCalendar(
        None, {D(2027, 2, 1) + dt.timedelta(days=i): (False, "", "x") for i in range(28)}
    )
    shares = _week_shares(D(2027, 2, 1), Decimal(4), {}, "visits", all_off)
    assert shares == split_largest_remainder(
        Decimal(4), {"2027-W05": 7, "2027-W06": 7, "2027-W07": 7, "2027-W08": 7}, Decimal(1)
    )
    assert sum(shares.values()) == 4


def test_the_split_reads_the_calendar_once(org, django_assert_num_queries):
    """Targets, the reps' memberships and the calendar entries: three queries, however many
    targets and teams."""
    for month in (MARCH, D(2026, 4, 1), D(2026, 5, 1)):
        Target.objects.create(team=org.team_a, month=month, metric="deals", value=9)
        Target.objects.create(team=org.team_b, month=month, metric="deals", value=9)
        Target.objects.create(rep=org.rep, month=month, metric="visits", value=40)
    calendar_day_set(by=org.admin, day=HOLIDAY, is_workday=True, unit=org.team_b)
    with django_assert_num_queries(4):  # + the units' parents, as team entries exist
        targets_frame()


def test_months_limit_the_rows_and_keep_a_straddling_week(org) -> None:
    """``months`` keeps only those months' targets; a load for a week that straddles two
    months asks for both, so the week keeps its target (both months have one)."""
    Target.objects.create(team=org.team_a, month=D(2026, 2, 1), metric="deals", value=28)
    Target.objects.create(team=org.team_a, month=MARCH, metric="deals", value=31)
    Target.objects.create(team=org.team_a, month=D(2026, 5, 1), metric="deals", value=9)
    week = period_of(D(2026, 3, 1), "week")  # 2026-W09: Feb 23 - Mar 1
    months = _months_touching([week])
    assert months == {D(2026, 2, 1), MARCH}
    frame = targets_frame([org.team_a.pk], months)
    assert set(frame[frame["period"].str.len() == 7]["period"]) == {"2026-02", "2026-03"}
    assert "2026-W09" in set(frame["period"])
    assert _weeks(frame, "team", org.team_a.pk, "deals").keys().isdisjoint({"2026-W19"})
