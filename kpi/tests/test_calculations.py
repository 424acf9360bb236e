"""Hand-computed cases pinning every KPI rule of docs/domain section 9 (kpi/calculations.py).

Every expected number is worked out in a comment next to it. No database: the calculations
take plain pandas frames.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
import types
from decimal import Decimal
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from domain.metrics import METRICS
from kpi import calculations as calc
from kpi.calculations import (
    KpiInput,
    MetricValue,
    Period,
    Scope,
    as_scope,
    iso_week_period,
    metric_names,
    metrics_as_json,
    month_period,
    parse_period,
    period_of,
    team_of_user_at,
    weeks_in_iso_year,
)
from kpi.calculations import (
    compute_many as _compute_many,
)
from kpi.calculations import (
    compute_members as _compute_members,
)
from kpi.calculations import (
    compute_scope as _compute_scope,
)
from kpi.calculations import (
    owner_at as _owner_at,
)
from kpi.calculations import (
    stage_reach_times as _stage_reach_times,
)

SH = ZoneInfo("Asia/Shanghai")
# The engine has no default zone; these cases are written in Shanghai time.
compute_many = functools.partial(_compute_many, tz=SH)
compute_scope = functools.partial(_compute_scope, tz=SH)
owner_at = functools.partial(_owner_at, tz=SH)
stage_reach_times = functools.partial(_stage_reach_times, tz=SH)
compute_members = functools.partial(_compute_members, tz=SH)
DAY = dt.date(2026, 10, 9)
UTC = dt.UTC
REP, REP2, REP3 = 1, 2, 3
TEAM_A, TEAM_B = 10, 20


def at(y: int, m: int, d: int, h: int = 10, minute: int = 0) -> dt.datetime:
    """A local (Shanghai) instant."""
    return dt.datetime(y, m, d, h, minute, tzinfo=SH)


class Book:
    """Collects rows for a KpiInput the way the ORM side will build the frames."""

    def __init__(self) -> None:
        self.changes: list[dict] = []
        self.owners: list[dict] = []
        self.members: list[dict] = []
        self.visits: list[dict] = []
        self.revenue: list[dict] = []
        self.contracts: list[dict] = []
        self.billing: list[dict] = []
        self.targets: list[dict] = []
        self.customers: list[dict] = []
        self._stage: dict[int, str] = {}

    def customer(
        self,
        cid: int,
        *,
        owner: int | None = REP,
        team: int | None = TEAM_A,
        created: dt.datetime | None = None,
        industry: str = "",
    ) -> Book:
        self.owners.append(
            {
                "customer_id": cid,
                "owner_id": owner,
                "team_id": team,
                "start": created or at(2026, 1, 1),
                "end": None,
            }
        )
        self.customers.append({"id": cid, "industry": industry, "segment": "mass"})
        self._stage[cid] = "lead"
        return self

    def reassign(self, cid: int, *, owner: int, team: int, when: dt.datetime) -> Book:
        for row in self.owners:
            if row["customer_id"] == cid and row["end"] is None:
                row["end"] = when
        self.owners.append(
            {"customer_id": cid, "owner_id": owner, "team_id": team, "start": when, "end": None}
        )
        return self

    def move(
        self,
        cid: int,
        to: str,
        when: dt.datetime,
        *,
        rep: int | None = REP,
        team: int | None = TEAM_A,
    ) -> Book:
        self.changes.append(
            {
                "id": len(self.changes) + 1,
                "customer_id": cid,
                "from_stage": self._stage.get(cid, "lead"),
                "to_stage": to,
                "at": when,
                "rep_id": rep,
                "team_id": team,
            }
        )
        self._stage[cid] = to
        return self

    def member(
        self, user: int, team: int, start: dt.date, end: dt.date | None = None, role: str = "rep"
    ) -> Book:
        self.members.append(
            {"user_id": user, "unit_id": team, "role": role, "start": start, "end": end}
        )
        return self

    def visit(
        self,
        cid: int,
        when: dt.datetime,
        *,
        effective: bool = False,
        outcome: str | None = None,
        next_step: str = "",
        next_step_date: dt.date | None = None,
        rep: int = REP,
        team: int | None = TEAM_A,
    ) -> Book:
        """A visit; ``effective`` picks outcome stage_advanced (else nothing) unless
        ``outcome`` is given. Whether it is effective is the engine's to compute."""
        self.visits.append(
            {
                "id": len(self.visits) + 1,
                "customer_id": cid,
                "rep_id": rep,
                "team_id": team,
                "occurred_at": when,
                "outcome": outcome or ("stage_advanced" if effective else "nothing"),
                "next_step": next_step,
                "next_step_date": next_step_date,
            }
        )
        return self

    def bill(
        self,
        cid: int,
        month: dt.date,
        billed: str,
        received: str = "0",
        *,
        kind: str = "",
        product: str = "",
    ) -> Book:
        self.revenue.append(
            {
                "customer_id": cid,
                "month": month,
                "billed": Decimal(billed),
                "received": Decimal(received),
                "kind": kind,
                "product": product,
            }
        )
        return self

    def contract(
        self, cid: int, signed_on: dt.date, value: str, *, rep: int = REP, team: int = TEAM_A
    ) -> Book:
        self.contracts.append(
            {
                "customer_id": cid,
                "signed_on": signed_on,
                "monthly_value": Decimal(value),
                "rep_id": rep,
                "team_id": team,
            }
        )
        return self

    def billing_in(self, month: dt.date) -> Book:
        self.billing.append({"month": month})
        return self

    def target(self, kind: str, sid: int | None, period: str, metric: str, value: object) -> Book:
        self.targets.append(
            {
                "scope_kind": kind,
                "scope_id": sid,
                "period": period,
                "metric": metric,
                "value": value,
            }
        )
        return self

    def data(self) -> KpiInput:
        def frame(rows: list[dict], default: pd.DataFrame) -> pd.DataFrame:
            return pd.DataFrame(rows) if rows else default

        empty = KpiInput()
        return KpiInput(
            stage_changes=frame(self.changes, empty.stage_changes),
            ownerships=frame(self.owners, empty.ownerships),
            memberships=frame(self.members, empty.memberships),
            visits=frame(self.visits, empty.visits),
            revenue=frame(self.revenue, empty.revenue),
            contracts=frame(self.contracts, empty.contracts),
            billing_months=frame(self.billing, empty.billing_months),
            targets=frame(self.targets, empty.targets),
            customers=frame(self.customers, empty.customers),
        )


def values(result: dict[str, MetricValue], *names: str) -> list[object]:
    return [result[name].value for name in names]


def assert_json_safe(result: dict[str, MetricValue]) -> None:
    text = json.dumps(metrics_as_json(result), allow_nan=False)
    assert "NaN" not in text
    assert "Infinity" not in text
    for mv in result.values():
        if isinstance(mv.value, float):
            assert math.isfinite(mv.value)


# --------------------------------------------------------------------------- periods


def test_month_period_bounds_and_key() -> None:
    p = month_period(2026, 12)
    assert (p.start, p.end, p.key) == (dt.date(2026, 12, 1), dt.date(2027, 1, 1), "2026-12")
    assert p.previous().key == "2026-11"
    assert month_period(2026, 1).previous().key == "2025-12"
    assert p.next().key == "2027-01"
    # Local midnight in Shanghai is 16:00 UTC the day before.
    assert p.start_at(SH).astimezone(UTC) == dt.datetime(2026, 11, 30, 16, tzinfo=UTC)


def test_iso_week_edges() -> None:
    w1 = iso_week_period(2026, 1)
    # 2026-01-01 is a Thursday, so ISO week 1 starts on Monday 2025-12-29.
    assert (w1.start, w1.end) == (dt.date(2025, 12, 29), dt.date(2026, 1, 5))
    assert period_of(dt.date(2025, 12, 29), "week").key == "2026-W01"
    assert period_of(dt.date(2027, 1, 1), "week").key == "2026-W53"
    assert weeks_in_iso_year(2026) == 53
    assert weeks_in_iso_year(2027) == 52
    w53 = iso_week_period(2026, 53)
    assert (w53.start, w53.end) == (dt.date(2026, 12, 28), dt.date(2027, 1, 4))
    assert w53.next().key == "2027-W01"
    assert w1.previous().key == "2025-W52"
    with pytest.raises(ValueError, match="week"):
        iso_week_period(2027, 53)


@pytest.mark.parametrize(
    ("text", "start", "kind"),
    [
        ("2026-10", dt.date(2026, 10, 1), "month"),
        ("2026-W43", dt.date(2026, 10, 19), "week"),
        ("2026-w01", dt.date(2025, 12, 29), "week"),
        (" 2026-W53 ", dt.date(2026, 12, 28), "week"),
    ],
)
def test_parse_period(text: str, start: dt.date, kind: str) -> None:
    p = parse_period(text)
    assert (p.start, p.kind) == (start, kind)
    assert parse_period(p.key) == p


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "2026-W54", "2027-W53", "2026", "W43", ""])
def test_parse_period_rejects_bad_text(text: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - messages come from datetime or from us
        parse_period(text)


def test_period_rejects_bad_kind_and_bounds() -> None:
    with pytest.raises(ValueError, match="kind"):
        Period("year", dt.date(2026, 1, 1), dt.date(2027, 1, 1))
    with pytest.raises(ValueError, match="ends after"):
        Period("month", dt.date(2026, 2, 1), dt.date(2026, 1, 1))


def test_scope_from_tuples() -> None:
    assert as_scope(("rep", 5)) == Scope.rep(5)
    assert as_scope(("team", 7)).key == "team:7"
    assert as_scope(("branch", {8, 7})).key == "branch:7+8"
    assert as_scope(("branch", 3, [7, 8])) == Scope("branch", 3, frozenset({7, 8}))
    for bad in [("rep",), ("region", 1), ("team", 1, 2), "team:1", ("rep", -1)]:
        with pytest.raises(ValueError):  # noqa: PT011
            as_scope(bad)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- stage rules


def test_calculations_import_no_django() -> None:
    modules = [v.__name__ for v in vars(calc).values() if isinstance(v, types.ModuleType)]
    assert modules
    assert not [m for m in modules if m.startswith("django")]


def test_stage_reach_times_are_cumulative_and_track_lost_status() -> None:
    book = Book()
    # Customer 1 jumps lead -> intent (rep 2, team B): target and relationship are reached then.
    book.move(1, "intent", at(2026, 10, 5), rep=REP2, team=TEAM_B)
    # Customer 2: target, lost, re-opened at relationship.
    book.move(2, "target", at(2026, 9, 1)).move(2, "lost", at(2026, 9, 10))
    book.move(2, "relationship", at(2026, 10, 1))
    # Customer 3: target, then lost for good.
    book.move(3, "target", at(2026, 9, 1)).move(3, "lost", at(2026, 9, 20))
    # Customer 4's history starts with a loss *from relationship* (an import without the
    # earlier rows): it was recorded at relationship, so target and relationship count.
    book._stage[4] = "relationship"
    book.move(4, "lost", at(2026, 9, 25))
    reach = stage_reach_times(book.data().stage_changes).set_index("customer_id")

    c1 = reach.loc[1]
    assert (
        c1["target_at"] == c1["relationship_at"] == c1["intent_at"] == pd.Timestamp(at(2026, 10, 5))
    )
    assert pd.isna(c1["deal_at"])
    assert (c1["target_rep_id"], c1["target_team_id"]) == (REP2, TEAM_B)
    assert not c1["is_lost"]

    c2 = reach.loc[2]
    assert c2["target_at"] == pd.Timestamp(at(2026, 9, 1))  # the first time, never reset
    assert c2["relationship_at"] == pd.Timestamp(at(2026, 10, 1))
    assert c2["lost_at"] == pd.Timestamp(at(2026, 9, 10))
    assert c2["reopened_at"] == pd.Timestamp(at(2026, 10, 1))
    assert not c2["is_lost"]

    c3 = reach.loc[3]
    assert c3["is_lost"]
    assert pd.isna(c3["reopened_at"])
    assert pd.isna(c3["relationship_at"])

    c4 = reach.loc[4]
    assert c4["target_at"] == c4["relationship_at"] == pd.Timestamp(at(2026, 9, 25))
    assert pd.isna(c4["intent_at"])
    assert c4["is_lost"]


def test_owner_at_uses_half_open_ownership_rows() -> None:
    book = Book().customer(1, owner=REP, team=TEAM_A, created=at(2026, 9, 1))
    book.reassign(1, owner=REP2, team=TEAM_B, when=at(2026, 10, 15, 9))
    book.customer(2, owner=None, team=TEAM_B, created=at(2026, 9, 1))  # public pool
    own = book.data().ownerships
    before = owner_at(own, at(2026, 10, 15, 8, 59)).set_index("customer_id")
    on_the_dot = owner_at(own, at(2026, 10, 15, 9)).set_index("customer_id")
    assert before.loc[1, "owner_id"] == REP
    assert on_the_dot.loc[1, "owner_id"] == REP2  # the new row starts at the instant
    assert pd.isna(on_the_dot.loc[2, "owner_id"])
    assert on_the_dot.loc[2, "team_id"] == TEAM_B
    assert owner_at(own, at(2026, 8, 1)).empty  # nothing existed yet


def test_team_of_user_at_uses_inclusive_dates_and_ignores_managers() -> None:
    book = Book()
    book.member(REP, TEAM_A, dt.date(2026, 1, 1), dt.date(2026, 10, 14))
    book.member(REP, TEAM_B, dt.date(2026, 10, 15))
    book.member(REP2, 99, dt.date(2026, 1, 1), role="manager")
    mem = book.data().memberships
    assert team_of_user_at(mem, dt.date(2026, 10, 14)).to_dict() == {REP: TEAM_A}
    assert team_of_user_at(mem, dt.date(2026, 10, 15)).to_dict() == {REP: TEAM_B}
    assert team_of_user_at(mem, dt.date(2025, 12, 31)).to_dict() == {}


# --------------------------------------------------------------------------- funnel KPIs


def seed_cohort() -> Book:
    """The seed's example: 100 leads -> 50 target -> 25 relationship -> 12 intent -> 6 deal."""
    book = Book()
    for cid in range(100):
        book.customer(cid, created=at(2026, 10, 1, 9))
        if cid < 50:
            book.move(cid, "target", at(2026, 10, 5))
        if cid < 25:
            book.move(cid, "relationship", at(2026, 10, 10))
        if cid < 12:
            book.move(cid, "intent", at(2026, 10, 15))
        if cid < 6:
            book.move(cid, "deal", at(2026, 10, 20))
    return book


@pytest.mark.parametrize("scope", [("rep", REP), ("team", TEAM_A), ("branch", {TEAM_A, TEAM_B})])
def test_seed_cohort_gives_24_and_50_percent(scope: tuple) -> None:
    r = compute_scope("2026-10", scope, seed_cohort().data())
    # target pool: nobody open on 1 October + 50 reached target in October = 50
    assert r["target_customers"] == MetricValue(50)
    assert r["new_targets"].value == 50
    # intent rate = 12 intents / 50 in the target pool = 24%
    assert r["intent_rate"] == MetricValue(0.24, 12, 50)
    # intent pool = 12 that reached intent in October; close rate = 6 deals / 12 = 50%
    assert r["intent_pool"].value == 12
    assert r["close_rate"] == MetricValue(0.5, 6, 12)
    assert values(r, *(f"funnel_{s}" for s in calc.FUNNEL_STAGES)) == [100, 50, 25, 12, 6]
    # growth = 50 new / 0 open targets on 1 October: empty denominator
    assert r["target_growth_rate"] == MetricValue(None, 50, 0, "no_data")
    assert_json_safe(r)


def test_intents_from_customers_targeted_in_an_earlier_month() -> None:
    book = Book()
    for cid in range(1, 7):
        book.customer(cid, created=at(2026, 7, 1))
    book.move(1, "target", at(2026, 8, 10)).move(1, "intent", at(2026, 9, 12))  # intent in Sep
    for cid in (2, 3, 4, 5):
        book.move(cid, "target", at(2026, 9, 10))
    for cid in (2, 3, 4):
        book.move(cid, "intent", at(2026, 10, 8))
    book.move(6, "target", at(2026, 10, 3))
    data = book.data()

    sep = compute_scope("2026-09", ("rep", REP), data)
    # September: open on 1 Sep = {1}; new = {2,3,4,5}; pool 5; intents {1} -> 1/5
    assert sep["target_customers"].value == 5
    assert sep["intent_rate"] == MetricValue(0.2, 1, 5)
    assert sep["target_growth_rate"] == MetricValue(4.0, 4, 1)  # a ratio, may exceed 1

    oct_ = compute_scope("2026-10", ("rep", REP), data)
    # October: open on 1 Oct = {2,3,4,5} (targeted in Sep); new = {6}; pool = 5
    assert oct_["open_targets_at_start"].value == 4
    assert oct_["target_customers"].value == 5
    # intents {2,3,4} all come from September's targets: 3/5 = 60%, still <= 1
    assert oct_["intents"].value == 3
    assert oct_["intent_rate"] == MetricValue(0.6, 3, 5)
    # growth = 1 new / 4 open on 1 Oct
    assert oct_["target_growth_rate"] == MetricValue(0.25, 1, 4)
    # intent pool = {1} open at intent on 1 Oct + {2,3,4} reached in Oct = 4; no deal: 0/4
    assert oct_["intent_pool"].value == 4
    assert oct_["close_rate"] == MetricValue(0.0, 0, 4)


def test_intent_rate_stays_a_cohort_rate_when_customers_change_hands() -> None:
    book = Book()
    for cid in (1, 2):  # rep 1's open targets on 1 Oct, handed to rep 2 mid-October
        book.customer(cid, owner=REP, created=at(2026, 9, 1))
        book.move(cid, "target", at(2026, 9, 5))
        book.reassign(cid, owner=REP2, team=TEAM_A, when=at(2026, 10, 10))
        book.move(cid, "intent", at(2026, 10, 20), rep=REP2)
    book.customer(3, owner=REP2, created=at(2026, 10, 2))
    book.move(3, "target", at(2026, 10, 5), rep=REP2)
    data = book.data()
    rep1 = compute_scope("2026-10", ("rep", REP), data)
    rep2 = compute_scope("2026-10", ("rep", REP2), data)
    # Rep 2 made both intents (the event's row) ...
    assert (rep1["intents"].value, rep2["intents"].value) == (0, 2)
    # ... but the rate follows the pool: rep 1's pool {1,2} converted 2/2; rep 2's pool {3}
    # converted 0/1 (not 2/1 = 200%).
    assert rep1["intent_rate"] == MetricValue(1.0, 2, 2)
    assert rep2["intent_rate"] == MetricValue(0.0, 0, 1)
    team = compute_scope("2026-10", ("team", TEAM_A), data)
    assert team["intent_rate"] == MetricValue(2 / 3, 2, 3)  # same team: pool {1,2,3}


def test_lost_customers_leave_the_pools() -> None:
    book = Book()
    for cid in range(1, 5):
        book.customer(cid, created=at(2026, 7, 1))
    book.move(1, "target", at(2026, 9, 5)).move(1, "lost", at(2026, 9, 20))  # lost before Oct
    book.move(2, "target", at(2026, 9, 5)).move(2, "lost", at(2026, 10, 10))  # lost in Oct
    book.move(3, "target", at(2026, 8, 5)).move(3, "lost", at(2026, 8, 20))
    book.move(3, "relationship", at(2026, 10, 5))  # re-opened in October
    book.move(4, "intent", at(2026, 9, 1)).move(4, "lost", at(2026, 9, 15))
    book.move(4, "intent", at(2026, 10, 3))  # re-opened at intent in October
    data = book.data()

    oct_ = compute_scope("2026-10", ("rep", REP), data)
    # target pool Oct = {2} open on 1 Oct + {3} re-opened in Oct = 2; 1 is lost, 4 is at intent
    assert oct_["target_customers"].value == 2
    assert oct_["open_targets_at_start"].value == 1
    assert oct_["new_targets"].value == 0  # 3 reached target in August, 4 in September
    # intent pool Oct = {4} re-opened at intent; its intent was reached in Sep, so intents = 0
    assert oct_["intent_pool"].value == 1
    assert oct_["intents"].value == 0
    # lost at the end of October: 1 and 2
    assert oct_["funnel_lost"].value == 2

    nov = compute_scope("2026-11", ("rep", REP), data)
    # November: only 3 is open (2 was lost in October); 4 is open at intent
    assert nov["target_customers"].value == 1
    assert nov["intent_pool"].value == 1


def test_skipped_stages_count_as_reached() -> None:
    book = Book()
    book.customer(1, created=at(2026, 9, 1)).customer(2, created=at(2026, 9, 1))
    book.move(1, "intent", at(2026, 10, 5))  # lead -> intent
    book.move(2, "deal", at(2026, 10, 6))  # lead -> deal
    r = compute_scope("2026-10", ("team", TEAM_A), book.data())
    assert values(r, "new_targets", "intents", "deals") == [2, 2, 1]
    assert values(r, *(f"funnel_{s}" for s in calc.FUNNEL_STAGES)) == [2, 2, 2, 2, 1]
    # both are in the target pool (reached target in Oct): 2 intents / 2 = 100%
    assert r["intent_rate"] == MetricValue(1.0, 2, 2)
    # both in the intent pool, one deal: 1/2
    assert r["close_rate"] == MetricValue(0.5, 1, 2)


def test_events_are_bucketed_by_local_day() -> None:
    book = Book().customer(1, created=at(2026, 10, 1)).customer(2, created=at(2026, 10, 1))
    # 2026-10-31 17:30 UTC is 2026-11-01 01:30 in Shanghai: a November target.
    book.move(1, "target", dt.datetime(2026, 10, 31, 17, 30, tzinfo=UTC))
    # 2026-10-31 15:59 UTC is 23:59 on 31 October in Shanghai: an October visit.
    book.visit(2, dt.datetime(2026, 10, 31, 15, 59, tzinfo=UTC))
    data = book.data()
    oct_ = compute_scope("2026-10", ("rep", REP), data)
    nov = compute_scope("2026-11", ("rep", REP), data)
    assert (oct_["new_targets"].value, nov["new_targets"].value) == (0, 1)
    assert (oct_["visits"].value, nov["visits"].value) == (1, 0)
    # Computed in UTC instead, the target would fall in October.
    assert compute_scope("2026-10", ("rep", REP), data, tz="UTC")["new_targets"].value == 1


def test_naive_datetimes_are_local_wall_time() -> None:
    book = Book().customer(1, created=at(2026, 10, 1))
    book.move(1, "target", dt.datetime(2026, 10, 31, 23, 30))  # noqa: DTZ001 - on purpose
    book.owners[0]["start"] = dt.datetime(2026, 10, 1)  # noqa: DTZ001
    r = compute_scope("2026-10", ("rep", REP), book.data())
    assert r["new_targets"].value == 1


def test_iso_week_buckets_use_local_monday() -> None:
    book = Book().customer(1, created=at(2025, 12, 1))
    # 2025-12-28 17:00 UTC = Monday 2025-12-29 01:00 in Shanghai: ISO week 2026-W01.
    book.visit(1, dt.datetime(2025, 12, 28, 17, tzinfo=UTC))
    # Friday 2027-01-01 belongs to 2026-W53.
    book.visit(1, at(2027, 1, 1))
    data = book.data()
    got = compute_many(["2025-W52", "2026-W01", "2026-W53", "2027-W01"], [("rep", REP)], data)
    assert [mv["visits"].value for mv in got.values()] == [0, 1, 1, 0]


# --------------------------------------------------------------------------- attribution


def test_rep_who_changed_team_mid_month_counts_in_each_team_for_their_days() -> None:
    book = Book()
    book.member(REP, TEAM_A, dt.date(2026, 9, 1), dt.date(2026, 10, 14))
    book.member(REP, TEAM_B, dt.date(2026, 10, 15))
    for cid in (1, 2, 3):
        book.customer(cid, owner=REP, team=TEAM_A, created=at(2026, 9, 2))
    book.move(3, "target", at(2026, 9, 10))  # open target on 1 Oct and 1 Nov
    # Events carry the team at write time.
    book.move(1, "target", at(2026, 10, 8), team=TEAM_A)
    book.move(2, "target", at(2026, 10, 18), team=TEAM_B)
    book.visit(1, at(2026, 10, 10), team=TEAM_A)
    book.visit(2, at(2026, 10, 20), team=TEAM_B)
    # Rows without a team take the rep's team on the visit's local day.
    book.visit(1, at(2026, 10, 12), team=None)  # -> team A (until 14 Oct)
    book.visit(2, at(2026, 10, 21), team=None)  # -> team B (from 15 Oct)
    data = book.data()
    got = compute_many(
        ["2026-10", "2026-11"],
        [("rep", REP), ("team", TEAM_A), ("team", TEAM_B), ("branch", {TEAM_A, TEAM_B})],
        data,
    )
    oct_ = {scope.key: got[(month_period(2026, 10), scope)] for (_p, scope) in got}
    # visits: team A = 10 and 12 Oct; team B = 20 and 21 Oct; rep and branch: all 4
    assert [oct_[k]["visits"].value for k in ("rep:1", "team:10", "team:20")] == [4, 2, 2]
    assert oct_["branch:10+20"]["visits"].value == 4
    assert [oct_[k]["new_targets"].value for k in ("rep:1", "team:10", "team:20")] == [2, 1, 1]
    # Customer 3 was open on 1 Oct, when its owner was in team A: team A's pool.
    assert oct_["team:10"]["open_targets_at_start"].value == 1
    assert oct_["team:20"]["open_targets_at_start"].value == 0
    # target pool: team A = {3 open, 1 new}, team B = {2 new}; the branch has all three
    assert [oct_[k]["target_customers"].value for k in ("team:10", "team:20")] == [2, 1]
    assert oct_["branch:10+20"]["target_customers"].value == 3
    # On 1 November the owner is in team B, although the ownership row still says team A.
    nov = got[(month_period(2026, 11), Scope.team(TEAM_B))]
    assert nov["open_targets_at_start"].value == 3
    assert got[(month_period(2026, 11), Scope.team(TEAM_A))]["open_targets_at_start"].value == 0


def test_customers_without_ownership_rows_fall_back_to_their_latest_change() -> None:
    book = Book()  # no ownership rows at all: the stage change's rep and team count
    book.move(1, "target", at(2026, 9, 5), rep=REP2, team=TEAM_B)
    r = compute_scope("2026-10", ("team", TEAM_B), book.data())
    assert r["open_targets_at_start"].value == 1
    assert r["funnel_target"].value == 1


# --------------------------------------------------------------------------- activity KPIs


def weekly_book() -> Book:
    book = Book()
    for cid in range(1, 6):
        book.customer(cid, created=at(2026, 9, 1))
    book.move(1, "target", at(2026, 10, 1))
    book.move(2, "relationship", at(2026, 10, 1))
    book.move(4, "intent", at(2026, 10, 1))
    book.move(5, "target", at(2026, 10, 1))
    # W43 = Monday 19 Oct .. Sunday 25 Oct 2026
    book.visit(1, at(2026, 10, 19))  # target
    book.visit(1, at(2026, 10, 21), effective=True)  # target: the move comes after it
    book.move(1, "intent", at(2026, 10, 21, 11))
    book.visit(2, at(2026, 10, 20))  # relationship
    book.visit(3, at(2026, 10, 22), effective=True)  # lead
    book.move(3, "intent", at(2026, 10, 22, 11))  # lead -> intent: not a target visit
    book.visit(4, at(2026, 10, 23))  # intent
    book.visit(5, at(2026, 10, 26))  # target, but Monday of W44
    return book


def test_weekly_target_customer_visits_and_weekly_intent_rate() -> None:
    r = compute_scope("2026-W43", ("rep", REP), weekly_book().data())
    # visits in W43: 1 (twice), 2, 3, 4 = 5 visits to 4 customers
    assert values(r, "visits", "customers_visited") == [5, 4]
    # target-customer visits: 1 (target, twice) and 2 (relationship) = 3, to 2 customers
    assert values(r, "target_customer_visits", "target_customers_visited") == [3, 2]
    # of {1, 2}, customer 1 reached intent in W43: 1/2
    assert r["weekly_intent_rate"] == MetricValue(0.5, 1, 2)
    assert r["intents"].value == 2  # customers 1 and 3
    # effective customers {1, 3} / visited {1, 2, 3, 4} = 50%
    assert r["effective_activity_rate"] == MetricValue(0.5, 2, 4)
    assert "weekly_intent_rate" not in compute_scope("2026-10", ("rep", REP), weekly_book().data())


def test_effective_activity_rate_counts_distinct_customers() -> None:
    book = Book()
    for cid in (1, 2, 3):
        book.customer(cid, created=at(2026, 9, 1))
    book.visit(1, at(2026, 10, 2), effective=True)
    book.visit(1, at(2026, 10, 3), effective=False)
    book.visit(2, at(2026, 10, 4), effective=False)
    book.visit(3, at(2026, 10, 5), effective=True)
    data = book.data()
    r = compute_scope("2026-10", ("rep", REP), data)
    # effective customers {1, 3} / customers visited {1, 2, 3} = 2/3
    assert r["effective_activity_rate"] == MetricValue(2 / 3, 2, 3)
    assert values(r, "visits", "effective_customers") == [4, 2]


def test_effective_visits_follow_the_domain_rule() -> None:
    """docs/domain, section 9: stage advance, deal, or a *dated* next step (any outcome)."""
    book = Book()
    for cid in range(1, 7):
        book.customer(cid, created=at(2026, 9, 1))
    book.visit(1, at(2026, 10, 2), outcome="deal")
    book.visit(2, at(2026, 10, 2), outcome="next_step", next_step="送方案")  # no date
    book.visit(3, at(2026, 10, 2), outcome="next_step", next_step="送方案", next_step_date=DAY)
    book.visit(4, at(2026, 10, 2), outcome="info", next_step="回访", next_step_date=DAY)
    book.visit(5, at(2026, 10, 2), outcome="next_step", next_step="  ", next_step_date=DAY)
    book.visit(6, at(2026, 10, 2), outcome="nothing")
    r = compute_scope("2026-10", ("rep", REP), book.data())
    # effective: 1 (deal), 3 (dated next step), 4 (dated next step, outcome info)
    assert r["effective_activity_rate"] == MetricValue(3 / 6, 3, 6)


def test_a_visit_after_moving_back_from_intent_is_not_a_target_customer_visit() -> None:
    """Hand-computed, docs/domain, section 9 (open target customer at the visit's moment).

    c1: target 1 Oct, intent 5 Oct, back to relationship 10 Oct, visited 20 Oct: it has
    reached intent, so it is not an open target (0). c2: target 1 Oct, lost 8 Oct, visited
    12 Oct (lost: 0), re-opened to relationship 15 Oct, visited 20 Oct (open target: 1).
    c3: relationship 1 Oct, visited 20 Oct 10:00 and moved to intent by that visit at the
    same instant (judged before its own effect: 1). c4: lead, visited (0).
    """
    book = Book()
    for cid in (1, 2, 3, 4):
        book.customer(cid, created=at(2026, 9, 1))
    book.move(1, "target", at(2026, 10, 1))
    book.move(1, "intent", at(2026, 10, 5))
    book.move(1, "relationship", at(2026, 10, 10))
    book.visit(1, at(2026, 10, 20))
    book.move(2, "target", at(2026, 10, 1))
    book.move(2, "lost", at(2026, 10, 8))
    book.visit(2, at(2026, 10, 12))
    book.move(2, "relationship", at(2026, 10, 15))
    book.visit(2, at(2026, 10, 20))
    book.move(3, "relationship", at(2026, 10, 1))
    book.visit(3, at(2026, 10, 20), effective=True)
    book.move(3, "intent", at(2026, 10, 20))
    book.visit(4, at(2026, 10, 20))
    r = compute_scope("2026-10", ("rep", REP), book.data())
    assert values(r, "visits", "target_customer_visits", "target_customers_visited") == [5, 2, 2]
    week = compute_scope("2026-W43", ("rep", REP), book.data())
    # W43 (19-25 Oct): visits of c1, c2, c3, c4; target visits c2 and c3; c3 reached intent
    assert values(week, "target_customer_visits", "target_customers_visited") == [2, 2]
    assert week["weekly_intent_rate"] == MetricValue(0.5, 1, 2)


# --------------------------------------------------------------------------- ARPU and revenue


def arpu_book() -> Book:
    book = Book()
    for cid in (1, 2, 3, 4):
        book.customer(cid, created=at(2026, 10, 1))
    book.move(1, "deal", at(2026, 12, 5))
    book.move(2, "deal", at(2026, 12, 20))
    book.move(3, "deal", at(2026, 11, 10))  # November deal: not in January's ARPU
    # 2026-12-31 17:00 UTC is 2027-01-01 01:00 in Shanghai: a January deal.
    book.move(4, "deal", dt.datetime(2026, 12, 31, 17, tzinfo=UTC))
    jan, dec = dt.date(2027, 1, 1), dt.date(2026, 12, 1)
    book.bill(1, jan, "100.00", product="voice").bill(1, jan, "50.00", product="broadband")
    book.bill(2, dec, "999.00")  # December billing does not count; 2 has none in January
    book.bill(3, jan, "500.00").bill(4, jan, "700.00")
    book.billing_in(dec)
    return book


def test_arpu_is_pending_until_januarys_billing_is_in() -> None:
    r = compute_scope("2027-01", ("rep", REP), arpu_book().data())
    # December's deals {1, 2} are known, January's billing is not in yet.
    assert r["arpu"] == MetricValue(None, None, 2, "pending")
    assert_json_safe(r)


def test_arpu_for_january_uses_decembers_deals_and_januarys_billing() -> None:
    data = arpu_book().billing_in(dt.date(2027, 1, 1)).data()
    r = compute_scope("2027-01", ("rep", REP), data)
    # (customer 1: 100 + 50, customer 2: no January record = 0) / 2 customers = 75.00
    assert r["arpu"] == MetricValue(Decimal("75.00"), Decimal("150.00"), 2)
    # December's ARPU uses November's deal {3}, which has no December billing: 0 / 1
    dec = compute_scope("2026-12", ("rep", REP), data)
    assert dec["arpu"] == MetricValue(Decimal("0.00"), Decimal("0.00"), 1)
    # No deal in October: no value (not 0, not pending)
    assert compute_scope("2026-11", ("rep", REP), data)["arpu"].status == "no_data"


def test_collection_rate_is_received_over_billed() -> None:
    book = Book().customer(1, created=at(2026, 1, 1)).customer(2, created=at(2026, 1, 1))
    oct_ = dt.date(2026, 10, 1)
    book.bill(1, oct_, "1000.00", "900.00").bill(2, oct_, "500.00", "300.00")
    book.billing_in(oct_)
    r = compute_scope("2026-10", ("team", TEAM_A), book.data())
    # (900 + 300) / (1000 + 500) = 1200 / 1500 = 80%
    assert r["collection_rate"] == MetricValue(0.8, Decimal("1200.00"), Decimal("1500.00"))
    assert values(r, "total_revenue", "received") == [Decimal("1500.00"), Decimal("1200.00")]
    # November's billing is not in: pending, not 0 (docs/domain section 9, as for ARPU)
    nov = compute_scope("2026-11", ("team", TEAM_A), book.data())
    assert nov["collection_rate"] == MetricValue(None, None, None, "pending")
    assert nov["total_revenue"] == MetricValue(None, None, None, "pending")
    # Once it is in, nothing billed in November gives 0 billed and no collection rate.
    nov = compute_scope("2026-11", ("team", TEAM_A), book.billing_in(dt.date(2026, 11, 1)).data())
    assert nov["collection_rate"].value is None
    assert nov["collection_rate"].status == "no_data"
    assert nov["total_revenue"].value == Decimal("0.00")


def revenue_book() -> Book:
    book = Book().billing_in(dt.date(2026, 10, 1))
    for cid in range(1, 7):
        book.customer(cid, created=at(2025, 1, 1))
    book.move(1, "deal", at(2025, 10, 15))  # Oct 2026 is 12 months after: retained
    book.move(2, "deal", at(2025, 11, 2))  # 11 months after: new
    book.move(3, "deal", at(2026, 10, 1))  # same month: new
    book.move(4, "deal", at(2026, 9, 1))  # recent, but the record says retained
    oct_ = dt.date(2026, 10, 1)
    book.bill(1, oct_, "100").bill(2, oct_, "200").bill(3, oct_, "300")
    book.bill(4, oct_, "400", kind="retained")
    book.bill(5, oct_, "500", kind="new")  # no deal on file, but the record says new
    book.bill(6, oct_, "600")  # no deal on file: retained
    return book


def test_new_and_retained_revenue_with_the_12_month_rule_and_the_kind_override() -> None:
    data = revenue_book().data()
    r = compute_scope("2026-10", ("rep", REP), data)
    # total = 100 + 200 + 300 + 400 + 500 + 600 = 2100
    assert r["total_revenue"].value == Decimal("2100.00")
    # new = 2 (200) + 3 (300) + 5 (500, kind new) = 1000; retained = 2100 - 1000 = 1100
    assert r["new_revenue"].value == Decimal("1000.00")
    assert r["retained_revenue"].value == Decimal("1100.00")
    # With a 6-month setting customer 2 (11 months) is retained: new = 300 + 500 = 800
    six = compute_scope("2026-10", ("rep", REP), data, new_revenue_months=6)
    assert six["new_revenue"].value == Decimal("800.00")
    # With 0 months only the records that say new count: 500
    zero = compute_scope("2026-10", ("rep", REP), data, new_revenue_months=0)
    assert zero["new_revenue"].value == Decimal("500.00")
    with pytest.raises(ValueError, match="negative"):
        compute_scope("2026-10", ("rep", REP), data, new_revenue_months=-1)


def test_weekly_sales_revenue_comes_from_contracts() -> None:
    book = Book().customer(1, created=at(2026, 1, 1)).customer(2, created=at(2026, 1, 1))
    book.move(1, "deal", at(2026, 10, 21))  # deal in W43
    book.move(2, "deal", at(2026, 9, 3))  # deal earlier
    book.contract(1, dt.date(2026, 10, 20), "300.00")
    book.contract(2, dt.date(2026, 10, 22), "200.00")
    book.contract(2, dt.date(2026, 10, 26), "999.00")  # Monday of W44
    r = compute_scope("2026-W43", ("team", TEAM_A), book.data())
    # sales revenue = 300 + 200 = 500; new = the part of customers with a deal in W43 = 300
    assert values(r, "sales_revenue", "new_sales_revenue") == [
        Decimal("500.00"),
        Decimal("300.00"),
    ]
    assert "total_revenue" not in r  # billing is monthly: weeks use contracts


# --------------------------------------------------------------------------- composite KPIs


def test_composite_kpis_product_mix_zero_usage_arrears_industry_and_bands() -> None:
    book = Book().billing_in(dt.date(2026, 10, 1))
    for cid, industry in [(1, "retail"), (2, "retail"), (3, "finance"), (4, "retail"), (5, "")]:
        book.customer(cid, created=at(2026, 1, 1), industry=industry)
    for cid in (1, 2, 3, 4):
        book.move(cid, "deal", at(2026, 8, 1))
    book.move(4, "lost", at(2026, 9, 1))  # a lost customer without billing leaves the base
    oct_ = dt.date(2026, 10, 1)
    book.bill(1, oct_, "800", "800", product="voice").bill(
        1, oct_, "400", "400", product="broadband"
    )
    book.bill(3, oct_, "300", "100", product="voice")  # in arrears
    book.bill(5, oct_, "500", "500", product="cloud")  # billed without a deal on file
    bands = [("small", 0), ("big", 1000)]
    r = compute_scope("2026-10", ("rep", REP), book.data(), revenue_bands=bands)
    # billing customers: 1, 2 (deal, no billing), 3, 5 = 4
    assert r["zero_usage_share"] == MetricValue(0.25, 1, 4)  # customer 2
    assert r["in_arrears_share"] == MetricValue(0.25, 1, 4)  # customer 3: 300 > 100
    # bands by October billed: 1 = 1200 (big); 2 = 0, 3 = 300, 5 = 500 (small)
    assert r["revenue_band_share:small"] == MetricValue(0.75, 3, 4)
    assert r["revenue_band_share:big"] == MetricValue(0.25, 1, 4)
    assert r["industry_share:retail"] == MetricValue(0.5, 2, 4)
    assert r["industry_share:finance"] == MetricValue(0.25, 1, 4)
    assert r["industry_share:-"] == MetricValue(0.25, 1, 4)
    # product mix of 2000 billed: voice 800 + 300 = 1100 (55%), broadband 20%, cloud 25%
    assert r["product_share:voice"] == MetricValue(0.55, Decimal("1100.00"), Decimal("2000.00"))
    assert r["product_share:broadband"].value == 0.2
    assert r["product_share:cloud"].value == 0.25
    with pytest.raises(ValueError, match="ascending"):
        compute_scope("2026-10", ("rep", REP), book.data(), revenue_bands=[("a", 5), ("b", 1)])


# --------------------------------------------------------------------------- targets


def test_team_without_targets_has_no_completion_and_no_nan() -> None:
    book = Book().billing_in(dt.date(2026, 10, 1))
    book.customer(1, created=at(2026, 1, 1))
    book.customer(2, owner=REP2, team=TEAM_B, created=at(2026, 1, 1))
    oct_ = dt.date(2026, 10, 1)
    for day in (5, 6, 7, 8):
        book.visit(1, at(2026, 10, day))
    book.visit(2, at(2026, 10, 9), rep=REP2, team=TEAM_B)
    book.bill(1, oct_, "1250.00", "1000.00")
    book.target("team", TEAM_A, "2026-10", "visits", 10)
    book.target("team", TEAM_A, "2026-10", "total_revenue", Decimal("1000"))
    book.target("team", TEAM_A, "2026-10", "deals", 0)  # a zero target gives no value
    data = book.data()

    a = compute_scope("2026-10", ("team", TEAM_A), data)
    assert a["visits_completion"] == MetricValue(0.4, 4, 10)  # 4 visits / 10
    # 1250 / 1000 = 125%: completion may exceed 1
    assert a["total_revenue_completion"] == MetricValue(
        1.25, Decimal("1250.00"), Decimal("1000.00")
    )
    assert a["deals_completion"] == MetricValue(None, 0, 0, "no_data")

    b = compute_scope("2026-10", ("team", TEAM_B), data)
    completions = {k: v for k, v in b.items() if k.endswith("_completion")}
    assert completions
    assert all(v.value is None and v.status == "no_data" for v in completions.values())
    assert_json_safe(b)
    assert_json_safe(a)
    # A branch given by its teams sums the teams' targets: 5 visits / 10
    branch = compute_scope("2026-10", ("branch", {TEAM_A, TEAM_B}), data)
    assert branch["visits_completion"] == MetricValue(0.5, 5, 10)
    # ... unless it has its own target
    data.targets = pd.concat(
        [
            data.targets,
            pd.DataFrame(
                [
                    {
                        "scope_kind": "branch",
                        "scope_id": 7,
                        "period": "2026-10",
                        "metric": "visits",
                        "value": 20,
                    }
                ]
            ),
        ]
    )
    own = compute_scope("2026-10", ("branch", 7, {TEAM_A, TEAM_B}), data)
    assert own["visits_completion"] == MetricValue(0.25, 5, 20)


def test_duplicate_targets_are_refused() -> None:
    book = Book().customer(1)
    book.target("rep", REP, "2026-10", "visits", 5).target("rep", REP, "2026-10", "visits", 6)
    with pytest.raises(ValueError, match="Duplicate target"):
        compute_scope("2026-10", ("rep", REP), book.data())


def test_weekly_achievement_rate_uses_weekly_targets() -> None:
    book = Book().customer(1, created=at(2026, 1, 1))
    book.contract(1, dt.date(2026, 10, 20), "300.00")
    book.target("rep", REP, "2026-W43", "sales_revenue", "400")
    r = compute_scope("2026-W43", ("rep", REP), book.data())
    assert r["sales_revenue_completion"] == MetricValue(0.75, Decimal("300.00"), Decimal("400.00"))
    # The month has no target of its own.
    assert (
        compute_scope("2026-10", ("rep", REP), book.data())["sales_revenue_completion"].value
        is None
    )


# --------------------------------------------------------------------------- empty input


def test_empty_denominators_give_no_value() -> None:
    r = compute_scope("2026-10", ("rep", 42), KpiInput())
    assert list(r) == metric_names("month")
    for name in ("intent_rate", "close_rate", "effective_activity_rate"):
        assert r[name].value is None
        assert r[name].status == "no_data"
    assert r["arpu"].value is None
    assert r["zero_usage_share"].value is None
    assert all(isinstance(r[n].value, int) for n in ("visits", "deals", "funnel_lead"))
    # No billing month is in: billing figures are pending, never 0 or NaN.
    assert r["total_revenue"] == MetricValue(None, None, None, "pending")
    assert_json_safe(r)
    w = compute_scope("2026-W43", ("team", 7), KpiInput())
    assert list(w) == metric_names("week")
    assert w["weekly_intent_rate"] == MetricValue(None, 0, 0, "no_data")


def test_metric_value_as_dict_is_json_ready() -> None:
    mv = MetricValue(Decimal("75.00"), Decimal("150.00"), 2)
    assert mv.as_dict() == {
        "value": "75.00",
        "numerator": "150.00",
        "denominator": 2,
        "status": "ok",
    }
    assert (
        json.loads(json.dumps(metrics_as_json({"arpu": mv}), allow_nan=False))["arpu"]["value"]
        == "75.00"
    )


def test_huge_ids_give_the_same_figures() -> None:
    # Ids beyond the dense lookup tables take the searchsorted path: same figures.
    big = 10**12
    data = weekly_book().member(REP, TEAM_A, dt.date(2026, 1, 1)).data()
    shifted = KpiInput(
        stage_changes=data.stage_changes.assign(
            customer_id=data.stage_changes["customer_id"] + big,
            rep_id=data.stage_changes["rep_id"] + big,
            team_id=data.stage_changes["team_id"] + big,
        ),
        ownerships=data.ownerships.assign(
            customer_id=data.ownerships["customer_id"] + big,
            owner_id=data.ownerships["owner_id"] + big,
            team_id=data.ownerships["team_id"] + big,
        ),
        memberships=data.memberships.assign(
            user_id=data.memberships["user_id"] + big, unit_id=data.memberships["unit_id"] + big
        ),
        visits=data.visits.assign(
            customer_id=data.visits["customer_id"] + big,
            rep_id=data.visits["rep_id"] + big,
            team_id=data.visits["team_id"] + big,
        ),
    )
    for period in ("2026-W43", "2026-10"):
        small = compute_many([period], [("rep", REP), ("team", TEAM_A)], data)
        large = compute_many([period], [("rep", REP + big), ("team", TEAM_A + big)], shifted)
        assert list(small.values()) == list(large.values())
        assert (next(iter(small.values()))["visits"].value or 0) > 0


def test_compute_many_keys_every_period_and_scope() -> None:
    data = seed_cohort().data()
    scopes = [Scope.rep(REP), Scope.team(TEAM_A), Scope.team(TEAM_B)]
    got = compute_many(["2026-10", "2026-W41"], scopes, data)
    assert len(got) == 6
    assert got[(month_period(2026, 10), Scope.team(TEAM_B))]["funnel_lead"].value == 0
    assert got[(iso_week_period(2026, 41), Scope.rep(REP))]["new_targets"].value == 50


# --------------------------------------------------------------------------- drill-down


def drill_book() -> Book:
    """October 2026, rep 1 in team A (customers 1-7) and rep 2 in team B (customer 8).

    1: target in Sep, intent 5 Oct          (open target at start; intent in Oct)
    2: relationship in Sep, lost 10 Oct     (open target at start; lost at the end)
    3: target 3 Oct, deal 20 Oct            (new target, intent and deal in Oct)
    4: intent in Sep                        (intent pool at start)
    5: lead only                            (funnel lead)
    6: target in Sep, lost in Sep, re-opened to relationship 12 Oct (back in the pool)
    7: created 1 Nov                        (not in October's funnel)
    8: rep 2's target in Oct                (another scope)
    """
    book = Book()
    for cid in range(1, 7):
        book.customer(cid, created=at(2026, 8, 1))
    book.customer(7, created=at(2026, 11, 1))
    book.customer(8, owner=REP2, team=TEAM_B, created=at(2026, 8, 1))
    book.move(1, "target", at(2026, 9, 2))
    book.move(1, "intent", at(2026, 10, 5))
    book.move(2, "relationship", at(2026, 9, 3))
    book.move(2, "lost", at(2026, 10, 10))
    book.move(3, "target", at(2026, 10, 3))
    book.move(3, "deal", at(2026, 10, 20))
    book.move(4, "intent", at(2026, 9, 4))
    book.move(6, "target", at(2026, 9, 5))
    book.move(6, "lost", at(2026, 9, 20))
    book.move(6, "relationship", at(2026, 10, 12))
    book.move(8, "target", at(2026, 10, 8), rep=REP2, team=TEAM_B)
    return book


#: Hand-computed customers behind each drillable metric, rep 1, October 2026.
DRILL_EXPECTED = {
    "funnel_lead": [1, 2, 3, 4, 5, 6],
    "funnel_target": [1, 2, 3, 4, 6],
    "funnel_relationship": [1, 2, 3, 4, 6],
    "funnel_intent": [1, 3, 4],
    "funnel_deal": [3],
    "funnel_lost": [2],
    "open_targets_at_start": [1, 2],
    "target_customers": [1, 2, 3, 6],
    "new_targets": [3],
    "intents": [1, 3],
    "intent_pool": [1, 3, 4],
    "deals": [3],
    # No visits in this book: kpi/tests/test_drill_visits.py pins these three on visits.
    "customers_visited": [],
    "effective_customers": [],
    "customers_touched": [],
}


def test_every_drillable_metric_lists_exactly_the_customers_it_counts() -> None:
    """Headline = drill-down for every drillable metric of the registry, on a hand-made
    history: the list comes from the count's own mask (compute_members)."""
    drillable = {m.name for m in METRICS.values() if m.drillable}
    assert drillable == set(DRILL_EXPECTED)
    data = drill_book().data()
    headline = compute_scope("2026-10", ("rep", REP), data)
    for metric, expected in DRILL_EXPECTED.items():
        value, ids = compute_members("2026-10", ("rep", REP), data, metric)
        assert (metric, ids) == (metric, expected)
        assert value == headline[metric]
        assert headline[metric].value == len(ids)
    for scope in (("team", TEAM_B), ("branch", {TEAM_A, TEAM_B})):
        result = compute_scope("2026-10", scope, data)
        for metric in drillable:
            value, ids = compute_members("2026-10", scope, data, metric)
            assert result[metric].value == len(ids) == value.value
    assert compute_members("2026-10", ("team", TEAM_B), data, "new_targets")[1] == [8]
    with pytest.raises(ValueError, match="No customer list"):
        compute_members("2026-10", ("rep", REP), data, "visits")
