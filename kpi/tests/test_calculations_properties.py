"""Property tests (hypothesis) for kpi/calculations.py: invariants of docs/domain section 9
that hold for any history - rates within [0, 1], funnel counts never increasing down the
stages, identical results on recomputation and whatever the row order, compute_many equal
to compute_scope, and team figures adding up to their branch."""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
from decimal import Decimal
from typing import Any

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain import stages as stage_rules
from domain.visits import is_effective
from kpi.calculations import (
    BOUNDED_RATES,
    FUNNEL_STAGES,
    MONEY_METRICS,
    UNBOUNDED_RATIOS,
    KpiInput,
    MetricValue,
    metrics_as_json,
    parse_period,
)
from kpi.calculations import (
    compute_many as _compute_many,
)
from kpi.calculations import (
    compute_scope as _compute_scope,
)

UTC = dt.UTC
BASE = dt.datetime(2026, 8, 25, tzinfo=UTC)
# The engine has no default zone; the generated histories are read in UTC.
compute_many = functools.partial(_compute_many, tz=UTC)
compute_scope = functools.partial(_compute_scope, tz=UTC)
SPAN_MINUTES = 100 * 24 * 60  # to early December 2026: dense enough to hit every rule
STAGES = ["lead", "target", "relationship", "intent", "deal", "lost"]
OUTCOMES = ["nothing", "info", "next_step", "stage_advanced", "deal"]
#: Weighted towards moving forward, so pools, intents and deals are common.
MOVES = ["target", "target", "relationship", "intent", "intent", "deal", "lost", "lead"]
REPS = [1, 2, 3]
TEAMS = [10, 20]
PERIODS = ["2026-09", "2026-10", "2026-11", "2026-W37", "2026-W40", "2026-W42", "2026-W44"]
SCOPES = [
    ("rep", 1),
    ("rep", 2),
    ("rep", 3),
    ("team", 10),
    ("team", 20),
    ("branch", {10, 20}),
    ("branch", 5, {10}),
]
MONTHS = [dt.date(2026, m, 1) for m in range(9, 12)]
#: Counts and sums where every fact belongs to exactly one team, so teams add up.
ADDITIVE = [
    "new_targets",
    "intents",
    "deals",
    "target_customers",
    "open_targets_at_start",
    "intent_pool",
    "visits",
    "target_customer_visits",
    "sales_revenue",
    *(f"funnel_{s}" for s in FUNNEL_STAGES),
    "funnel_lost",
]
ADDITIVE_MONTH = ["total_revenue", "new_revenue", "received"]

# Whole UTC hours drawn uniformly (plain integers would crowd at 0); 16:00 UTC is local
# midnight, so period boundaries are hit exactly, and equal draws give ties.
minutes = st.builds(
    lambda day, hour: day * 1440 + hour * 60,
    st.sampled_from(range(SPAN_MINUTES // 1440)),
    st.sampled_from(range(24)),
)
money = st.integers(0, 300_000).map(lambda c: Decimal(c) / 100)


def when(m: int) -> dt.datetime:
    return BASE + dt.timedelta(minutes=m)


@st.composite
def worlds(draw: st.DrawFn) -> KpiInput:
    changes: list[dict[str, Any]] = []
    owners: list[dict[str, Any]] = []
    visits: list[dict[str, Any]] = []
    revenue: list[dict[str, Any]] = []
    contracts: list[dict[str, Any]] = []
    customers: list[dict[str, Any]] = []
    for cid in range(1, draw(st.integers(1, 10)) + 1):
        created = draw(minutes)
        owner = draw(st.sampled_from([*REPS, None]))
        team = draw(st.sampled_from(TEAMS))
        customers.append({"id": cid, "industry": draw(st.sampled_from(["", "retail", "it"]))})
        if draw(st.booleans()):
            moved = draw(st.integers(created + 1, SPAN_MINUTES + 1))
            owners.append(_own(cid, owner, team, when(created), when(moved)))
            owners.append(
                _own(
                    cid,
                    draw(st.sampled_from(REPS)),
                    draw(st.sampled_from(TEAMS)),
                    when(moved),
                    None,
                )
            )
        else:
            owners.append(_own(cid, owner, team, when(created), None))
        previous = "lead"
        # Times may tie: the change id orders them.
        for t in sorted(draw(st.lists(minutes, max_size=7))):
            to = draw(st.sampled_from(MOVES))
            changes.append(
                {
                    "id": len(changes) + 1,
                    "customer_id": cid,
                    "from_stage": previous,
                    "to_stage": to,
                    "at": when(t),
                    "rep_id": draw(st.sampled_from(REPS)),
                    "team_id": draw(st.sampled_from([*TEAMS, None])),
                }
            )
            previous = to
        for t in draw(st.lists(minutes, max_size=4)):
            visits.append(
                {
                    "customer_id": cid,
                    "rep_id": draw(st.sampled_from(REPS)),
                    "team_id": draw(st.sampled_from([*TEAMS, None])),
                    "occurred_at": when(t),
                    "outcome": draw(st.sampled_from(OUTCOMES)),
                    "next_step": draw(st.sampled_from(["", " ", "送方案"])),
                    "next_step_date": draw(st.sampled_from([None, dt.date(2026, 10, 9)])),
                }
            )
        for month in draw(st.lists(st.sampled_from(MONTHS), max_size=3, unique=True)):
            for product in draw(
                st.lists(
                    st.sampled_from(["", "voice", "cloud"]), min_size=1, max_size=2, unique=True
                )
            ):
                revenue.append(
                    {
                        "customer_id": cid,
                        "month": month,
                        "billed": draw(money),
                        "received": draw(money),
                        "kind": draw(st.sampled_from(["", "", "new", "retained"])),
                        "product": product,
                    }
                )
        for t in draw(st.lists(minutes, max_size=2)):
            contracts.append(
                {
                    "customer_id": cid,
                    "signed_on": when(t).date(),
                    "monthly_value": draw(money),
                    "rep_id": draw(st.sampled_from(REPS)),
                    "team_id": draw(st.sampled_from([*TEAMS, None])),
                }
            )
    members = [
        {"user_id": 1, "unit_id": 10, "role": "rep", "start": dt.date(2026, 1, 1), "end": None},
        {"user_id": 2, "unit_id": 20, "role": "rep", "start": dt.date(2026, 1, 1), "end": None},
        # rep 3 changes team in the middle of October
        {
            "user_id": 3,
            "unit_id": 10,
            "role": "rep",
            "start": dt.date(2026, 1, 1),
            "end": dt.date(2026, 10, 14),
        },
        {"user_id": 3, "unit_id": 20, "role": "rep", "start": dt.date(2026, 10, 15), "end": None},
    ]
    targets = [
        {"scope_kind": kind, "scope_id": sid, "period": period, "metric": metric, "value": value}
        for kind, sid, period, metric, value in draw(
            st.lists(
                st.tuples(
                    st.sampled_from(["rep", "team", "branch"]),
                    st.sampled_from([1, 2, 5, 10, 20]),
                    st.sampled_from(PERIODS),
                    st.sampled_from(["visits", "total_revenue", "sales_revenue", "deals"]),
                    st.integers(0, 20),
                ),
                max_size=4,
                unique_by=lambda t: t[:4],
            )
        )
    ]
    empty = KpiInput()

    def frame(rows: list[dict], default: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame(rows) if rows else default

    return KpiInput(
        stage_changes=frame(changes, empty.stage_changes),
        ownerships=frame(owners, empty.ownerships),
        memberships=pd.DataFrame(members),
        visits=frame(visits, empty.visits),
        revenue=frame(revenue, empty.revenue),
        contracts=frame(contracts, empty.contracts),
        billing_months=pd.DataFrame(
            {"month": draw(st.lists(st.sampled_from(MONTHS), unique=True))}, dtype=object
        ),
        targets=frame(targets, empty.targets),
        customers=pd.DataFrame(customers),
    )


def _own(
    cid: int, owner: int | None, team: int, start: dt.datetime, end: dt.datetime | None
) -> dict:
    return {"customer_id": cid, "owner_id": owner, "team_id": team, "start": start, "end": end}


def check(result: dict[str, MetricValue]) -> None:
    """Every value has the right type and range, and the JSON has no NaN."""
    json.dumps(metrics_as_json(result), allow_nan=False)
    for name, mv in result.items():
        v: Any = mv.value
        num: Any = mv.numerator
        assert mv.status in {"ok", "pending", "no_data"}
        assert (v is None) == (mv.status != "ok"), name
        if name in BOUNDED_RATES or ":" in name:
            assert v is None or (isinstance(v, float) and 0.0 <= v <= 1.0), (name, mv)
            if v is not None:
                assert num <= mv.denominator, (name, mv)
        elif name in UNBOUNDED_RATIOS or name.endswith("_completion"):
            assert v is None or (isinstance(v, float) and math.isfinite(v) and v >= 0), (name, mv)
        elif name in MONEY_METRICS:
            assert v is None or (isinstance(v, Decimal) and v >= 0), (name, mv)
            assert v is None or v.as_tuple().exponent == -2, (name, mv)
        else:
            assert type(v) is int, (name, mv)
            assert v >= 0, (name, mv)
    funnel: list[Any] = [result[f"funnel_{s}"].value for s in FUNNEL_STAGES]
    assert funnel == sorted(funnel, reverse=True), funnel
    pool: Any = result["target_customers"].value
    assert pool >= (result["open_targets_at_start"].value or 0)


def shuffled(data: KpiInput, seed: int) -> KpiInput:
    return KpiInput(
        **{
            name: getattr(data, name).sample(frac=1, random_state=seed)
            for name in KpiInput.__dataclass_fields__
        }
    )


SETTINGS = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(data=worlds(), period=st.sampled_from(PERIODS))
def test_rates_stay_in_range_and_the_funnel_never_widens(data: KpiInput, period: str) -> None:
    results = compute_many([period], SCOPES, data)
    for metrics in results.values():
        check(metrics)


@SETTINGS
@given(data=worlds(), seed=st.integers(0, 1000))
def test_recomputing_gives_identical_results_whatever_the_row_order(
    data: KpiInput, seed: int
) -> None:
    first = compute_many(PERIODS[:3] + PERIODS[-1:], SCOPES, data)
    again = compute_many(PERIODS[:3] + PERIODS[-1:], SCOPES, data)
    assert first == again
    assert compute_many(PERIODS[:3] + PERIODS[-1:], SCOPES, shuffled(data, seed)) == first


@SETTINGS
@given(data=worlds(), period=st.sampled_from(PERIODS))
def test_compute_many_equals_compute_scope(data: KpiInput, period: str) -> None:
    many = compute_many([period], SCOPES, data)
    p = parse_period(period)
    for (got_period, scope), metrics in many.items():
        assert got_period == p
        assert compute_scope(period, scope, data) == metrics


@SETTINGS
@given(data=worlds(), period=st.sampled_from(PERIODS))
def test_teams_add_up_to_their_branch(data: KpiInput, period: str) -> None:
    got = compute_many([period], [("team", 10), ("team", 20), ("branch", {10, 20})], data)
    a, b, branch = got.values()
    names = ADDITIVE + (ADDITIVE_MONTH if parse_period(period).kind == "month" else [])
    for name in names:
        if branch[name].status == "pending":  # billing not in: pending everywhere
            assert a[name].status == b[name].status == "pending", name
            continue
        total: Any = a[name].value
        assert total + b[name].value == branch[name].value, name


@SETTINGS
@given(data=worlds())
def test_visit_flags_are_the_domain_rules_visit_by_visit(data: KpiInput) -> None:
    """The engine's vectorised "open target when visited" and "effective" flags equal the
    domain's one-visit rules (domain.stages.is_open_target on reach_times, and
    domain.visits.is_effective) for every visit of any history."""
    from kpi.calculations.prepare import _prepare

    prep = _prepare(data, UTC)
    changes: dict[int, list[stage_rules.StageChange]] = {}
    for row in data.stage_changes.to_dict("records"):
        changes.setdefault(row["customer_id"], []).append(
            stage_rules.StageChange(row["at"], row["to_stage"], row["from_stage"], row["id"])
        )
    expected_target, expected_effective = [], []
    for row in data.visits.to_dict("records"):
        reach = stage_rules.reach_times(changes.get(row["customer_id"], []))
        expected_target.append(stage_rules.is_open_target(reach, row["occurred_at"]))
        expected_effective.append(
            is_effective(
                outcome=row["outcome"],
                next_step=row["next_step"],
                next_step_date=row["next_step_date"],
            )
        )
    assert prep.visits.target.tolist() == expected_target
    assert prep.visits.effective.tolist() == expected_effective
