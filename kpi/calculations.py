"""KPI calculations: DOMAIN.md sections 6 and 9 as pure functions over plain data.

No ORM and no Django here: the callers (snapshot tasks, management commands, benchmarks)
read the tables into pandas frames and pass them in a :class:`KpiInput`. The input is
normalised once into numpy arrays indexed by a dense customer position; each period is then
a handful of vectorised masks, and :func:`compute_many` maps fact rows to *all* requested
scopes at once (sorted/dense lookups + bincount), so 1,000 reps x 12 months from ~600k
stage changes and 1M visits takes seconds, not a loop over scopes.

Entry points: :func:`compute_scope` (one period, one scope), :func:`compute_many` (periods
x scopes), :func:`metric_names`, :func:`metrics_as_json`; helpers :func:`stage_reach_times`,
:func:`owner_at`, :func:`team_of_user_at`; periods :func:`month_period`,
:func:`iso_week_period`, :func:`parse_period`, :func:`period_of`; scopes :class:`Scope`,
:func:`as_scope` (``('rep', id) | ('team', id) | ('branch', team_ids)`` or
``('branch', branch_id, team_ids)``: a branch is the set of its teams).

Input frames (columns; extra columns are ignored, missing optional ones take a default)
-----------------------------------------------------------------------------------------
- ``stage_changes``: customer_id, to_stage, at (aware datetime), from_stage, rep_id,
  team_id, id (optional: orders changes recorded at the same instant).
- ``ownerships``: customer_id, owner_id (null: public pool), team_id, start, end (aware
  datetimes; end null = still; end is exclusive, as customers.services.customer_assign
  closes the old row and opens the new one at the same instant).
- ``memberships``: user_id, unit_id, role, start, end (dates, end inclusive, null = open).
  Only rep and supervisor rows say which team a person is in (as customers.services.team_of).
- ``visits``: customer_id, rep_id, team_id, occurred_at, stage_before, is_effective,
  outcome (is_effective missing: outcome stage_advanced/deal/next_step counts as effective).
- ``revenue``: customer_id, month (date, 1st of the month), billed, received, kind
  (''/'new'/'retained'), product.
- ``contracts``: customer_id, signed_on (date), monthly_value, rep_id, team_id.
- ``billing_months``: month (date) - months whose billing is in.
- ``targets``: scope_kind ('rep'|'team'|'branch'), scope_id, period ('2026-10' or
  '2026-W43'; a ``month`` date column is accepted instead), metric (a name from
  :data:`TARGETABLE_METRICS`), value. A repeated key raises ValueError.
- ``customers``: id, industry, segment, created_at (optional, aware datetime).

Periods and local time
----------------------
A :class:`Period` is a local calendar month or an ISO week (Monday-Sunday; 2025-12-29 is
in 2026-W01, 2027-01-01 in 2026-W53) with an exclusive end date. Every datetime is compared
with the period's bounds taken at local midnight in ``tz`` (default Asia/Shanghai), so days
are local days, never UTC days: 2026-10-31 17:30 UTC is 2026-11-01 01:30 in Shanghai and
counts in November. Naive datetimes are read as local wall time in ``tz``. An event at
exactly the period's start belongs to the period; the state "at the start" of a period is
the state after every change strictly before it.

Stages (DOMAIN.md section 9)
----------------------------
A stage is *reached* at the first time a customer is recorded at that stage or a later one
(the ``to_stage`` of a change, and also its ``from_stage``, which records that the customer
was at that stage by then). So skipped stages count as reached at the same moment, and the
funnel counts can never increase down the stages. Reach times never reset.
*Lost* is a status, not a reach: a customer is lost at a moment when its last change before
that moment went to 'lost'. A lost customer that is re-opened (a later change out of lost)
is not lost any more; its reach times stay those of its first pass.
An *open target* at a moment: reached target, not reached intent, not lost. *Open at
intent*: reached intent, not reached deal, not lost. (Taken literally from DOMAIN.md: a
customer moved back from relationship to lead is still an open target.)

Pools and rates
---------------
- target pool(P) = open targets at the start of P, plus customers that reached target in
  P, plus customers re-opened in P that had reached target but not intent (so a lost
  customer leaves the pools and a re-opened one comes back). target_customers = its size.
- intent pool(P): the same with intent/deal.
- intents(P), deals(P), new_targets(P): customers that reached the stage in P.
- intent_rate = pool members that reached intent in P / target pool; close_rate = intent
  pool members that reached deal in P / intent pool. The numerator is intents(P) (deals(P))
  restricted to the scope's own pool: it equals intents(P) unless a customer changed
  owner or team between entering the pool and reaching intent; that way the rate is a
  cohort conversion and lies in [0, 1] for every scope.
- target_growth_rate = new_targets / open targets at the start (a ratio, may exceed 1).
- target-customer visits: visits whose ``stage_before`` (recorded by the journal just
  before the visit's own effect) is target or relationship, i.e. the customer was an open
  target when visited. weekly_intent_rate (weeks only) = of the distinct customers so
  visited, those that reached intent in the week / their number.
- effective_activity_rate = distinct customers with an effective visit / customers visited.
- Funnel (funnel_<stage>): customers of the scope at the end of the period that had reached
  each stage by then (lead = every customer existing by then); funnel_lost = those lost then.
- Revenue (months only), from billing records of the month: pending (value None, status
  'pending') until the month is in ``billing_months``, like ARPU; then total, new (the record says
  'new', or says nothing and the month is within ``new_revenue_months`` months of the
  customer's local deal month: deal month .. deal month + N - 1), retained (= total - new),
  received, collection_rate = received / billed (a ratio, may exceed 1 when arrears are paid).
- sales_revenue(P) = monthly value of contracts signed in P; new_sales_revenue(P) = the part
  signed by customers whose deal closed in P (weeks and months).
- arpu (months only), lagged one month: customers whose deal closed in M-1; ARPU = their
  billed revenue of M (no record counts 0) / their number. Until M is in
  ``billing_months`` the value is None with status 'pending'.
- Composite (months only), over the scope's *billing customers* (reached deal and not lost
  at the end of M, or billed in M): zero_usage_share (billed 0 in M), in_arrears_share
  (billed > received in M), industry_share:<industry>, revenue_band_share:<band> (bands by
  the month's billed amount); product_share:<product> = billed of that product / total.
- <metric>_completion = actual / target of the same scope, period and metric (no target,
  or a target of 0 -> no value; a branch scope without an id of its own uses the sum of
  its teams' targets). A ratio: may exceed 1. Weekly targets give the weekly achievement
  rate (sales_revenue_completion), monthly ones the revenue completion rate.
- Also given: open_targets_at_start (the growth denominator), intent_pool,
  target_customers_visited (distinct), funnel_lost. :func:`metric_names` lists every fixed
  name per period kind.

Attribution (DOMAIN.md section 9)
---------------------------------
Events go to the rep and team written on their row (a stage change's rep/team are those of
the owner at write time; a visit's and a contract's are the rep and the rep's team then);
a row without a team takes the rep's team on the event's local date from the memberships.
So a rep who changes team mid-month counts in each team for the days they were in it.
States go to the owner *at that moment* (:func:`owner_at`) and the owner's team on that
local date (:func:`team_of_user_at`), falling back to the team on the ownership row (a pool
customer keeps its team), and, for a customer with no ownership row covering the moment,
to the rep/team of its latest stage change before it. Pools use the owner at the period's
start for customers open then, and the event's row otherwise; the funnel, revenue and
composite KPIs use the owner at the period's last moment; ARPU follows the deal's row.

Values
------
Every metric is a :class:`MetricValue` (value, numerator, denominator, status 'ok' |
'pending' | 'no_data'). Counts are ``int``; money is ``Decimal`` with 2 places (carried
internally as integer cents, exact for 2-decimal inputs); rates are ``float``. An empty
denominator gives value None (status 'no_data'), never 0, NaN or Infinity. Metrics named in
:data:`BOUNDED_RATES` (and the ``*_share:*`` ones) lie in [0, 1]; the ratios in
:data:`UNBOUNDED_RATIOS` and ``*_completion`` are >= 0 but may exceed 1 by definition.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

DEFAULT_TZ = ZoneInfo("Asia/Shanghai")

#: Funnel stages in order; mirrors customers.models.STAGE_ORDER (a test keeps them equal).
STAGE_RANK: dict[str, int] = {"lead": 0, "target": 1, "relationship": 2, "intent": 3, "deal": 4}
FUNNEL_STAGES: tuple[str, ...] = tuple(STAGE_RANK)
REACH_STAGES: tuple[str, ...] = ("target", "relationship", "intent", "deal")
LOST = "lost"
OPEN_TARGET_STAGES = frozenset({"target", "relationship"})
EFFECTIVE_OUTCOMES = frozenset({"stage_advanced", "deal", "next_step"})
REVENUE_KIND_NEW = "new"
REVENUE_KIND_RETAINED = "retained"

#: (label, lower bound of the month's billed amount, inclusive), ascending.
DEFAULT_REVENUE_BANDS: tuple[tuple[str, Decimal], ...] = (
    ("<1k", Decimal("0")),
    ("1k-5k", Decimal("1000")),
    ("5k-20k", Decimal("5000")),
    ("20k+", Decimal("20000")),
)

#: Rates that lie in [0, 1] by construction (plus every "*_share:*" metric).
BOUNDED_RATES: frozenset[str] = frozenset(
    {
        "intent_rate",
        "close_rate",
        "effective_activity_rate",
        "weekly_intent_rate",
        "zero_usage_share",
        "in_arrears_share",
    }
)
#: Ratios that are >= 0 but may exceed 1 by definition (plus every "*_completion").
UNBOUNDED_RATIOS: frozenset[str] = frozenset({"target_growth_rate", "collection_rate"})

#: Metrics a target may be set for; each gives "<metric>_completion".
TARGETABLE_METRICS: tuple[str, ...] = (
    "new_targets",
    "target_customers",
    "intents",
    "deals",
    "visits",
    "customers_visited",
    "target_customer_visits",
    "effective_customers",
    "sales_revenue",
    "new_sales_revenue",
    "total_revenue",
    "new_revenue",
    "retained_revenue",
    "received",
)
MONEY_METRICS: frozenset[str] = frozenset(
    {
        "sales_revenue",
        "new_sales_revenue",
        "total_revenue",
        "new_revenue",
        "retained_revenue",
        "received",
        "arpu",
    }
)

CENT = Decimal("0.01")


# --------------------------------------------------------------------------- periods


@dataclass(frozen=True, order=True)
class Period:
    """A local calendar month or ISO week: ``start`` inclusive, ``end`` exclusive (dates)."""

    kind: str
    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.kind not in ("month", "week"):
            raise ValueError(f"Unknown period kind {self.kind!r}")
        if self.end <= self.start:
            raise ValueError("A period ends after it starts")

    @property
    def key(self) -> str:
        """'2026-10' for a month, '2026-W43' (ISO year and week) for a week."""
        if self.kind == "month":
            return f"{self.start.year:04d}-{self.start.month:02d}"
        iso = self.start.isocalendar()
        return f"{iso.year:04d}-W{iso.week:02d}"

    def __str__(self) -> str:
        return self.key

    def start_at(self, tz: dt.tzinfo = DEFAULT_TZ) -> dt.datetime:
        """Aware datetime of local midnight at the start."""
        return dt.datetime.combine(self.start, dt.time(), tzinfo=tz)

    def end_at(self, tz: dt.tzinfo = DEFAULT_TZ) -> dt.datetime:
        """Aware datetime of local midnight at the (exclusive) end."""
        return dt.datetime.combine(self.end, dt.time(), tzinfo=tz)

    def contains(self, day: dt.date) -> bool:
        """True when the local ``day`` lies in the period."""
        return self.start <= day < self.end

    def previous(self) -> Period:
        """The month or ISO week before this one."""
        if self.kind == "month":
            day = self.start - dt.timedelta(days=1)
            return month_period(day.year, day.month)
        return Period("week", self.start - dt.timedelta(days=7), self.start)

    def next(self) -> Period:
        """The month or ISO week after this one."""
        if self.kind == "month":
            return month_period(self.end.year, self.end.month)
        return Period("week", self.end, self.end + dt.timedelta(days=7))


def month_period(year: int, month: int) -> Period:
    """The local calendar month ``year``-``month``. Raises ValueError for a bad month."""
    start = dt.date(year, month, 1)
    end = dt.date(year + 1, 1, 1) if month == 12 else dt.date(year, month + 1, 1)
    return Period("month", start, end)


def iso_week_period(year: int, week: int) -> Period:
    """ISO week ``week`` of ISO year ``year`` (Monday to Sunday).

    Raises ValueError for a week the year does not have (e.g. 2027-W53; 2026 has 53 weeks).
    """
    start = dt.date.fromisocalendar(year, week, 1)
    return Period("week", start, start + dt.timedelta(days=7))


def weeks_in_iso_year(year: int) -> int:
    """52 or 53: the ISO week of 28 December is always the year's last."""
    return dt.date(year, 12, 28).isocalendar().week


def period_of(day: dt.date, kind: str) -> Period:
    """The month or ISO week containing the local ``day``."""
    if kind == "month":
        return month_period(day.year, day.month)
    if kind == "week":
        iso = day.isocalendar()
        return iso_week_period(iso.year, iso.week)
    raise ValueError(f"Unknown period kind {kind!r}")


_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
_WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$", re.IGNORECASE)


def parse_period(text: str | Period) -> Period:
    """Parse '2026-10' (month) or '2026-W43' (ISO week). Raises ValueError otherwise."""
    if isinstance(text, Period):
        return text
    value = str(text).strip()
    if m := _MONTH_RE.match(value):
        return month_period(int(m.group(1)), int(m.group(2)))
    if m := _WEEK_RE.match(value):
        return iso_week_period(int(m.group(1)), int(m.group(2)))
    raise ValueError(f"Not a period (expected 2026-10 or 2026-W43): {text!r}")


# --------------------------------------------------------------------------- scopes


@dataclass(frozen=True)
class Scope:
    """Who the figures are for: a rep (user id), a team (unit id) or a branch.

    A branch is the set of its team ids; ``id`` (the branch unit id) is optional and only
    used to look up the branch's own targets.
    """

    kind: str
    id: int | None = None
    team_ids: frozenset[int] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if self.kind not in ("rep", "team", "branch"):
            raise ValueError(f"Unknown scope kind {self.kind!r}")
        if self.kind != "branch" and self.id is None:
            raise ValueError(f"A {self.kind} scope needs an id")
        if (self.id is not None and self.id < 0) or any(t < 0 for t in self.team_ids):
            raise ValueError("Scope ids are not negative")

    @classmethod
    def rep(cls, user_id: int) -> Scope:
        return cls("rep", int(user_id))

    @classmethod
    def team(cls, team_id: int) -> Scope:
        return cls("team", int(team_id))

    @classmethod
    def branch(cls, team_ids: Iterable[int], branch_id: int | None = None) -> Scope:
        return cls("branch", branch_id, frozenset(int(t) for t in team_ids))

    @property
    def key(self) -> str:
        """'rep:5', 'team:7', 'branch:3' or, without an id, 'branch:7+8'."""
        if self.kind == "branch" and self.id is None:
            return "branch:" + "+".join(str(t) for t in sorted(self.team_ids))
        return f"{self.kind}:{self.id}"

    def __str__(self) -> str:
        return self.key


def as_scope(value: Scope | tuple[Any, ...]) -> Scope:
    """Accept a Scope or a tuple ('rep', id) | ('team', id) | ('branch', team_ids)
    | ('branch', branch_id, team_ids). Raises ValueError otherwise."""
    if isinstance(value, Scope):
        return value
    if not isinstance(value, tuple) or len(value) not in (2, 3):
        raise ValueError(f"Not a scope: {value!r}")
    kind = value[0]
    if kind == "branch":
        if len(value) == 3:
            return Scope.branch(value[2], value[1])
        return Scope.branch(value[1])
    if kind in ("rep", "team") and len(value) == 2:
        return Scope(kind, int(value[1]))
    raise ValueError(f"Not a scope: {value!r}")


# --------------------------------------------------------------------------- values


@dataclass(frozen=True)
class MetricValue:
    """One computed figure. ``value`` None means *no value* (shown as "-")."""

    value: int | float | Decimal | None
    numerator: int | Decimal | None = None
    denominator: int | Decimal | None = None
    status: str = "ok"  # 'ok' | 'pending' | 'no_data'

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe dict: Decimals as strings (like DRF), None as null, no NaN."""
        return {
            "value": _jsonable(self.value),
            "numerator": _jsonable(self.numerator),
            "denominator": _jsonable(self.denominator),
            "status": self.status,
        }


def _jsonable(v: Any) -> Any:
    return str(v) if isinstance(v, Decimal) else v


def metrics_as_json(metrics: Mapping[str, MetricValue]) -> dict[str, dict[str, Any]]:
    """{metric: MetricValue.as_dict()} - safe for ``json.dumps(..., allow_nan=False)``."""
    return {name: mv.as_dict() for name, mv in metrics.items()}


def _count(n: int) -> MetricValue:
    return MetricValue(int(n))


def _rate(num: int, den: int) -> MetricValue:
    num, den = int(num), int(den)
    if den == 0:
        return MetricValue(None, num, 0, "no_data")
    return MetricValue(num / den, num, den)


def _money(cents: int) -> Decimal:
    return (Decimal(int(cents)) / 100).quantize(CENT)


def _money_rate(num_cents: int, den_cents: int) -> MetricValue:
    if int(den_cents) == 0:
        return MetricValue(None, _money(num_cents), _money(0), "no_data")
    return MetricValue(int(num_cents) / int(den_cents), _money(num_cents), _money(den_cents))


# --------------------------------------------------------------------------- input


def _empty(columns: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


@dataclass
class KpiInput:
    """The plain data the calculations read (see the module docstring for the columns)."""

    stage_changes: pd.DataFrame = field(
        default_factory=lambda: _empty(
            ["customer_id", "from_stage", "to_stage", "at", "rep_id", "team_id"]
        )
    )
    ownerships: pd.DataFrame = field(
        default_factory=lambda: _empty(["customer_id", "owner_id", "team_id", "start", "end"])
    )
    memberships: pd.DataFrame = field(
        default_factory=lambda: _empty(["user_id", "unit_id", "role", "start", "end"])
    )
    visits: pd.DataFrame = field(
        default_factory=lambda: _empty(
            ["customer_id", "rep_id", "team_id", "occurred_at", "stage_before", "is_effective"]
        )
    )
    revenue: pd.DataFrame = field(
        default_factory=lambda: _empty(
            ["customer_id", "month", "billed", "received", "kind", "product"]
        )
    )
    contracts: pd.DataFrame = field(
        default_factory=lambda: _empty(
            ["customer_id", "signed_on", "monthly_value", "rep_id", "team_id"]
        )
    )
    billing_months: pd.DataFrame = field(default_factory=lambda: _empty(["month"]))
    targets: pd.DataFrame = field(
        default_factory=lambda: _empty(["scope_kind", "scope_id", "period", "metric", "value"])
    )
    customers: pd.DataFrame = field(default_factory=lambda: _empty(["id", "industry", "segment"]))


# --------------------------------------------------------------------------- normalising
#
# Internally every customer is a dense position 0..N-1 (its rank among the sorted customer
# ids), every id is int64 with -1 for "none", every instant is int64 nanoseconds since the
# epoch (UTC) with _NEVER for "none / still open", and every date is an int64 day number.
# Per-customer facts are then numpy arrays indexed by position, and lookups are indexing.

_NEVER = np.iinfo(np.int64).max
_NONE = -1
_NS_PER_US = 1_000
_EPOCH = dt.date(1970, 1, 1)
_STAGE_CATEGORIES = ["lead", "target", "relationship", "intent", "deal", LOST]
_RANK_OF_CODE = np.array([0, 1, 2, 3, 4, -1, -1], dtype=np.int64)  # code -1 -> rank -1
_LOST_CODE = _STAGE_CATEGORIES.index(LOST)
_KIND_AUTO, _KIND_NEW, _KIND_RETAINED = 0, 1, 2
_NO_MONTH = -(10**9)
_DENSE_LIMIT = 50_000_000  # ids below this use dense lookup tables instead of searchsorted


def _frame(df: pd.DataFrame | None) -> pd.DataFrame:
    if df is None:
        return pd.DataFrame()
    if not isinstance(df, pd.DataFrame):
        df = pd.DataFrame(df)
    return df.reset_index(drop=True)


def _col(df: pd.DataFrame, name: str, default: Any = None) -> pd.Series:
    if name in df.columns:
        return df[name].reset_index(drop=True)
    return pd.Series([default] * len(df), dtype=object)


def _ids(values: pd.Series) -> np.ndarray:
    s = pd.Series(values).reset_index(drop=True)
    if pd.api.types.is_integer_dtype(s.dtype):
        return s.to_numpy(dtype=np.int64, na_value=_NONE)
    num = pd.to_numeric(s.astype(object).where(s.notna(), np.nan))
    return num.fillna(_NONE).to_numpy(dtype=np.int64)


def _bools(values: pd.Series) -> np.ndarray:
    s = pd.Series(values).reset_index(drop=True)
    if s.dtype == bool:
        return s.to_numpy()
    return s.astype(object).where(s.notna(), False).astype(bool).to_numpy()


def _codes(values: pd.Series, categories: Sequence[str]) -> np.ndarray:
    """Position of each value in ``categories`` (-1 for anything else, null included)."""
    codes, uniques = pd.factorize(pd.Series(values).reset_index(drop=True))
    index = {c: i for i, c in enumerate(categories)}
    lookup = np.array([index.get(u, -1) for u in uniques] + [-1], dtype=np.int64)
    return lookup[codes]  # code -1 (null) picks the trailing -1


def _labels_and_codes(values: pd.Series) -> tuple[list[str], np.ndarray]:
    """Factorise labels; null and '' become '-'. Returns (sorted labels, code per row)."""
    s = pd.Series(values).reset_index(drop=True).astype(object)
    codes, uniques = pd.factorize(s.where(s.notna(), ""))
    names = np.array([str(u) if str(u) != "" else "-" for u in uniques], dtype=object)
    if len(names) == 0:
        return [], codes.astype(np.int64)
    labels, inverse = np.unique(names, return_inverse=True)
    return [str(x) for x in labels], inverse[codes].astype(np.int64)


def _utc(values: pd.Series, tz: dt.tzinfo) -> pd.Series:
    """Aware datetimes -> UTC timestamps; naive ones are local wall time in ``tz``."""
    s = pd.Series(values).reset_index(drop=True)
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        return s.dt.tz_convert("UTC")
    if pd.api.types.is_datetime64_dtype(s.dtype):
        local = s.dt.tz_localize(tz, nonexistent="shift_forward", ambiguous="NaT")
        return local.dt.tz_convert("UTC")
    non_null = s.dropna()
    if non_null.empty:
        return pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns, UTC]")
    first = non_null.iloc[0]
    if isinstance(first, dt.datetime) and first.tzinfo is None:
        return _utc(pd.to_datetime(s), tz)
    return pd.to_datetime(s, utc=True)


def _ns(values: pd.Series, tz: dt.tzinfo) -> np.ndarray:
    """Instants as int64 ns since the epoch (UTC); null -> _NEVER."""
    s = _utc(values, tz)
    out = s.dt.tz_localize(None).to_numpy(dtype="datetime64[ns]").view(np.int64).copy()
    out[s.isna().to_numpy()] = _NEVER
    return out


def _days(values: pd.Series, missing: int) -> np.ndarray:
    """Dates as int64 day numbers since 1970-01-01; null -> ``missing``."""
    s = pd.Series(values).reset_index(drop=True)
    if s.empty:
        return np.empty(0, dtype=np.int64)
    d = pd.to_datetime(s)
    if isinstance(d.dtype, pd.DatetimeTZDtype):
        d = d.dt.tz_localize(None)
    out = d.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]").view(np.int64).copy()
    out[d.isna().to_numpy()] = missing
    return out


def _day(day: dt.date) -> int:
    return (day - _EPOCH).days


def _instant(day: dt.date, tz: dt.tzinfo) -> int:
    """ns since the epoch of local midnight at the start of ``day``."""
    return int(pd.Timestamp(dt.datetime.combine(day, dt.time(), tzinfo=tz)).value)


def _local(ns: np.ndarray, tz: dt.tzinfo) -> pd.DatetimeIndex:
    return pd.to_datetime(ns, unit="ns", utc=True).tz_convert(tz).tz_localize(None)


def _local_days(ns: np.ndarray, tz: dt.tzinfo) -> np.ndarray:
    if len(ns) == 0:
        return np.empty(0, dtype=np.int64)
    return _local(ns, tz).normalize().to_numpy().astype("datetime64[D]").view(np.int64)


def _cents(values: pd.Series) -> np.ndarray:
    """Money (Decimal, int, float, str) -> int64 cents; null counts 0."""
    s = pd.Series(values).reset_index(drop=True)
    if s.empty:
        return np.empty(0, dtype=np.int64)
    f = pd.to_numeric(s.astype(object).where(s.notna(), 0)).astype(float).to_numpy()
    return np.round(f * 100).astype(np.int64)


def _to_timestamps(ns: np.ndarray) -> pd.Series:
    out = pd.Series(pd.to_datetime(np.where(ns == _NEVER, 0, ns), unit="ns", utc=True))
    return out.where(ns != _NEVER, pd.NaT)


def _to_ids(ids: np.ndarray) -> pd.Series:
    return pd.Series(pd.array(np.where(ids == _NONE, 0, ids), dtype="Int64")).where(
        ids != _NONE, pd.NA
    )


def _first_of_runs(keys: np.ndarray) -> np.ndarray:
    out = np.ones(len(keys), dtype=bool)
    out[1:] = keys[1:] != keys[:-1]
    return out


def _last_of_runs(keys: np.ndarray) -> np.ndarray:
    out = np.ones(len(keys), dtype=bool)
    out[:-1] = keys[1:] != keys[:-1]
    return out


def _sorted_unique(values: np.ndarray) -> np.ndarray:
    """np.unique for int64 by sorting (faster here than numpy's hash-based unique)."""
    ordered = np.sort(values, kind="stable")
    return ordered[_first_of_runs(ordered)]


def _first_occurrences(values: np.ndarray) -> np.ndarray:
    """Indexes of the first occurrence of each distinct value, in ascending value order."""
    order = np.argsort(values, kind="stable")
    return order[_first_of_runs(values[order])]


def _position_finder(ids: np.ndarray) -> Any:
    """A function mapping known ids to their position in the sorted unique ``ids``."""
    if len(ids) and int(ids[0]) >= 0 and int(ids[-1]) < _DENSE_LIMIT:
        table = np.zeros(int(ids[-1]) + 1, dtype=np.int64)
        table[ids] = np.arange(len(ids), dtype=np.int64)
        return lambda c: table[c]
    return lambda c: np.searchsorted(ids, c)


def _lookup(keys: np.ndarray, values: np.ndarray, query: np.ndarray, default: int) -> np.ndarray:
    """values[k] for each query equal to keys[k] (keys sorted, unique); else ``default``."""
    if len(keys) == 0:
        return np.full(len(query), default, dtype=np.int64)
    idx = np.minimum(np.searchsorted(keys, query), len(keys) - 1)
    return np.where(keys[idx] == query, values[idx], default)


# --------------------------------------------------------------------------- memberships


@dataclass
class _Mem:
    user: np.ndarray
    unit: np.ndarray
    start: np.ndarray  # day numbers
    end: np.ndarray  # inclusive; _NEVER = open


def _norm_memberships(df: pd.DataFrame | None) -> _Mem:
    df = _frame(df)
    user, unit = _ids(_col(df, "user_id")), _ids(_col(df, "unit_id"))
    role = _codes(_col(df, "role", "rep"), ["rep", "supervisor"])
    start, end = _days(_col(df, "start"), _NEVER), _days(_col(df, "end"), _NEVER)
    keep = (role >= 0) & (user != _NONE) & (unit != _NONE) & (start != _NEVER)
    order = np.lexsort((np.arange(len(df))[keep], start[keep], user[keep]))
    return _Mem(*(a[keep][order] for a in (user, unit, start, end)))


def _team_on_day(mem: _Mem, day: int) -> tuple[np.ndarray, np.ndarray]:
    """(users, teams) active on ``day``, sorted by user; the latest start wins."""
    m = (mem.start <= day) & (mem.end >= day)
    users, units = mem.user[m], mem.unit[m]
    last = _last_of_runs(users)
    return users[last], units[last]


def team_of_user_at(memberships: pd.DataFrame, day: dt.date) -> pd.Series:
    """Team of each user on the local ``day``: Series user_id -> team_id (Int64).

    Only rep and supervisor memberships count (as customers.services.team_of); start and
    end are inclusive dates; when several are active the latest start wins. Users with
    no team that day are absent. Source: DOMAIN.md section 9, Attribution.
    """
    users, teams = _team_on_day(_norm_memberships(memberships), _day(day))
    return pd.Series(pd.array(teams, dtype="Int64"), index=pd.Index(users, name="user_id"))


def _fill_teams(
    rep: np.ndarray,
    team: np.ndarray,
    mem: _Mem,
    days: np.ndarray | None = None,
    ns: np.ndarray | None = None,
    tz: dt.tzinfo = DEFAULT_TZ,
) -> np.ndarray:
    """``team`` with the missing ones taken from the rep's membership on the event's day."""
    need = np.flatnonzero((team == _NONE) & (rep != _NONE))
    if need.size == 0 or mem.user.size == 0:
        return team
    need_days = days[need] if days is not None else _local_days(ns[need], tz)  # type: ignore[index]
    q = pd.DataFrame({"user": rep[need], "day": need_days, "row": need})
    rows = pd.DataFrame(
        {
            "user": mem.user,
            "unit": mem.unit,
            "start": mem.start,
            "end": mem.end,
            "order": np.arange(len(mem.user)),
        }
    )
    m = q.merge(rows, on="user")
    m = m[(m["start"] <= m["day"]) & (m["end"] >= m["day"])]
    m = m.sort_values(["row", "order"], kind="stable").drop_duplicates("row", keep="last")
    out = team.copy()
    out[m["row"].to_numpy()] = m["unit"].to_numpy()
    return out


# --------------------------------------------------------------------------- stage history


@dataclass
class _Changes:
    pos: np.ndarray
    at: np.ndarray
    rank: np.ndarray  # max(rank(to), rank(from)): the furthest stage the row records
    lost: np.ndarray  # to_stage is lost
    rep: np.ndarray
    team: np.ndarray


@dataclass
class _Reach:
    lead: np.ndarray
    at: dict[str, np.ndarray]
    rep: dict[str, np.ndarray]
    team: dict[str, np.ndarray]


@dataclass
class _StageEvents:
    lost_pos: np.ndarray
    lost_at: np.ndarray
    lost_next: np.ndarray  # the customer's next change after the loss; _NEVER if none
    reopen_pos: np.ndarray
    reopen_at: np.ndarray
    reopen_rep: np.ndarray
    reopen_team: np.ndarray

    def lost_mask(self, when: int, n: int) -> np.ndarray:
        """Customers whose last change strictly before ``when`` went to lost."""
        mask = np.zeros(n, dtype=bool)
        m = (self.lost_at < when) & (self.lost_next >= when)
        mask[self.lost_pos[m]] = True
        return mask


def _norm_changes(df: pd.DataFrame, customer_pos: Any, tz: dt.tzinfo) -> _Changes:
    cust = _ids(_col(df, "customer_id"))
    at = _ns(_col(df, "at"), tz)
    to_code = _codes(_col(df, "to_stage"), _STAGE_CATEGORIES)
    from_code = _codes(_col(df, "from_stage"), _STAGE_CATEGORIES)
    seq = _ids(_col(df, "id")) if "id" in df.columns else np.arange(len(df), dtype=np.int64)
    keep = (cust != _NONE) & (at != _NEVER)
    pos = customer_pos(cust[keep])
    order = np.lexsort((seq[keep], at[keep], pos))
    rank = np.maximum(_RANK_OF_CODE[to_code], _RANK_OF_CODE[from_code])[keep][order]
    return _Changes(
        pos=pos[order],
        at=at[keep][order],
        rank=rank,
        lost=(to_code == _LOST_CODE)[keep][order],
        rep=_ids(_col(df, "rep_id"))[keep][order],
        team=_ids(_col(df, "team_id"))[keep][order],
    )


def _reach(ch: _Changes, n: int) -> _Reach:
    """First time each customer reached each stage (cumulative), and who it counts for."""
    lead = np.full(n, _NEVER, dtype=np.int64)
    first = _first_of_runs(ch.pos)
    lead[ch.pos[first]] = ch.at[first]
    reach = _Reach(lead, {}, {}, {})
    for stage in REACH_STAGES:
        sel = np.flatnonzero(ch.rank >= STAGE_RANK[stage])
        rows = sel[_first_of_runs(ch.pos[sel])]
        at = np.full(n, _NEVER, dtype=np.int64)
        rep = np.full(n, _NONE, dtype=np.int64)
        team = np.full(n, _NONE, dtype=np.int64)
        at[ch.pos[rows]] = ch.at[rows]
        rep[ch.pos[rows]] = ch.rep[rows]
        team[ch.pos[rows]] = ch.team[rows]
        reach.at[stage], reach.rep[stage], reach.team[stage] = at, rep, team
    return reach


def _stage_events(ch: _Changes) -> _StageEvents:
    same = ch.pos[1:] == ch.pos[:-1]
    next_at = np.full(len(ch.pos), _NEVER, dtype=np.int64)
    next_at[:-1] = np.where(same, ch.at[1:], _NEVER)
    prev_lost = np.zeros(len(ch.pos), dtype=bool)
    prev_lost[1:] = same & ch.lost[:-1]
    reopen = prev_lost & ~ch.lost
    return _StageEvents(
        lost_pos=ch.pos[ch.lost],
        lost_at=ch.at[ch.lost],
        lost_next=next_at[ch.lost],
        reopen_pos=ch.pos[reopen],
        reopen_at=ch.at[reopen],
        reopen_rep=ch.rep[reopen],
        reopen_team=ch.team[reopen],
    )


def stage_reach_times(stage_changes: pd.DataFrame, tz: dt.tzinfo = DEFAULT_TZ) -> pd.DataFrame:
    """When each customer first reached each stage, and its lost status.

    Returns one row per customer with a stage change, sorted by customer_id: lead_at (first
    recorded change); for s in target, relationship, intent, deal: ``<s>_at`` (UTC
    timestamp, NaT = not reached), ``<s>_rep_id`` and ``<s>_team_id`` (Int64: attribution of
    the change that reached it); ``lost_at`` (latest change to lost), ``reopened_at`` (the
    change out of lost after it, NaT if none) and ``is_lost`` (the last change went to lost).
    Reaching a stage counts as reaching every earlier one at the same time (DOMAIN.md
    section 9: "first time recorded at that stage or a later one").
    """
    df = _frame(stage_changes)
    cust = _ids(_col(df, "customer_id"))
    ids = _sorted_unique(cust[cust != _NONE])
    ch = _norm_changes(df, lambda c: np.searchsorted(ids, c), _tz(tz))
    reach = _reach(ch, len(ids))
    ev = _stage_events(ch)
    out = pd.DataFrame({"customer_id": _to_ids(ids), "lead_at": _to_timestamps(reach.lead)})
    for stage in REACH_STAGES:
        out[f"{stage}_at"] = _to_timestamps(reach.at[stage])
        out[f"{stage}_rep_id"] = _to_ids(reach.rep[stage])
        out[f"{stage}_team_id"] = _to_ids(reach.team[stage])
    lost_at = np.full(len(ids), _NEVER, dtype=np.int64)
    reopened = np.full(len(ids), _NEVER, dtype=np.int64)
    latest = _last_of_runs(ev.lost_pos)  # sorted by customer, then time
    lost_at[ev.lost_pos[latest]] = ev.lost_at[latest]
    reopened[ev.lost_pos[latest]] = ev.lost_next[latest]
    out["lost_at"] = _to_timestamps(lost_at)
    out["reopened_at"] = _to_timestamps(reopened)
    out["is_lost"] = (lost_at != _NEVER) & (reopened == _NEVER)
    return out


# --------------------------------------------------------------------------- ownership


@dataclass
class _Own:
    pos: np.ndarray
    owner: np.ndarray
    team: np.ndarray
    start: np.ndarray
    end: np.ndarray  # exclusive; _NEVER = still


def _norm_ownerships(df: pd.DataFrame, customer_pos: Any, tz: dt.tzinfo) -> _Own:
    cust = _ids(_col(df, "customer_id"))
    start, end = _ns(_col(df, "start"), tz), _ns(_col(df, "end"), tz)
    keep = (cust != _NONE) & (start != _NEVER)
    pos = customer_pos(cust[keep])
    order = np.lexsort((np.arange(len(df))[keep], start[keep], pos))
    return _Own(
        pos=pos[order],
        owner=_ids(_col(df, "owner_id"))[keep][order],
        team=_ids(_col(df, "team_id"))[keep][order],
        start=start[keep][order],
        end=end[keep][order],
    )


def _owner_rows(own: _Own, when: int) -> np.ndarray:
    """Row of the ownership covering ``when`` for each customer that has one."""
    sel = np.flatnonzero((own.start <= when) & (own.end > when))
    return sel[_last_of_runs(own.pos[sel])]


def owner_at(
    ownerships: pd.DataFrame, when: dt.datetime, tz: dt.tzinfo = DEFAULT_TZ
) -> pd.DataFrame:
    """Owner of each customer at the instant ``when``: DataFrame customer_id, owner_id
    (NA: public pool), team_id (the ownership row's team), all Int64.

    An ownership row covers [start, end); with overlapping rows the latest start wins.
    Customers without a covering row are absent. Source: DOMAIN.md section 9, Attribution.
    """
    zone = _tz(tz)
    df = _frame(ownerships)
    cust = _ids(_col(df, "customer_id"))
    ids = _sorted_unique(cust[cust != _NONE])
    own = _norm_ownerships(df, lambda c: np.searchsorted(ids, c), zone)
    rows = _owner_rows(own, int(_ns(pd.Series([when]), zone)[0]))
    return pd.DataFrame(
        {
            "customer_id": _to_ids(ids[own.pos[rows]]),
            "owner_id": _to_ids(own.owner[rows]),
            "team_id": _to_ids(own.team[rows]),
        }
    )


# --------------------------------------------------------------------------- prepared data


@dataclass
class _Visits:
    pos: np.ndarray
    rep: np.ndarray
    team: np.ndarray
    at: np.ndarray
    target: np.ndarray  # the customer was an open target just before the visit
    effective: np.ndarray


@dataclass
class _Revenue:
    pos: np.ndarray
    month: np.ndarray  # year * 12 + month - 1
    billed: np.ndarray  # cents
    received: np.ndarray
    kind: np.ndarray  # _KIND_*
    product: np.ndarray  # code into products
    products: list[str]


@dataclass
class _Contracts:
    pos: np.ndarray
    day: np.ndarray
    value: np.ndarray  # cents
    rep: np.ndarray
    team: np.ndarray


@dataclass
class _Prepared:
    tz: dt.tzinfo
    n: int
    changes: _Changes
    reach: _Reach
    events: _StageEvents
    own: _Own
    mem: _Mem
    visits: _Visits
    revenue: _Revenue
    contracts: _Contracts
    deal_month: np.ndarray  # local month index of the deal, _NO_MONTH if none
    billing_months: frozenset[int]
    industry: np.ndarray  # code into industries, per customer
    industries: list[str]
    targets: dict[tuple[str, int | None, str, str], Decimal]


def _prepare(data: KpiInput, tz: dt.tzinfo) -> _Prepared:
    frames = {
        name: _frame(getattr(data, name))
        for name in ("stage_changes", "ownerships", "visits", "revenue", "contracts")
    }
    customers = _frame(data.customers)
    cust_ids = _ids(_col(customers, "id"))
    all_ids = [cust_ids] + [_ids(_col(f, "customer_id")) for f in frames.values()]
    ids = _sorted_unique(np.concatenate(all_ids))
    ids = ids[ids != _NONE]
    n = len(ids)

    pos_of = _position_finder(ids)

    mem = _norm_memberships(data.memberships)
    own = _norm_ownerships(frames["ownerships"], pos_of, tz)
    ch = _norm_changes(frames["stage_changes"], pos_of, tz)
    ch.team = _fill_teams(ch.rep, ch.team, mem, ns=ch.at, tz=tz)
    reach = _reach(ch, n)
    # A customer exists (has reached lead) from the earliest of its first stage change,
    # its first ownership and customers.created_at.
    first_own = _first_of_runs(own.pos)
    reach.lead[own.pos[first_own]] = np.minimum(
        reach.lead[own.pos[first_own]], own.start[first_own]
    )
    if "created_at" in customers.columns:
        created = _ns(customers["created_at"], tz)
        ok = cust_ids != _NONE
        np.minimum.at(reach.lead, pos_of(cust_ids[ok]), created[ok])
    events = _stage_events(ch)

    deal_month = np.full(n, _NO_MONTH, dtype=np.int64)
    dealt = np.flatnonzero(reach.at["deal"] != _NEVER)
    if dealt.size:
        local = _local(reach.at["deal"][dealt], tz)
        deal_month[dealt] = local.year * 12 + local.month - 1

    v = frames["visits"]
    v_cust, v_at = _ids(_col(v, "customer_id")), _ns(_col(v, "occurred_at"), tz)
    keep = (v_cust != _NONE) & (v_at != _NEVER)
    if "is_effective" in v.columns:
        effective = _bools(v["is_effective"])
    else:
        effective = _codes(_col(v, "outcome"), sorted(EFFECTIVE_OUTCOMES)) >= 0
    v_rep = _ids(_col(v, "rep_id"))[keep]
    visits = _Visits(
        pos=pos_of(v_cust[keep]),
        rep=v_rep,
        team=_fill_teams(v_rep, _ids(_col(v, "team_id"))[keep], mem, ns=v_at[keep], tz=tz),
        at=v_at[keep],
        target=(_codes(_col(v, "stage_before"), sorted(OPEN_TARGET_STAGES)) >= 0)[keep],
        effective=effective[keep],
    )

    r = frames["revenue"]
    r_cust, r_day = _ids(_col(r, "customer_id")), _days(_col(r, "month"), _NEVER)
    keep = (r_cust != _NONE) & (r_day != _NEVER)
    products, product_codes = _labels_and_codes(_col(r, "product", ""))
    r_month = pd.to_datetime(np.where(keep, r_day, 0), unit="D")
    kind = _codes(_col(r, "kind", ""), ["", REVENUE_KIND_NEW, REVENUE_KIND_RETAINED])
    revenue = _Revenue(
        pos=pos_of(r_cust[keep]),
        month=(r_month.year * 12 + r_month.month - 1).to_numpy(dtype=np.int64)[keep],
        billed=_cents(_col(r, "billed", 0))[keep],
        received=_cents(_col(r, "received", 0))[keep],
        kind=np.maximum(kind, _KIND_AUTO)[keep],
        product=product_codes[keep],
        products=products,
    )

    c = frames["contracts"]
    c_cust, c_day = _ids(_col(c, "customer_id")), _days(_col(c, "signed_on"), _NEVER)
    keep = (c_cust != _NONE) & (c_day != _NEVER)
    c_rep = _ids(_col(c, "rep_id"))[keep]
    contracts = _Contracts(
        pos=pos_of(c_cust[keep]),
        day=c_day[keep],
        value=_cents(_col(c, "monthly_value", 0))[keep],
        rep=c_rep,
        team=_fill_teams(c_rep, _ids(_col(c, "team_id"))[keep], mem, days=c_day[keep]),
    )

    b_days = _days(_col(_frame(data.billing_months), "month"), _NEVER)
    b_months = pd.to_datetime(b_days[b_days != _NEVER], unit="D")
    billing = frozenset(int(x) for x in (b_months.year * 12 + b_months.month - 1))

    industries, ind_codes = _labels_and_codes(_col(customers, "industry", ""))
    if "-" not in industries:
        industries = [*industries, "-"]  # appended: existing codes stay valid
    industry = np.full(n, industries.index("-"), dtype=np.int64)
    ok = cust_ids != _NONE
    industry[pos_of(cust_ids[ok])] = ind_codes[ok]

    return _Prepared(
        tz=tz,
        n=n,
        changes=ch,
        reach=reach,
        events=events,
        own=own,
        mem=mem,
        visits=visits,
        revenue=revenue,
        contracts=contracts,
        deal_month=deal_month,
        billing_months=billing,
        industry=industry,
        industries=industries,
        targets=_norm_targets(data.targets),
    )


def _to_decimal(v: Any) -> Decimal | None:
    if v is None or (isinstance(v, float) and not np.isfinite(v)):
        return None
    try:
        return Decimal(str(v))
    except ArithmeticError:
        return None


def _norm_targets(df: pd.DataFrame | None) -> dict[tuple[str, int | None, str, str], Decimal]:
    df = _frame(df)
    if df.empty:
        return {}
    if "period" in df.columns:
        periods = [
            parse_period(p).key if isinstance(p, Period) or (isinstance(p, str) and p) else ""
            for p in df["period"]
        ]
    else:
        days = _days(_col(df, "month"), _NEVER)
        periods = [
            "" if d == _NEVER else (_EPOCH + dt.timedelta(days=int(d))).strftime("%Y-%m")
            for d in days
        ]
    out: dict[tuple[str, int | None, str, str], Decimal] = {}
    for kind, sid, period, metric, value in zip(
        _col(df, "scope_kind"),
        _ids(_col(df, "scope_id")),
        periods,
        _col(df, "metric"),
        _col(df, "value"),
        strict=True,
    ):
        amount = _to_decimal(value)
        if amount is not None and period:
            key = (str(kind), None if sid == _NONE else int(sid), period, str(metric))
            if key in out:
                raise ValueError(f"Duplicate target for {key}")
            out[key] = amount
    return out


def _attribution(prep: _Prepared, when: int, day: int) -> tuple[np.ndarray, ...]:
    """(has, rep, team) per customer at the instant ``when`` (local day ``day``)."""
    has = np.zeros(prep.n, dtype=bool)
    rep = np.full(prep.n, _NONE, dtype=np.int64)
    team = np.full(prep.n, _NONE, dtype=np.int64)
    ch = prep.changes
    sel = np.flatnonzero(ch.at < when)
    last = sel[_last_of_runs(ch.pos[sel])]
    has[ch.pos[last]] = True
    rep[ch.pos[last]] = ch.rep[last]
    team[ch.pos[last]] = ch.team[last]
    own = prep.own
    rows = _owner_rows(own, when)
    users, units = _team_on_day(prep.mem, day)
    owner = own.owner[rows]
    member_team = _lookup(users, units, owner, _NONE)
    has[own.pos[rows]] = True
    rep[own.pos[rows]] = owner
    team[own.pos[rows]] = np.where(member_team != _NONE, member_team, own.team[rows])
    return has, rep, team


# --------------------------------------------------------------------------- scope mapping


class _KeyMap:
    """Sorted (key, skey) pairs with, for moderate ids, a dense key -> (first, count) table."""

    def __init__(self, keys: np.ndarray, skeys: np.ndarray):
        self.keys, self.skeys = keys, skeys
        self.dense = bool(len(keys)) and int(keys.max()) < _DENSE_LIMIT
        if self.dense:
            size = int(keys.max()) + 2  # the last slot answers every id out of range
            self.count = np.bincount(keys, minlength=size)[:size].astype(np.int64)
            self.first = np.concatenate([[0], np.cumsum(self.count)[:-1]]).astype(np.int64)

    def ranges(self, query: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(first index into keys, number of equal keys) for each query value."""
        if not len(self.keys):
            zero = np.zeros(len(query), dtype=np.int64)
            return zero, zero
        if self.dense:
            slot = np.where((query >= 0) & (query < len(self.count) - 1), query, -1)
            return self.first[slot], self.count[slot]
        lo = np.searchsorted(self.keys, query, side="left")
        return lo, np.searchsorted(self.keys, query, side="right") - lo


def _expand(km: _KeyMap, query: np.ndarray) -> tuple[np.ndarray, ...]:
    """For each query row, one output per equal key: (row index, skey)."""
    lo, count = km.ranges(query)
    rows = np.repeat(np.arange(len(query)), count)
    offsets = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    return rows, km.skeys[np.repeat(lo, count) + offsets]


class _Scopes:
    """Maps fact rows (rep, team) to scope positions ("skey") with sorted-array lookups."""

    def __init__(self, scopes: Sequence[Scope]):
        self.scopes = list(scopes)
        self.n = len(self.scopes)
        rep_pairs: list[tuple[int, int]] = []
        team_pairs: list[tuple[int, int]] = []
        for i, s in enumerate(self.scopes):
            if s.kind == "rep":
                rep_pairs.append((int(s.id), i))  # type: ignore[arg-type]
            elif s.kind == "team":
                team_pairs.append((int(s.id), i))  # type: ignore[arg-type]
            else:
                team_pairs.extend((int(t), i) for t in s.team_ids)
        self.maps = []
        for pairs in (rep_pairs, team_pairs):
            arr = np.array(sorted(pairs), dtype=np.int64).reshape(-1, 2)
            self.maps.append(_KeyMap(arr[:, 0].copy(), arr[:, 1].copy()))

    def expand(self, rep: np.ndarray, team: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(row index into the facts, skey) for every scope each fact row belongs to."""
        rows_r, sk_r = _expand(self.maps[0], rep)
        rows_t, sk_t = _expand(self.maps[1], team)
        return np.concatenate([rows_r, rows_t]), np.concatenate([sk_r, sk_t])

    def size(self, sk: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
        if mask is not None:
            sk = sk[mask]
        return np.bincount(sk, minlength=self.n)[: self.n].astype(np.int64)

    def total(
        self, sk: np.ndarray, values: np.ndarray, mask: np.ndarray | None = None
    ) -> np.ndarray:
        if mask is not None:
            sk, values = sk[mask], values[mask]
        out = np.zeros(self.n, dtype=np.int64)
        np.add.at(out, sk, values)
        return out

    def distinct(
        self, sk: np.ndarray, pos: np.ndarray, n_customers: int, mask: np.ndarray | None = None
    ) -> np.ndarray:
        """Number of distinct customers per scope."""
        if mask is not None:
            sk, pos = sk[mask], pos[mask]
        keys = _sorted_unique(sk * max(n_customers, 1) + pos)
        return self.size(keys // max(n_customers, 1))


# --------------------------------------------------------------------------- one period


def _bands(bands: Sequence[tuple[str, Any]]) -> tuple[list[str], np.ndarray]:
    if not bands:
        raise ValueError("At least one revenue band is needed")
    labels = [str(label) for label, _low in bands]
    lows = np.array([int(round(Decimal(str(low)) * 100)) for _label, low in bands], dtype=np.int64)
    if np.any(np.diff(lows) <= 0) or len(set(labels)) != len(labels):
        raise ValueError("Revenue bands need distinct labels and ascending lower bounds")
    return labels, lows


_ORDER_COMMON = (
    *(f"funnel_{s}" for s in FUNNEL_STAGES),
    "funnel_lost",
    "target_customers",
    "open_targets_at_start",
    "new_targets",
    "target_growth_rate",
    "intents",
    "intent_rate",
    "intent_pool",
    "deals",
    "close_rate",
    "visits",
    "customers_visited",
    "target_customer_visits",
    "target_customers_visited",
    "effective_customers",
    "effective_activity_rate",
)
_ORDER_WEEK = (*_ORDER_COMMON, "weekly_intent_rate", "sales_revenue", "new_sales_revenue")
_ORDER_MONTH = (
    *_ORDER_COMMON,
    "sales_revenue",
    "new_sales_revenue",
    "total_revenue",
    "new_revenue",
    "retained_revenue",
    "received",
    "collection_rate",
    "arpu",
    "zero_usage_share",
    "in_arrears_share",
)


def metric_names(
    kind: str, revenue_bands: Sequence[tuple[str, Any]] = DEFAULT_REVENUE_BANDS
) -> list[str]:
    """The fixed metric names of a 'month' or 'week' period, in output order.

    Besides these, months have one ``industry_share:<industry>`` and ``product_share:<product>``
    per industry and product present in the scope.
    """
    base = list(_ORDER_MONTH if kind == "month" else _ORDER_WEEK)
    if kind == "month":
        base += [f"revenue_band_share:{label}" for label, _low in revenue_bands]
    base += [f"{m}_completion" for m in TARGETABLE_METRICS if m in base]
    return base


def _compute_period(
    prep: _Prepared,
    period: Period,
    sm: _Scopes,
    new_revenue_months: int,
    bands: tuple[list[str], np.ndarray],
) -> list[dict[str, MetricValue]]:
    n, N, tz, reach = sm.n, prep.n, prep.tz, prep.reach
    start, end = _instant(period.start, tz), _instant(period.end, tz)
    first_day, end_day = _day(period.start), _day(period.end)
    is_month = period.kind == "month"
    counts: dict[str, np.ndarray] = {}
    rates: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    money: dict[str, np.ndarray] = {}

    reached_in = {s: (reach.at[s] >= start) & (reach.at[s] < end) for s in REACH_STAGES}
    reached_before = {s: reach.at[s] < start for s in REACH_STAGES}

    def events(stage: str) -> tuple[np.ndarray, ...]:
        p = np.flatnonzero(reached_in[stage])
        return p, reach.rep[stage][p], reach.team[stage][p]

    # Events: customers that reached a stage in the period, attributed to the change's row.
    for stage, name in (("target", "new_targets"), ("intent", "intents"), ("deal", "deals")):
        _p, rep, team = events(stage)
        counts[name] = sm.size(sm.expand(rep, team)[1])

    # Pools (DOMAIN.md section 9): open at the start (owner then), reached or re-opened in P.
    lost_start = prep.events.lost_mask(start, N)
    has_s, rep_s, team_s = _attribution(prep, start, first_day)
    ev = prep.events
    re_sel = np.flatnonzero((ev.reopen_at >= start) & (ev.reopen_at < end))

    def pool(stage: str, nxt: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        open_now = reached_before[stage] & ~reached_before[nxt] & ~lost_start & has_s
        p1 = np.flatnonzero(open_now)
        p2, rep2, team2 = events(stage)
        rp, rat = ev.reopen_pos[re_sel], ev.reopen_at[re_sel]
        back = (reach.at[stage][rp] <= rat) & ~(reach.at[nxt][rp] < rat)
        pos = np.concatenate([p1, p2, rp[back]])
        rep = np.concatenate([rep_s[p1], rep2, ev.reopen_rep[re_sel][back]])
        team = np.concatenate([team_s[p1], team2, ev.reopen_team[re_sel][back]])
        first = _first_occurrences(pos)
        pos, rep, team = pos[first], rep[first], team[first]
        rows, sk = sm.expand(rep, team)
        hits = reached_in[nxt][pos[rows]]
        return sm.size(sk), sm.size(sk, hits), sm.size(sm.expand(rep_s[p1], team_s[p1])[1])

    t_pool, t_hits, t_open = pool("target", "intent")
    i_pool, i_hits, _i_open = pool("intent", "deal")

    # Funnel: the scope's customers at the period's last moment, by stage reached by then.
    has_e, rep_e, team_e = _attribution(prep, end - _NS_PER_US, end_day - 1)
    population = np.flatnonzero(has_e & (reach.lead < end))
    level = np.zeros(len(population), dtype=np.int64)
    for stage in REACH_STAGES:
        level += reach.at[stage][population] < end
    rows, sk = sm.expand(rep_e[population], team_e[population])
    hist = np.bincount(sk * 5 + level[rows], minlength=n * 5)[: n * 5].reshape(n, 5)
    at_least = hist[:, ::-1].cumsum(axis=1)[:, ::-1]
    for k, stage in enumerate(FUNNEL_STAGES):
        counts[f"funnel_{stage}"] = at_least[:, k]
    lost_end = prep.events.lost_mask(end, N)
    counts["funnel_lost"] = sm.size(sk, lost_end[population][rows])

    counts["target_customers"] = t_pool
    counts["open_targets_at_start"] = t_open
    rates["target_growth_rate"] = (counts["new_targets"], t_open)
    rates["intent_rate"] = (t_hits, t_pool)
    counts["intent_pool"] = i_pool
    rates["close_rate"] = (i_hits, i_pool)

    # Visits, attributed to the visit's rep and team.
    vis = prep.visits
    vm = np.flatnonzero((vis.at >= start) & (vis.at < end))
    rows, sk = sm.expand(vis.rep[vm], vis.team[vm])
    vi = vm[rows]
    vpos, targeted = vis.pos[vi], vis.target[vi]
    counts["visits"] = sm.size(sk)
    counts["target_customer_visits"] = sm.size(sk, targeted)
    visited = sm.distinct(sk, vpos, N)
    effective = sm.distinct(sk, vpos, N, vis.effective[vi])
    target_visited = sm.distinct(sk, vpos, N, targeted)
    target_visited_intent = sm.distinct(sk, vpos, N, targeted & reached_in["intent"][vpos])
    counts["customers_visited"] = visited
    counts["target_customers_visited"] = target_visited
    counts["effective_customers"] = effective
    rates["effective_activity_rate"] = (effective, visited)
    rates["weekly_intent_rate"] = (target_visited_intent, target_visited)

    # Contracts: sales revenue of the period.
    con = prep.contracts
    cm = np.flatnonzero((con.day >= first_day) & (con.day < end_day))
    rows, sk = sm.expand(con.rep[cm], con.team[cm])
    ci = cm[rows]
    money["sales_revenue"] = sm.total(sk, con.value[ci])
    money["new_sales_revenue"] = sm.total(sk, con.value[ci], reached_in["deal"][con.pos[ci]])

    shares: dict[str, tuple[np.ndarray, np.ndarray, list[str]]] = {}
    arpu = (np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64), False)
    if is_month:
        month = period.start.year * 12 + period.start.month - 1
        rev = prep.revenue
        rm = np.flatnonzero(rev.month == month)
        rpos = rev.pos[rm]
        since_deal = month - prep.deal_month[rpos]
        auto_new = (since_deal >= 0) & (since_deal < new_revenue_months)
        kind = rev.kind[rm]
        is_new = (kind == _KIND_NEW) | ((kind == _KIND_AUTO) & auto_new)
        billed_c = np.zeros(N, dtype=np.int64)
        received_c = np.zeros(N, dtype=np.int64)
        np.add.at(billed_c, rpos, rev.billed[rm])
        np.add.at(received_c, rpos, rev.received[rm])
        has_billing = np.zeros(N, dtype=bool)
        has_billing[rpos] = True

        kept = np.flatnonzero(has_e[rpos])
        rows, sk = sm.expand(rep_e[rpos[kept]], team_e[rpos[kept]])
        ri = rm[kept][rows]
        money["total_revenue"] = sm.total(sk, rev.billed[ri])
        money["new_revenue"] = sm.total(sk, rev.billed[ri], is_new[kept][rows])
        money["retained_revenue"] = money["total_revenue"] - money["new_revenue"]
        money["received"] = sm.total(sk, rev.received[ri])
        rates["collection_rate"] = (money["received"], money["total_revenue"])
        n_products = max(len(rev.products), 1)
        product_sums = np.zeros(n * n_products, dtype=np.int64)
        np.add.at(product_sums, sk * n_products + rev.product[ri], rev.billed[ri])
        product_present = np.zeros(n * n_products, dtype=bool)
        product_present[sk * n_products + rev.product[ri]] = True
        shares["product_share"] = (
            product_sums.reshape(n, n_products),
            product_present.reshape(n, n_products),
            rev.products,
        )

        # Lagged ARPU: deals of the previous month (attributed to the deal), billing of M.
        prev_start = _instant(period.previous().start, tz)
        dp = np.flatnonzero((reach.at["deal"] >= prev_start) & (reach.at["deal"] < start))
        rows, sk = sm.expand(reach.rep["deal"][dp], reach.team["deal"][dp])
        arpu = (sm.total(sk, billed_c[dp][rows]), sm.size(sk), month in prep.billing_months)

        # Composite KPIs over the scope's billing customers.
        dealt = (reach.at["deal"] < end) & ~lost_end
        members = np.flatnonzero(has_e & (dealt | has_billing))
        rows, sk = sm.expand(rep_e[members], team_e[members])
        pm = members[rows]
        base = sm.size(sk)
        rates["zero_usage_share"] = (sm.size(sk, billed_c[pm] == 0), base)
        rates["in_arrears_share"] = (sm.size(sk, billed_c[pm] > received_c[pm]), base)
        labels, lows = bands
        band = np.clip(np.searchsorted(lows, billed_c[pm], side="right") - 1, 0, len(labels) - 1)
        by_band = np.bincount(sk * len(labels) + band, minlength=n * len(labels))
        shares["revenue_band_share"] = (
            by_band[: n * len(labels)].reshape(n, len(labels)),
            np.ones((n, len(labels)), dtype=bool),
            labels,
        )
        k = len(prep.industries)
        by_industry = np.bincount(sk * k + prep.industry[pm], minlength=n * k)[: n * k]
        shares["industry_share"] = (
            by_industry.reshape(n, k),
            by_industry.reshape(n, k) > 0,
            prep.industries,
        )
        counts["_share_base"] = base

    return _assemble(prep, period, sm, counts, rates, money, arpu, shares)


def _assemble(
    prep: _Prepared,
    period: Period,
    sm: _Scopes,
    counts: dict[str, np.ndarray],
    rates: dict[str, tuple[np.ndarray, np.ndarray]],
    money: dict[str, np.ndarray],
    arpu: tuple[np.ndarray, np.ndarray, bool],
    shares: dict[str, tuple[np.ndarray, np.ndarray, list[str]]],
) -> list[dict[str, MetricValue]]:
    """Per-scope dicts of MetricValues, in the fixed metric order."""
    is_month = period.kind == "month"
    order = _ORDER_MONTH if is_month else _ORDER_WEEK
    counts_l = {k: v.tolist() for k, v in counts.items()}
    money_l = {k: v.tolist() for k, v in money.items()}
    rates_l = {k: (a.tolist(), b.tolist()) for k, (a, b) in rates.items()}
    arpu_sum, arpu_n = arpu[0].tolist(), arpu[1].tolist()
    period_key = period.key
    has_targets = any(key[2] == period_key for key in prep.targets)
    results: list[dict[str, MetricValue]] = []
    for i in range(sm.n):
        out: dict[str, MetricValue] = {}
        for name in order:
            if name in counts_l:
                out[name] = MetricValue(counts_l[name][i])
            elif name in money_l:
                out[name] = MetricValue(_money(money_l[name][i]))
            elif name == "collection_rate":
                out[name] = _money_rate(rates_l[name][0][i], rates_l[name][1][i])
            elif name == "arpu":
                out[name] = _arpu(arpu_sum[i], arpu_n[i], arpu[2])
            else:
                out[name] = _rate(rates_l[name][0][i], rates_l[name][1][i])
        if is_month:
            base = counts_l["_share_base"][i]
            for prefix in ("revenue_band_share", "industry_share"):
                nums, present, labels = shares[prefix]
                for j in np.flatnonzero(present[i]):
                    out[f"{prefix}:{labels[j]}"] = _rate(int(nums[i, j]), base)
            nums, present, labels = shares["product_share"]
            total = money_l["total_revenue"][i]
            for j in np.flatnonzero(present[i]):
                out[f"product_share:{labels[j]}"] = _money_rate(int(nums[i, j]), total)
        if is_month and not arpu[2]:
            _mark_billing_pending(out)
        _add_completion(out, prep.targets if has_targets else {}, sm.scopes[i], period_key)
        results.append(out)
    return results


#: Month metrics read from billing records: until the month's billing is in (a revenue
#: import for it completed, or an admin closed it) they are *pending*, not 0, as DOMAIN.md
#: section 9 says of lagged ARPU; a month without billing data has no revenue figure yet.
BILLING_METRICS = frozenset(
    {
        "total_revenue",
        "new_revenue",
        "retained_revenue",
        "received",
        "collection_rate",
        "zero_usage_share",
        "in_arrears_share",
    }
)
_BILLING_PREFIXES = ("revenue_band_share:", "product_share:")


def _mark_billing_pending(out: dict[str, MetricValue]) -> None:
    """Replace the billing-based values of a month whose billing is not in by 'pending'."""
    for name in list(out):
        if name in BILLING_METRICS or name.startswith(_BILLING_PREFIXES):
            out[name] = MetricValue(None, None, None, "pending")


def _arpu(billed_cents: int, customers: int, billing_in: bool) -> MetricValue:
    """DOMAIN.md section 9: lagged ARPU, pending until the month's billing is in."""
    if customers == 0:
        return MetricValue(None, None, 0, "no_data")
    if not billing_in:
        return MetricValue(None, None, int(customers), "pending")
    total = _money(billed_cents)
    value = (total / customers).quantize(CENT, rounding=ROUND_HALF_UP)
    return MetricValue(value, total, int(customers))


def _target_for(
    targets: Mapping[tuple[str, int | None, str, str], Decimal],
    scope: Scope,
    period_key: str,
    metric: str,
) -> Decimal | None:
    own = targets.get((scope.kind, scope.id, period_key, metric))
    if own is not None or scope.kind != "branch" or scope.id is not None:
        return own
    # A branch given only by its teams: the sum of the teams' targets (None if none has one).
    found = [
        t
        for t in (targets.get(("team", tid, period_key, metric)) for tid in sorted(scope.team_ids))
        if t is not None
    ]
    return sum(found, Decimal(0)) if found else None


def _add_completion(
    out: dict[str, MetricValue],
    targets: Mapping[tuple[str, int | None, str, str], Decimal],
    scope: Scope,
    period_key: str,
) -> None:
    """<metric>_completion = actual / target (DOMAIN.md section 9); no target -> no value."""
    for metric in TARGETABLE_METRICS:
        if metric not in out:
            continue
        actual = out[metric].value
        if out[metric].status == "pending":
            out[f"{metric}_completion"] = MetricValue(None, None, None, "pending")
            continue
        target = _target_for(targets, scope, period_key, metric) if targets else None
        money = metric in MONEY_METRICS
        if target is None:
            out[f"{metric}_completion"] = MetricValue(None, actual, None, "no_data")
            continue
        if money:
            shown: int | Decimal = target.quantize(CENT)
        else:
            shown = int(target) if target == target.to_integral_value() else target
        if target <= 0:
            out[f"{metric}_completion"] = MetricValue(None, actual, shown, "no_data")
        else:
            ratio = float(Decimal(actual) / target)  # type: ignore[arg-type]
            out[f"{metric}_completion"] = MetricValue(ratio, actual, shown)


# --------------------------------------------------------------------------- entry points


def _tz(tz: dt.tzinfo | str | None) -> dt.tzinfo:
    if tz is None:
        return DEFAULT_TZ
    return ZoneInfo(tz) if isinstance(tz, str) else tz


def compute_many(
    periods: Iterable[Period | str],
    scopes: Iterable[Scope | tuple[Any, ...]],
    data: KpiInput,
    tz: dt.tzinfo | str | None = DEFAULT_TZ,
    new_revenue_months: int = 12,
    revenue_bands: Sequence[tuple[str, Any]] = DEFAULT_REVENUE_BANDS,
) -> dict[tuple[Period, Scope], dict[str, MetricValue]]:
    """Every metric for every (period, scope) pair: {(period, scope): {metric: MetricValue}}.

    The input is normalised once; each period is then computed for all scopes in one
    pass (fact rows are mapped to scopes by sorted-array lookups and aggregated with
    bincount), so the cost grows with the data, not with the number of scopes. Periods may
    be given as '2026-10' / '2026-W43', scopes as tuples (see :func:`as_scope`). Metric
    names and rules: module docstring and DOMAIN.md sections 6 and 9. Raises ValueError for
    a bad period, scope, band list or a negative ``new_revenue_months``.
    """
    zone = _tz(tz)
    if new_revenue_months < 0:
        raise ValueError("new_revenue_months must not be negative")
    period_list = [parse_period(p) for p in periods]
    scope_list = [as_scope(s) for s in scopes]
    bands = _bands(revenue_bands)
    prep = _prepare(data, zone)
    sm = _Scopes(scope_list)
    out: dict[tuple[Period, Scope], dict[str, MetricValue]] = {}
    for period in period_list:
        results = _compute_period(prep, period, sm, new_revenue_months, bands)
        for scope, metrics in zip(scope_list, results, strict=True):
            out[(period, scope)] = metrics
    return out


def compute_scope(
    period: Period | str,
    scope: Scope | tuple[Any, ...],
    data: KpiInput,
    tz: dt.tzinfo | str | None = DEFAULT_TZ,
    new_revenue_months: int = 12,
    revenue_bands: Sequence[tuple[str, Any]] = DEFAULT_REVENUE_BANDS,
) -> dict[str, MetricValue]:
    """Every metric of one scope and period: {metric name: MetricValue}.

    ``new_revenue_months`` is OrgSettings.new_revenue_months. See :func:`compute_many`.
    """
    p, s = parse_period(period), as_scope(scope)
    return compute_many([p], [s], data, tz, new_revenue_months, revenue_bands)[(p, s)]
