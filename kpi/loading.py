"""Read the tables the KPI calculations need into a :class:`kpi.calculations.KpiInput`.

The ORM side of the KPI engine: one query per table, rows straight into pandas frames
(``values_list`` -> ``DataFrame.from_records``), no per-row Python objects. The frames are
limited to the customers that ever belonged to the given teams (ownership or a stage
change) so a single team's figures load only that team's history.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pandas as pd
from django.db import connection
from django.db.models import Q, QuerySet, TextField
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast
from django.utils import timezone

from accounts.calendar import WorkCalendar, calendar_book
from accounts.models import Membership, OrgSettings
from customers.models import (
    BillingMonth,
    Contract,
    Customer,
    Ownership,
    RevenueRecord,
    StageChange,
)
from journals.models import Visit

from .calculations import (
    MONEY_METRICS,
    KpiInput,
    MetricValue,
    Period,
    Scope,
    compute_many,
    iso_week_period,
)
from .models import Target


def _frame(rows: Iterable[tuple[object, ...]], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame.from_records(list(rows), columns=columns)


def customer_ids_for_teams(
    team_ids: Iterable[int],
    rep_ids: Iterable[int] | None = None,
    only: Iterable[int] | None = None,
) -> set[int]:
    """Customers that ever belonged to one of ``team_ids`` (ownership, stage change or the
    customer's team), plus those any of ``rep_ids`` ever owned, moved or visited.

    The reps' own rows matter: a stage change or visit recorded without a team (for example
    after the rep left the team) is still the rep's, and the engine attributes it to the rep
    (docs/domain, section 9, Attribution); a loader that looked only at team columns would
    leave such customers out of the rep's stored figures. ``only`` (customer ids) asks
    about those customers alone. One query (a UNION of six)."""
    teams = list(team_ids)
    reps = list(rep_ids or ())
    parts: list[QuerySet[Any]] = []
    candidates = None if only is None else sorted(set(only))
    if candidates is not None and not candidates:
        return set()

    def ids(qs: QuerySet[Any], field: str = "customer_id") -> QuerySet[Any]:
        if candidates is not None:
            qs = qs.filter(_in_ids(field, candidates))
        return qs.values_list(field)

    if teams:
        parts += [
            ids(Ownership.objects.filter(team_id__in=teams)),
            ids(StageChange.objects.filter(team_id__in=teams)),
            ids(Customer.objects.filter(team_id__in=teams), "id"),
        ]
    if reps:
        parts += [
            ids(Ownership.objects.filter(owner_id__in=reps)),
            ids(StageChange.objects.filter(rep_id__in=reps)),
            ids(Visit.objects.filter(rep_id__in=reps)),
        ]
    # One UNION in the database and a raw fetch of the ids: the six lists of a 50-rep team
    # (~15,000 ids each) cost ten times more through the ORM's row iterator.
    if not parts:
        return set()
    sqls: list[str] = []
    params: list[Any] = []
    for qs in parts:
        sql, p = qs.order_by().query.sql_with_params()
        sqls.append(sql)
        params.extend(p)
    with connection.cursor() as cursor:
        cursor.execute(" UNION ".join(sqls), params)
        return {row[0] for row in cursor.fetchall()}


def targets_frame(
    team_ids: Iterable[int] | None = None, months: Iterable[dt.date] | None = None
) -> pd.DataFrame:
    """Targets as rows (scope_kind, scope_id, period, metric, value).

    Each monthly target gives a month row and, per ISO week overlapping the month, a week
    row: the explicit split in ``Target.weeks`` when given, else the month's value pro
    rata to the week's **work days** inside the month on the work calendar of the target's
    team (a rep's target: the team the rep belonged to as a rep on the month's first day,
    else their first rep team that month; ``accounts/calendar.py``), so a company holiday
    takes its day out of the split (docs/domain, section 4b). Week rows from two months of
    one week are summed. ``months`` (first days of months) limits the rows to the targets
    of those months; a recompute passes the months its periods touch, so its cost does not
    grow with the years of targets on record. Two queries plus the (memoised) calendar.
    """
    rows = Target.objects.all()
    if months is not None:
        rows = rows.filter(month__in=list(months))
    if team_ids is not None:
        teams = list(team_ids)
        reps = Membership.objects.filter(unit_id__in=teams).values_list("user_id", flat=True)
        rows = rows.filter(Q(team_id__in=teams) | Q(rep_id__in=reps))
    targets = list(rows.values_list("rep_id", "team_id", "month", "metric", "value", "weeks"))
    rep_teams = _rep_teams({rep_id for rep_id, *_rest in targets if rep_id})
    book = calendar_book()
    month_rows: list[tuple[str, int, str, str, Decimal]] = []
    week_totals: dict[tuple[str, int, str, str], Decimal] = {}
    week_months: dict[tuple[str, int, str, str], set[dt.date]] = {}
    for rep_id, team_id, month, metric, value, weeks in targets:
        kind, scope_id = ("rep", rep_id) if rep_id else ("team", team_id)
        month_rows.append((kind, scope_id, f"{month:%Y-%m}", metric, value))
        calendar_team = team_id if not rep_id else _team_in_month(rep_teams.get(rep_id, []), month)
        calendar = book.for_team(calendar_team)
        for label, share in _week_shares(month, value, weeks or {}, metric, calendar).items():
            key = (kind, scope_id, label, metric)
            week_totals[key] = week_totals.get(key, Decimal(0)) + share
            week_months.setdefault(key, set()).add(month)
    # A week that straddles two months has a target only when both months have one: a
    # part of a month's target is not the week's target (docs/domain section 9: no target,
    # no value).
    week_rows = [
        (*key, value)
        for key, value in week_totals.items()
        if week_months[key] >= _months_of_week(key[2])
    ]
    return _frame(
        month_rows + [(k, s, p, m, v) for k, s, p, m, v in week_rows],
        ["scope_kind", "scope_id", "period", "metric", "value"],
    )


RepSpan = tuple[int, dt.date, dt.date | None]


def _rep_teams(rep_ids: set[int]) -> dict[int, list[RepSpan]]:
    """Every rep membership of ``rep_ids`` as {user id: [(team id, start, end), ...]} in
    start order. One query (none without reps)."""
    spans: dict[int, list[RepSpan]] = {}
    if not rep_ids:
        return spans
    for user_id, unit_id, start, end in (
        Membership.objects.filter(user_id__in=rep_ids, role=Membership.Role.REP)
        .order_by("start", "pk")
        .values_list("user_id", "unit_id", "start", "end")
    ):
        spans.setdefault(user_id, []).append((unit_id, start, end))
    return spans


def _team_in_month(spans: list[RepSpan], month: dt.date) -> int | None:
    """The team whose calendar splits a rep's target of ``month``: the rep membership active
    on the month's first day, else the first one that starts inside the month, else None
    (the organisation's calendar)."""
    last = _next_month(month) - dt.timedelta(days=1)
    during = [s for s in spans if s[1] <= last and (s[2] is None or s[2] >= month)]
    on_first = [s for s in during if s[1] <= month]
    chosen = on_first[-1] if on_first else (during[0] if during else None)
    return chosen[0] if chosen else None


def _next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _months_of_week(label: str) -> set[dt.date]:
    """First days of the months an ISO week ('2026-W49') has days in."""
    year, week = label.split("-W")
    period = iso_week_period(int(year), int(week))
    last = period.end - dt.timedelta(days=1)
    return {period.start.replace(day=1), last.replace(day=1)}


def _week_shares(
    month: dt.date,
    value: Decimal,
    weeks: dict[str, object],
    metric: str = "",
    calendar: WorkCalendar | None = None,
) -> dict[str, Decimal]:
    """The month's target split into its ISO weeks: the explicit split when given, else pro
    rata to each week's work days inside the month on ``calendar`` (None: the organisation's
    work calendar), rounded by the largest-remainder method to whole units (count targets:
    customers, visits) or to cents (money targets), so the shares always add up to the
    month's value exactly (docs/domain, section 4b). A week without a work day in the month
    gets 0; a month without any work day falls back to calendar days, so its target is
    still shared out."""
    if weeks:
        return {str(label): Decimal(str(v)) for label, v in weeks.items()}
    calendar = calendar or calendar_book().for_team(None)
    next_month = _next_month(month)
    work_days: dict[str, int] = {}
    all_days: dict[str, int] = {}
    day = month
    while day < next_month:
        year, week, _weekday = day.isocalendar()
        period = iso_week_period(year, week)
        first, end = max(period.start, month), min(period.end, next_month)
        label = f"{year}-W{week:02d}"
        all_days[label] = (end - first).days
        work_days[label] = len(calendar.workdays_between(first, end - dt.timedelta(days=1)))
        day = period.end
    unit = Decimal("0.01") if metric in MONEY_METRICS else Decimal(1)
    weights = work_days if sum(work_days.values()) else all_days
    return split_largest_remainder(value, weights, unit)


def split_largest_remainder(
    total: Decimal, weights: dict[str, int], unit: Decimal
) -> dict[str, Decimal]:
    """``total`` shared out in proportion to ``weights`` in multiples of ``unit`` (1 or
    0.01), adding up to ``total`` rounded to ``unit``: each key first gets its share rounded
    down, then the units left over go one each to the keys with the largest remainders (ties:
    the earlier key, in the order given). Example: 10 over 31 days split 7/7/7/7/3 ->
    3, 2, 2, 2, 1 (exact shares 2.26, 2.26, 2.26, 2.26, 0.97). Raises ValueError for
    non-positive total weight or a negative weight."""
    if any(w < 0 for w in weights.values()) or sum(weights.values()) <= 0:
        raise ValueError(f"Bad weights {weights!r}")
    whole = sum(weights.values())
    units = int((Decimal(total) / unit).to_integral_value(rounding="ROUND_HALF_EVEN"))
    base: dict[str, int] = {}
    rest: list[tuple[Fraction, int, str]] = []
    for i, (key, w) in enumerate(weights.items()):
        exact = Fraction(units * w, whole)
        base[key] = exact.numerator // exact.denominator
        rest.append((exact - base[key], -i, key))
    left = units - sum(base.values())
    for _frac, _i, key in sorted(rest, reverse=True)[:left]:
        base[key] += 1
    return {key: n * unit for key, n in base.items()}


def _in_ids(field: str, ids: list[int]) -> Q:
    """``field`` IN ``ids`` with the ids passed as ONE parameter (a JSON array on SQLite, an
    integer array on PostgreSQL): a 50-rep team has ~15,000 customers, and Django would
    otherwise prepare one parameter per id."""
    if connection.vendor == "postgresql":
        sub = RawSQL("SELECT unnest(%s::bigint[])", (ids,))
    else:
        sub = RawSQL("SELECT value FROM json_each(%s)", (json.dumps(ids),))
    return Q(**{f"{field}__in": sub})


def _fetch(
    qs: QuerySet[Any], columns: list[str], instants: Iterable[str] = (), *, skip: bool = False
) -> pd.DataFrame:
    """The rows of ``qs`` (``columns``) as a frame through one raw cursor: no model
    instances and no per-row converters. ``instants`` are datetime columns, parsed in one
    vectorised call to UTC timestamps (SQLite returns naive UTC text, PostgreSQL aware
    datetimes); dates, money and flags stay raw (the engine parses them in bulk). ``skip``
    (the caller knows there are no rows): no query, the same empty frame."""
    if skip:
        frame = pd.DataFrame.from_records([], columns=columns)
        for column in instants:
            frame[column] = pd.to_datetime(frame[column], utc=True, format="ISO8601")
        return frame
    names = list(columns)
    if connection.vendor == "sqlite" and instants:
        # Read SQLite's stored text of each instant: the driver's converters would first
        # build a datetime per value (a third of a 50-rep team's load); pandas parses the
        # whole column in one call below.
        texts = {c: f"text_of_{c}" for c in instants}
        qs = qs.annotate(**{t: Cast(c, output_field=TextField()) for c, t in texts.items()})
        names = [texts.get(c, c) for c in columns]
    sql, params = qs.order_by().values_list(*names).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    frame = pd.DataFrame.from_records(rows, columns=columns)
    for column in instants:
        frame[column] = pd.to_datetime(frame[column], utc=True, format="ISO8601")
    return frame


def load_input(
    *,
    team_ids: Iterable[int] | None = None,
    rep_ids: Iterable[int] | None = None,
    periods: Iterable[Period] | None = None,
    customer_ids: Iterable[int] | None = None,
    memberships: pd.DataFrame | None = None,
) -> KpiInput:
    """Load every table the calculations read, for the customers of ``team_ids`` and of
    ``rep_ids`` (see :func:`customer_ids_for_teams`; ``team_ids`` None: the whole
    organisation). Shapes: see kpi.calculations module docstring. One query per table.

    With ``periods``, visits are loaded only from the local days those periods cover (the
    engine counts a visit only in the period it falls in); stage changes, ownerships,
    revenue and contracts are always whole, as pools and ARPU look back. ``customer_ids``
    (with ``team_ids``) loads those customers instead of the teams' (the incremental
    recompute's, kpi/partials.py); memberships (``memberships`` when the caller read
    them already), billing months and the teams' targets are always whole. No customer
    ids (a recompute without marked customers) reads only those shared tables."""
    customers = Customer.objects.all()
    changes = StageChange.objects.all()
    ownerships = Ownership.objects.all()
    visits = Visit.objects.all()
    revenue = RevenueRecord.objects.all()
    contracts = Contract.objects.all()
    none = False
    if team_ids is not None:
        if customer_ids is None:
            ids = sorted(customer_ids_for_teams(team_ids, rep_ids))
        else:
            ids = sorted(set(customer_ids))
        none = not ids
        customers = customers.filter(_in_ids("id", ids))
        changes = changes.filter(_in_ids("customer_id", ids))
        ownerships = ownerships.filter(_in_ids("customer_id", ids))
        visits = visits.filter(_in_ids("customer_id", ids))
        revenue = revenue.filter(_in_ids("customer_id", ids))
        contracts = contracts.filter(_in_ids("customer_id", ids))
    plist = None if periods is None else list(periods)
    if plist is not None and plist:
        zone = org_zone()
        first = dt.datetime.combine(min(p.start for p in plist), dt.time(), tzinfo=zone)
        last = dt.datetime.combine(max(p.end for p in plist), dt.time(), tzinfo=zone)
        visits = visits.filter(occurred_at__gte=first, occurred_at__lt=last)
    sc_cols = ["id", "customer_id", "from_stage", "to_stage", "at", "rep_id", "team_id"]
    own_cols = ["customer_id", "owner_id", "team_id", "start", "end"]
    mem_cols = ["user_id", "unit_id", "role", "start", "end"]
    visit_cols = [
        "id",
        "customer_id",
        "rep_id",
        "team_id",
        "occurred_at",
        "outcome",
        "next_step",
        "next_step_date",
        "channel",
    ]
    rev_cols = ["customer_id", "month", "billed", "received", "kind", "product"]
    con_cols = ["customer_id", "signed_on", "monthly_value", "rep_id", "team_id"]
    cus_cols = ["id", "industry", "segment", "created_at"]
    return KpiInput(
        stage_changes=_fetch(changes, sc_cols, ["at"], skip=none),
        ownerships=_fetch(ownerships, own_cols, ["start", "end"], skip=none),
        memberships=(
            _frame(Membership.objects.order_by().values_list(*mem_cols), mem_cols)
            if memberships is None
            else memberships
        ),
        visits=_fetch(visits, visit_cols, ["occurred_at"], skip=none),
        revenue=_fetch(revenue, rev_cols, skip=none),
        contracts=_fetch(contracts, con_cols, skip=none),
        billing_months=_frame(BillingMonth.objects.order_by().values_list("month"), ["month"]),
        targets=_targets_of(
            targets_frame(team_ids, None if plist is None else _months_touching(plist)), plist
        ),
        customers=_fetch(customers, cus_cols, ["created_at"], skip=none),
    )


def _months_touching(periods: Iterable[Period]) -> set[dt.date]:
    """First days of every month that any of ``periods`` (end exclusive) has a day in."""
    months: set[dt.date] = set()
    for period in periods:
        month = period.start.replace(day=1)
        while month < period.end:
            months.add(month)
            month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


def _targets_of(frame: pd.DataFrame, periods: Iterable[Period] | None) -> pd.DataFrame:
    """The target rows of ``periods`` only (all rows without periods): the engine looks a
    target up by its period key, and the rows of other months and weeks cost more to
    prepare than the figures themselves (the demo's two years of targets: 0.7 s)."""
    if periods is None or frame.empty or "period" not in frame:
        return frame
    keys = {p.key for p in periods}
    return frame[frame["period"].isin(keys)].reset_index(drop=True)


def org_zone() -> dt.tzinfo:
    """The organisation's time zone (``settings.TIME_ZONE``): every KPI date boundary is
    local midnight there (docs/domain, section 9, Periods)."""
    return timezone.get_default_timezone()


def compute_org(
    periods: Iterable[Period | str], scopes: Iterable[Scope], data: KpiInput
) -> dict[tuple[Period, Scope], dict[str, MetricValue]]:
    """The engine (:func:`kpi.calculations.compute_many`) with the organisation's zone and
    settings (``OrgSettings.new_revenue_months``): the one place the ORM side calls it, used
    by the snapshot writer (``kpi.snapshots``) and the read seam for pages (``kpi.figures``).
    Returns ``{(period, scope): {metric: MetricValue}}``. Raises ValueError as the engine."""
    return compute_many(
        periods,
        scopes,
        data,
        tz=org_zone(),
        new_revenue_months=OrgSettings.load().new_revenue_months,
    )
