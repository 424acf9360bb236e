"""The engine's figures as sums over customers, per customer bucket (pure, no ORM).

Every KPI is assembled from sums over customers: counts, money in cents, the numerators and
denominators of the rates, the ARPU customers and their billing, the share counts (the
engine's ``PeriodParts``, ``kpi/calculations/engine.py``). Customers are independent in
those sums (a customer's reach times, owner, pools, visits, contracts and billing are its
own; memberships, targets and billing months are shared), so the parts computed over
disjoint sets of customers add up, key by key, to the parts of their union. The incremental
recompute (``kpi/partials.py``; docs/architecture.md, "Incremental recompute") keeps the
parts of each customer *bucket* (``customer_id % buckets``) and, after a change, recomputes
only the bucket of the changed customer and re-sums.

A :data:`Flat` maps a key to an int64 array with one value per scope (in the order of the
scopes given): ``c|name`` counts, ``m|name`` money cents, ``rn|name`` / ``rd|name`` a
rate's numerator and denominator, ``as|arpu`` / ``an|arpu`` the lagged-ARPU billing (cents)
and customers, ``s|family|label`` / ``p|family|label`` a share's count (or cents) and
whether the scope has rows of that label. Keys missing from a Flat are zeros.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Iterable, Sequence
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd

from kpi.calculations.assembly import _assemble
from kpi.calculations.constants import DEFAULT_REVENUE_BANDS
from kpi.calculations.engine import PeriodParts, _period_parts
from kpi.calculations.normalise import _NEVER, _NONE, _col, _days, _frame, _ids, _tz
from kpi.calculations.periods import Period, Scope, as_scope, parse_period
from kpi.calculations.prepare import _bands, _norm_targets, _prepare, _Scopes
from kpi.calculations.values import KpiInput, MetricValue, no_targets

Flat = dict[str, np.ndarray]

#: The frames of a KpiInput that hold one customer's rows (split by bucket); the others
#: (memberships, billing months, targets) are shared by every bucket.
CUSTOMER_FRAMES = ("stage_changes", "ownerships", "visits", "revenue", "contracts", "customers")


def compute_sums(
    periods: Iterable[Period | str],
    scopes: Iterable[Scope | tuple[Any, ...]],
    data: KpiInput,
    *,
    tz: dt.tzinfo | str,
    new_revenue_months: int = 12,
    revenue_bands: Sequence[tuple[str, Any]] = DEFAULT_REVENUE_BANDS,
) -> dict[Period, Flat]:
    """The sums behind every metric of each period for ``scopes`` (in that order), over the
    customers in ``data``: {period: Flat}. Same arguments and errors as
    :func:`kpi.calculations.compute_many`; :func:`assemble_sums` turns a Flat (or the sum of
    several, :func:`add_sums`) into the MetricValues ``compute_many`` gives."""
    zone = _tz(tz)
    if new_revenue_months < 0:
        raise ValueError("new_revenue_months must not be negative")
    period_list = [parse_period(p) for p in periods]
    sm = _Scopes([as_scope(s) for s in scopes])
    bands = _bands(revenue_bands)
    # Targets enter only the assembly (completion): the sums never read them.
    prep = _prepare(dataclasses.replace(data, targets=no_targets()), zone)
    return {
        period: _flatten(_period_parts(prep, period, sm, new_revenue_months, bands))
        for period in period_list
    }


def _int64(key: str, values: Any) -> np.ndarray:
    arr = np.asarray(values)
    if arr.dtype.kind not in "iub":
        raise TypeError(f"KPI sum {key!r} is not an integer array ({arr.dtype})")
    return arr.astype(np.int64)


def _flatten(parts: PeriodParts) -> Flat:
    counts, rates, money, arpu, shares = parts
    flat: Flat = {}
    for name, v in counts.items():
        flat[f"c|{name}"] = _int64(name, v)
    for name, v in money.items():
        flat[f"m|{name}"] = _int64(name, v)
    for name, (num, den) in rates.items():
        flat[f"rn|{name}"] = _int64(name, num)
        flat[f"rd|{name}"] = _int64(name, den)
    flat["as|arpu"] = _int64("arpu", arpu[0])
    flat["an|arpu"] = _int64("arpu", arpu[1])
    for family, (nums, present, labels) in shares.items():
        for j, label in enumerate(labels):
            flat[f"s|{family}|{label}"] = _int64(family, nums[:, j])
            flat[f"p|{family}|{label}"] = _int64(family, present[:, j])
    return flat


def add_sums(flats: Iterable[Flat]) -> Flat:
    """Key-by-key sum of Flats over the same scopes (a key missing from one counts 0)."""
    out: Flat = {}
    for flat in flats:
        for key, values in flat.items():
            out[key] = out[key] + values if key in out else values.copy()
    return out


def split_by_bucket(data: KpiInput, buckets: int) -> dict[int, KpiInput]:
    """``data`` split into {bucket: KpiInput} by ``customer_id % buckets`` (the customers
    frame by ``id``); memberships, billing months and targets go to every bucket. Buckets
    without a customer row are left out. Raises ValueError for fewer than one bucket."""
    if buckets < 1:
        raise ValueError("buckets must be at least 1")
    keys: dict[str, np.ndarray] = {}
    present: set[int] = set()
    for name in CUSTOMER_FRAMES:
        frame = getattr(data, name)
        column = "id" if name == "customers" else "customer_id"
        ids = pd.to_numeric(frame[column], errors="coerce").fillna(-1).astype(np.int64)
        keys[name] = np.where(ids >= 0, ids.to_numpy() % buckets, -1)
        present.update(int(b) for b in np.unique(keys[name]) if b >= 0)
    out: dict[int, KpiInput] = {}
    for bucket in sorted(present):
        part = {
            name: getattr(data, name)[keys[name] == bucket].reset_index(drop=True)
            for name in CUSTOMER_FRAMES
        }
        out[bucket] = KpiInput(
            memberships=data.memberships,
            billing_months=data.billing_months,
            targets=data.targets,
            **part,
        )
    return out


#: The id columns of each frame that name a person or a unit: renamed per bucket by
#: :func:`compute_bucket_sums` (customer ids stay as they are).
_PEOPLE_COLUMNS = {
    "stage_changes": ("rep_id", "team_id"),
    "ownerships": ("owner_id", "team_id"),
    "visits": ("rep_id", "team_id"),
    "contracts": ("rep_id", "team_id"),
    "memberships": ("user_id", "unit_id"),
}


def _tagged(frame: pd.DataFrame, columns: Iterable[str], tag: Any, buckets: int) -> pd.DataFrame:
    """``frame`` with each id of ``columns`` (>= 0) renamed ``id * buckets + tag``; missing
    ids stay missing (-1)."""
    out = frame.copy()
    for column in columns:
        if column in out.columns:
            ids = _ids(out[column])
            out[column] = np.where(ids >= 0, ids * buckets + tag, _NONE).astype(np.int64)
    return out


def _tagged_scope(scope: Scope, bucket: int, buckets: int) -> Scope:
    if scope.kind == "branch":
        return Scope.branch([t * buckets + bucket for t in scope.team_ids])
    return Scope(scope.kind, int(scope.id or 0) * buckets + bucket)


def compute_bucket_sums(
    periods: Iterable[Period | str],
    scopes: Iterable[Scope | tuple[Any, ...]],
    data: KpiInput,
    buckets: int,
    *,
    tz: dt.tzinfo | str,
    new_revenue_months: int = 12,
    revenue_bands: Sequence[tuple[str, Any]] = DEFAULT_REVENUE_BANDS,
) -> dict[int, dict[Period, Flat]]:
    """The sums of :func:`compute_sums` for every customer bucket (``customer_id %
    buckets``) in ONE engine pass: {bucket: {period: Flat}}, equal key by key to
    ``compute_sums`` over each part of :func:`split_by_bucket` (a key missing on one side
    counts 0; buckets without a customer row are left out, as there).

    How: the buckets become disjoint copies of the organisation. Every person and unit id of
    a customer's rows is renamed ``id * buckets + bucket`` (its customer's bucket), the
    memberships are repeated once per bucket with their ids renamed the same way, and each
    scope is asked once per bucket under the renamed ids; customers are independent in
    every sum (docs/architecture.md, "Incremental recompute"), so the engine counts each
    bucket's customers for that bucket's copy of the scopes only. Rows without a customer
    id are left out (as by ``split_by_bucket``). Errors as :func:`compute_sums`; ValueError
    for fewer than one bucket."""
    if buckets < 1:
        raise ValueError("buckets must be at least 1")
    scope_list = [as_scope(s) for s in scopes]
    n = len(scope_list)
    frames: dict[str, pd.DataFrame] = {}
    present: set[int] = set()
    for name in CUSTOMER_FRAMES:
        frame = getattr(data, name)
        ids = _ids(frame["id" if name == "customers" else "customer_id"])
        keep = ids >= 0
        tag = ids[keep] % buckets
        present.update(int(b) for b in np.unique(tag))
        frames[name] = _tagged(
            frame[keep].reset_index(drop=True), _PEOPLE_COLUMNS.get(name, ()), tag, buckets
        )
    memberships = pd.concat(
        [
            _tagged(data.memberships, _PEOPLE_COLUMNS["memberships"], b, buckets)
            for b in range(buckets)
        ],
        ignore_index=True,
    )
    tagged_scopes = [_tagged_scope(s, b, buckets) for b in range(buckets) for s in scope_list]
    combined = KpiInput(
        memberships=memberships,
        billing_months=data.billing_months,
        targets=no_targets(),
        **frames,
    )
    sums = compute_sums(
        periods,
        tagged_scopes,
        combined,
        tz=tz,
        new_revenue_months=new_revenue_months,
        revenue_bands=revenue_bands,
    )
    return {
        b: {p: {key: v[b * n : (b + 1) * n] for key, v in flat.items()} for p, flat in sums.items()}
        for b in sorted(present)
    }


@functools.cache
def _fixed_keys(kind: str) -> tuple[str, ...]:
    """The keys every Flat of a period ``kind`` ('month' or 'week') has, even over no
    customer (the engine's sums of an empty input)."""
    period = parse_period("2026-01" if kind == "month" else "2026-W02")
    flat = compute_sums([period], [Scope.team(0)], KpiInput(), tz=dt.UTC)[period]
    return tuple(key for key in flat if not key.startswith(("s|", "p|")))


def _billing_month_indices(billing_months: pd.DataFrame) -> frozenset[int]:
    """Months (year * 12 + month - 1) whose billing is in, as ``_prepare`` reads them."""
    days = _days(_col(_frame(billing_months), "month"), _NEVER)
    months = pd.to_datetime(days[days != _NEVER], unit="D")
    return frozenset(int(x) for x in (months.year * 12 + months.month - 1))


def assemble_sums(
    period: Period | str,
    scopes: Sequence[Scope | tuple[Any, ...]],
    flat: Flat,
    *,
    targets: pd.DataFrame,
    billing_months: pd.DataFrame,
    revenue_bands: Sequence[tuple[str, Any]] = DEFAULT_REVENUE_BANDS,
) -> list[dict[str, MetricValue]]:
    """The MetricValues of ``period`` for each of ``scopes`` (the scopes ``flat`` was computed
    for, same order) from their sums: exactly what :func:`kpi.calculations.compute_many`
    gives for the customers the sums cover (pending billing, ARPU rounding, completion
    against ``targets``: the engine's own assembly, ``kpi/calculations/assembly.py``).
    ``targets`` and ``billing_months`` are the KpiInput frames of those names."""
    p = parse_period(period)
    sm = _Scopes([as_scope(s) for s in scopes])
    n = sm.n
    zeros = np.zeros(n, dtype=np.int64)
    # Sums over no customer at all (a unit without customers) are zeros, not missing.
    flat = {**{key: zeros for key in _fixed_keys(p.kind)}, **flat}
    counts: dict[str, np.ndarray] = {}
    money: dict[str, np.ndarray] = {}
    rates: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    labels: dict[str, list[str]] = {}
    for key, values in flat.items():
        kind, _sep, name = key.partition("|")
        if kind == "c":
            counts[name] = values
        elif kind == "m":
            money[name] = values
        elif kind == "rn":
            rates[name] = (values, flat.get(f"rd|{name}", zeros))
        elif kind == "s":
            family, _sep, label = name.partition("|")
            labels.setdefault(family, []).append(label)
    month = p.start.year * 12 + p.start.month - 1
    billing_in = p.kind == "month" and month in _billing_month_indices(billing_months)
    arpu = (flat.get("as|arpu", zeros), flat.get("an|arpu", zeros), billing_in)
    band_order = [label for label, _low in revenue_bands]
    shares: dict[str, tuple[np.ndarray, np.ndarray, list[str]]] = {}
    if p.kind == "month":  # every family exists for a month, even without a label
        for family in ("revenue_band_share", "industry_share", "product_share"):
            labels.setdefault(family, [])
            shares[family] = (np.zeros((n, 0), np.int64), np.zeros((n, 0), bool), [])
    for family, found in labels.items():
        if not found:
            continue
        ordered = (
            [b for b in band_order if b in found]
            if family == "revenue_band_share"
            else sorted(found)
        )
        nums = np.stack([flat[f"s|{family}|{lb}"] for lb in ordered], axis=1)
        has = np.stack([flat.get(f"p|{family}|{lb}", zeros) > 0 for lb in ordered], axis=1)
        shares[family] = (nums, has, ordered)
    prep = SimpleNamespace(targets=_norm_targets(targets))
    return _assemble(prep, p, sm, counts, rates, money, arpu, shares)  # type: ignore[arg-type]
