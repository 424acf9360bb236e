"""Pure rules: plan achievement, local-day lateness, submission
status, check-in distance, morning meeting flags, revision diff."""

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.visits import APPOINTMENT, FOLLOW_UP_PURPOSES, VISIT_PURPOSES
from journals import calculations as calc

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_plan_achievement_on_a_hand_made_day():
    planned = [
        "first",
        "first",
        "explanation",
        "closing",
        "appointment",
        "appointment",
        "collection",
        "service",
    ]
    actual = [
        ("first", "visit"),
        ("explanation", "visit"),
        ("explanation", None),
        ("appointment", "phone"),
        ("service", "wechat"),
        ("research", "email"),
    ]
    rows = {r.key: r for r in calc.plan_achievement(planned, actual)}
    assert (rows["first"].planned, rows["first"].actual, rows["first"].percent) == (2, 1, 50)
    assert (rows["explanation"].planned, rows["explanation"].actual) == (1, 2)
    assert rows["explanation"].percent == 200
    assert (rows["closing"].planned, rows["closing"].actual, rows["closing"].rate) == (1, 0, 0)
    assert (rows["visits"].planned, rows["visits"].actual, rows["visits"].percent) == (4, 3, 75)
    assert (rows["appointment"].planned, rows["appointment"].actual) == (2, 1)
    assert rows["appointment"].percent == 50
    # research was not planned: no value, never 0 and never an error (docs/domain section 9)
    assert rows["research"].planned == 0
    assert rows["research"].rate is None
    assert (rows["follow_ups"].planned, rows["follow_ups"].actual) == (2, 2)
    assert rows["follow_ups"].percent == 100
    assert [r.key for r in calc.plan_achievement([], [])][-1] == "follow_ups"


@given(
    st.lists(st.sampled_from((*VISIT_PURPOSES, APPOINTMENT, *FOLLOW_UP_PURPOSES))),
    st.lists(st.sampled_from((*VISIT_PURPOSES, APPOINTMENT, *FOLLOW_UP_PURPOSES))),
)
def test_achievement_totals_add_up(planned, actual):
    rows = {r.key: r for r in calc.plan_achievement(planned, actual)}
    assert rows["visits"].planned == sum(rows[k].planned for k in VISIT_PURPOSES)
    assert rows["follow_ups"].actual == sum(rows[k].actual for k in FOLLOW_UP_PURPOSES)
    assert all(r.rate is None or r.rate >= 0 for r in rows.values())


def test_submission_after_local_midnight_is_late_for_the_journal_day():
    day = dt.date(2026, 3, 1)
    after_midnight = dt.datetime(2026, 3, 2, 0, 30, tzinfo=SHANGHAI)
    assert calc.is_late(day=day, submitted_at=after_midnight, deadline=dt.time(21), tz=SHANGHAI)
    # 20:59 Shanghai on 2026-03-01 is 12:59 UTC: on time, whatever the UTC date
    on_time = dt.datetime(2026, 3, 1, 12, 59, tzinfo=dt.UTC)
    assert not calc.is_late(day=day, submitted_at=on_time, deadline=dt.time(21), tz="Asia/Shanghai")
    # 21:00 Shanghai is 13:00 UTC of the same day; one second later is late
    assert calc.deadline_at(day, dt.time(21), SHANGHAI) == dt.datetime(
        2026, 3, 1, 13, tzinfo=dt.UTC
    )
    assert calc.is_late(
        day=day,
        submitted_at=dt.datetime(2026, 3, 1, 13, 0, 1, tzinfo=dt.UTC),
        deadline=dt.time(21),
        tz=SHANGHAI,
    )


def _status(**kw):
    base: dict[str, Any] = dict(
        day=dt.date(2026, 3, 2),
        today=dt.date(2026, 3, 3),
        work_day=True,
        required=True,
        exempt=False,
        journal_status=None,
        journal_late=False,
        deadline_passed=True,
    )
    base.update(kw)
    return calc.submission_status(**base)


def test_submission_status_rules():
    assert _status() == calc.MISSING
    assert _status(journal_status="draft") == calc.MISSING  # never submitted
    assert _status(journal_status="submitted") == calc.ON_TIME
    assert _status(journal_status="reviewed", journal_late=True) == calc.LATE
    assert _status(exempt=True) == calc.EXEMPT
    assert _status(work_day=False) == calc.NON_WORKING
    assert _status(required=False) == calc.NOT_REQUIRED
    assert _status(deadline_passed=False) == calc.PENDING
    assert _status(day=dt.date(2026, 3, 4)) == calc.FUTURE
    # a journal submitted on a day off still counts as submitted
    assert _status(work_day=False, journal_status="submitted") == calc.ON_TIME


def test_counts_and_on_time_rate():
    counts = calc.count_statuses(["on_time", "late", "missing", "exempt", "on_time", "non_working"])
    assert (counts.on_time, counts.late, counts.missing, counts.exempt, counts.due) == (
        2,
        1,
        1,
        1,
        4,
    )
    assert counts.on_time_rate == 0.5
    assert calc.count_statuses(["exempt"]).on_time_rate is None


def test_haversine_distance():
    # Tiananmen to the Forbidden City's north gate: about 1.5 km (north-south)
    d = calc.haversine_m(39.9087, 116.3975, 39.9222, 116.3972)
    assert 1450 <= d <= 1550
    assert calc.haversine_m(22.5431, 114.0579, 22.5431, 114.0579) == 0
    # 0.001 degree of latitude is about 111 m
    assert calc.haversine_m(22.0, 114.0, 22.001, 114.0) == pytest.approx(111, abs=1)


def test_meeting_flags():
    flags = calc.meeting_flags(
        planned_visits=2,
        planned_without_target=1,
        planned_without_preparation=2,
        yesterday_visits=1,
        standard=3,
        overdue_next_steps=2,
        stale_customers=4,
        yesterday_missing=False,
    )
    assert flags == [
        calc.NO_TARGET,
        calc.NO_PREPARATION,
        calc.LOW_VOLUME,
        calc.OVERDUE_NEXT_STEPS,
        calc.NOT_FOLLOWED_UP,
    ]
    assert calc.meeting_flags(
        planned_visits=0,
        planned_without_target=0,
        planned_without_preparation=0,
        yesterday_visits=None,
        standard=3,
        overdue_next_steps=0,
        stale_customers=0,
        yesterday_missing=True,
    ) == [calc.NO_PLAN, calc.MISSED_YESTERDAY]
    assert (
        calc.meeting_flags(
            planned_visits=4,
            planned_without_target=0,
            planned_without_preparation=0,
            yesterday_visits=3,
            standard=3,
            overdue_next_steps=0,
            stale_customers=0,
        )
        == []
    )


def test_revision_diff_marks_changed_lines():
    old = calc.content_lines({"summary": "拜访两家", "plan": [], "visits": []}, {})
    new = calc.content_lines({"summary": "拜访三家", "plan": [], "visits": []}, {})
    rows = calc.revision_diff(old, new)
    assert ("del", "summary: 拜访两家") in rows
    assert ("add", "summary: 拜访三家") in rows
    assert ("same", "learning_topic: ") in rows
