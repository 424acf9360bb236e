"""Incremental recompute: a unit's figures re-summed from stored per-bucket sums.

docs/architecture.md, "Incremental recompute". Every figure is assembled from sums over
customers (``kpi/calculations/sums.py``). For each unit (a team, or a branch) and period the
debounced recompute keeps those sums per customer bucket (``customer_id % BUCKETS``): a
:class:`kpi.models.KpiPartial` row (names, totals, customers covered, fingerprint) and one
:class:`kpi.models.KpiPartialBucket` row per bucket. A change marks its customers
(:func:`mark_dirty`, called by ``kpi.services`` with the touch); the next recompute of the
unit loads only the marked buckets' customers, recomputes their sums, updates the totals by
the difference and assembles the figures with the engine's own assembly, writing only the
scopes whose sums changed. The figures are exactly those of a full recompute
(``kpi/tests/test_incremental.py``); anything the per-customer sums do not cover rebuilds
them from the whole history: the first recompute of a (unit, period), a change without a
customer (-1), other scopes or memberships, another time zone or ``new_revenue_months``
(the fingerprint), and a full KPI run (nightly, imports, "Recompute now"), which may
follow writes that marked nothing: it rebuilds the unit's sums while it computes the
figures and keeps them (``rebuild=True``), so the next change is incremental. A rebuild
sums all buckets in one engine pass (``compute_bucket_sums``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from django.db import OperationalError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import Membership, OrgSettings

from .calculations import MetricValue, Period, Scope
from .calculations.sums import Flat, assemble_sums, compute_bucket_sums, compute_sums
from .loading import customer_ids_for_teams, load_input, org_zone
from .models import KpiDirtyCustomer, KpiPartial, KpiPartialBucket, KpiRun, KpiSnapshot
from .snapshots import plan_scopes, store, with_branch_targets

BUCKETS = 16
"""Customer buckets per unit and period: a change reloads about 1/16 of a team's customers
(a 50-rep team: ~950 of 15,000) and the stored sums stay small (16 x scopes x ~100 keys)."""

ATTEMPTS = 3
"""Recompute attempts when another recompute of the same unit keeps writing its sums in
between (then the task's database-error retry takes over)."""

SUMS_VERSION = 1
"""Part of the fingerprint: bump it when the meaning of the stored sums changes (a new rule
in the engine), so every stored partial is rebuilt once instead of being re-summed."""


def bucket_of(customer_id: int) -> int:
    """The bucket of a customer id (``customer_id % BUCKETS``)."""
    return int(customer_id) % BUCKETS


def mark_dirty(
    *, unit_ids: Iterable[int], periods: Iterable[Period], customer_ids: Iterable[int] | None
) -> None:
    """Record that the sums of ``customer_ids`` (None: every customer) of the units for the
    periods are out of date; the units' next recompute takes the marks. Idempotent (one row
    per unit, period and customer)."""
    customers = (
        {KpiDirtyCustomer.ALL}
        if customer_ids is None
        else {int(c) for c in customer_ids if c is not None}
    )
    rows = [
        KpiDirtyCustomer(unit_id=u, period_kind=p.kind, period_start=p.start, customer_id=c)
        for u in set(unit_ids)
        for p in periods
        for c in sorted(customers)
    ]
    if rows:
        KpiDirtyCustomer.objects.bulk_create(rows, ignore_conflicts=True)


KEEP_DAYS = 7
"""Stored sums not used for this many days are deleted by the next full run (the periods
touched long ago: their figures are stored and no change reaches them any more)."""


def drop(*, unit_ids: Iterable[int], periods: Iterable[Period]) -> None:
    """Forget the stored sums of the units for the periods: their next recompute rebuilds
    them. Also deletes every unit's sums unused for :data:`KEEP_DAYS`
    (:func:`forget_unused`)."""
    match = _periods_q(periods)
    if match is not None:
        KpiPartial.objects.filter(match, unit_id__in=list(unit_ids)).delete()
    forget_unused()


def forget_unused() -> None:
    """Delete every unit's stored sums unused for :data:`KEEP_DAYS` (called by each part
    of a full run)."""
    old = timezone.now() - dt.timedelta(days=KEEP_DAYS)
    KpiPartial.objects.filter(updated_at__lt=old).delete()


def _periods_q(periods: Iterable[Period]) -> Q | None:
    match: Q | None = None
    for p in periods:
        one = Q(period_kind=p.kind, period_start=p.start)
        match = one if match is None else match | one
    return match


def _digest(*parts: Any) -> str:
    """sha256 of ``parts``: frames by their values (row order kept: callers read them in a
    fixed order), anything else by its JSON."""
    h = hashlib.sha256()
    for part in parts:
        if isinstance(part, pd.DataFrame):
            h.update(repr(list(part.columns)).encode())
            h.update(repr(part.to_numpy().tolist()).encode())
        else:
            h.update(json.dumps(part, default=str, sort_keys=True).encode())
        h.update(b"\x00")
    return h.hexdigest()


def _pad(array: np.ndarray, rows: int) -> np.ndarray:
    """``array`` (k, scopes) with zero rows appended up to ``rows`` rows."""
    if array.shape[0] >= rows:
        return array
    extra = np.zeros((rows - array.shape[0], array.shape[1]), dtype=np.int64)
    return np.concatenate([array, extra])


class _Sums:
    """One stored partial in memory: the keys, their totals (keys, scopes) and the sums of
    the buckets read or recomputed (bucket -> (keys, scopes))."""

    def __init__(self, keys: list[str], totals: np.ndarray):
        self.keys = keys
        self.index = {k: i for i, k in enumerate(keys)}
        self.totals = totals
        self.buckets: dict[int, np.ndarray] = {}
        self.scopes = totals.shape[1]

    @classmethod
    def empty(cls, scopes: int) -> _Sums:
        return cls([], np.zeros((0, scopes), dtype=np.int64))

    @classmethod
    def load(cls, row: KpiPartial, scopes: int) -> _Sums:
        totals = np.frombuffer(bytes(row.totals), dtype=np.int64)
        return cls(list(row.keys), totals.reshape(len(row.keys), scopes).copy())

    def read_bucket(self, bucket: int, blob: bytes) -> None:
        self.buckets[bucket] = np.frombuffer(bytes(blob), dtype=np.int64).reshape(-1, self.scopes)

    def put(self, bucket: int, flat: Flat | None) -> None:
        """Replace one bucket's sums (None: the bucket has no customers any more) and
        update the totals by the difference."""
        for key in flat or {}:
            if key not in self.index:
                self.index[key] = len(self.keys)
                self.keys.append(key)
        rows = len(self.keys)
        new = np.zeros((rows, self.scopes), dtype=np.int64)
        for key, values in (flat or {}).items():
            new[self.index[key]] = values
        old = _pad(self.buckets.get(bucket, new[:0]), rows)
        self.totals = _pad(self.totals, rows) + new - old
        self.buckets[bucket] = new

    def total(self) -> Flat:
        return {key: self.totals[i] for i, key in enumerate(self.keys)}


def compute_and_store_incremental(
    *,
    unit_id: int,
    periods: Sequence[Period],
    team_ids: list[int],
    kinds: Sequence[str],
    rebuild: bool = False,
    run: KpiRun | None = None,
) -> int:
    """The figures of ``team_ids`` for ``kinds`` (as ``kpi.snapshots.compute_and_store``)
    through the stored sums of ``unit_id``: only the dirty buckets are recomputed (all of
    them when the sums must be rebuilt, see the module docstring), and only the scopes whose
    sums or targets changed are written; the others get the new ``computed_at``. Returns the
    snapshot rows written plus the (scope, period) pairs confirmed unchanged (so 0 only when
    there was nothing to compute). Reads and computes outside any transaction and writes in
    a short one (on SQLite the other writers wait only that long); when another recompute of
    the unit wrote its sums in between, the step is redone (at most :data:`ATTEMPTS` times,
    then OperationalError, which the task retries).

    ``rebuild`` recomputes every bucket from the whole history and writes every scope
    (a full KPI run: it may follow writes that marked nothing, such as an import), and
    keeps the sums so the unit's next change is incremental; ``run`` is stamped on the
    snapshot rows written (``kpi.snapshots.store``)."""
    plist = sorted(set(periods))
    scopes, load_teams = plan_scopes(plist, team_ids, kinds)
    if not scopes:
        return 0
    rep_ids = [int(s.id) for s in scopes if s.kind == "rep" and s.id is not None]
    zone, months = org_zone(), OrgSettings.load().new_revenue_months
    memberships = pd.DataFrame.from_records(
        list(
            Membership.objects.order_by("pk").values_list(
                "user_id", "unit_id", "role", "start", "end"
            )
        ),
        columns=["user_id", "unit_id", "role", "start", "end"],
    )
    fingerprint = _digest(
        SUMS_VERSION,
        BUCKETS,
        [repr(s) for s in scopes],
        load_teams,
        str(zone),
        months,
        memberships,
    )
    for _attempt in range(ATTEMPTS):
        done = _recompute_once(
            unit_id,
            plist,
            scopes,
            load_teams,
            rep_ids,
            memberships,
            fingerprint,
            zone,
            months,
            force=rebuild,
            run=run,
        )
        if done is not None:
            return done
    raise OperationalError(f"KPI unit {unit_id}: its sums kept changing during the recompute")


def _recompute_once(
    unit_id: int,
    plist: list[Period],
    scopes: list[Scope],
    load_teams: list[int] | None,
    rep_ids: list[int],
    memberships: pd.DataFrame,
    fingerprint: str,
    zone: Any,
    months: int,
    *,
    force: bool = False,
    run: KpiRun | None = None,
) -> int | None:
    """One attempt of :func:`compute_and_store_incremental`: read and compute outside any
    transaction, then write in a short one; None when another recompute of the unit wrote
    its sums meanwhile (nothing written)."""
    match = _periods_q(plist)
    rows = {
        (r.period_kind, r.period_start): r
        for r in KpiPartial.objects.filter(match, unit_id=unit_id)
    }
    seen = {r.pk: r.updated_at for r in rows.values()}
    # The marks before the load: the changes they stand for are committed, so the load
    # below sees them; marks written later stay for the next recompute.
    taken = list(
        KpiDirtyCustomer.objects.filter(match, unit_id=unit_id).values_list("pk", "customer_id")
    )
    marked = {c for _pk, c in taken}
    rebuild = (
        force
        or KpiDirtyCustomer.ALL in marked
        or any(
            (p.kind, p.start) not in rows
            or rows[(p.kind, p.start)].fingerprint != fingerprint
            or rows[(p.kind, p.start)].buckets != BUCKETS
            for p in plist
        )
    )
    if rebuild:
        members = np.array(sorted(customer_ids_for_teams(load_teams or [], rep_ids)))
        chosen = set(range(BUCKETS))
    else:
        # The customers of the marked buckets: those on record, and the marked ones the
        # unit's figures now cover (a customer's first stage change by the team).
        stored = [np.frombuffer(bytes(r.members), dtype=np.int64) for r in rows.values()]
        members = np.unique(np.concatenate(stored))
        new = np.setdiff1d(np.array(sorted(marked), dtype=np.int64), members)
        if len(new):
            joined = customer_ids_for_teams(load_teams or [], rep_ids, only=new.tolist())
            members = np.union1d(members, np.array(sorted(joined), dtype=np.int64))
        chosen = {bucket_of(c) for c in marked}
    members = members.astype(np.int64)
    in_chosen = np.isin(members % BUCKETS, sorted(chosen))
    data = load_input(
        team_ids=load_teams,
        rep_ids=rep_ids,
        periods=plist,
        customer_ids=members[in_chosen].tolist(),
        memberships=memberships,
    )
    branches = [s for s in scopes if s.kind == "branch"]
    if branches:
        data.targets = with_branch_targets(data.targets, branches)
    # One marked bucket (the usual change) needs no split: the load is that bucket. Several
    # (a rebuild) are summed in one engine pass, each bucket's customers under its own copy
    # of the scopes (compute_bucket_sums), instead of one pass per bucket.
    if not chosen:  # no customer marked (a submitted journal): no sum to recompute
        fresh: dict[int, dict[Period, Flat]] = {}
    elif len(chosen) == 1:
        fresh = {
            next(iter(chosen)): compute_sums(
                plist, scopes, data, tz=zone, new_revenue_months=months
            )
        }
    else:
        fresh = compute_bucket_sums(
            plist, scopes, data, BUCKETS, tz=zone, new_revenue_months=months
        )
    assembly = _digest(data.targets, data.billing_months)
    results: dict[tuple[Period, Scope], dict[str, MetricValue]] = {}
    unchanged: dict[Period, list[Scope]] = {}
    saves: list[tuple[Period, KpiPartial | None, _Sums]] = []
    stored_buckets: dict[int, list[tuple[int, bytes]]] = {}
    if not rebuild and chosen:
        for partial_id, bucket, blob in KpiPartialBucket.objects.filter(
            partial_id__in=[r.pk for r in rows.values()], bucket__in=sorted(chosen)
        ).values_list("partial_id", "bucket", "sums"):
            stored_buckets.setdefault(partial_id, []).append((bucket, blob))
    for p in plist:
        row = rows.get((p.kind, p.start))
        old = None if rebuild or row is None else _Sums.load(row, len(scopes))
        sums = old or _Sums.empty(len(scopes))
        before = None if old is None else old.total()
        for bucket, blob in stored_buckets.get(row.pk if row else -1, []):
            sums.read_bucket(bucket, blob)
        for bucket in sorted(chosen):
            sums.put(bucket, fresh[bucket][p] if bucket in fresh else None)
        after = sums.total()
        changed = _changed_scopes(before, after, len(scopes))
        if row is None or row.assembly != assembly:
            changed[:] = True
        picked = [scopes[i] for i in np.flatnonzero(changed)]
        if picked:
            values = assemble_sums(
                p,
                picked,
                {key: v[changed] for key, v in after.items()},
                targets=data.targets,
                billing_months=data.billing_months,
            )
            results.update({(p, scope): v for scope, v in zip(picked, values, strict=True)})
        unchanged[p] = [scopes[i] for i in np.flatnonzero(~changed)]
        saves.append((p, row, sums))
    # Only the writes hold the database: another recompute of the unit that wrote its sums
    # since they were read here means these are stale; then the whole step is redone.
    with transaction.atomic():
        now = dict(
            KpiPartial.objects.select_for_update()
            .filter(match, unit_id=unit_id)
            .values_list("pk", "updated_at")
        )
        if now != seen:
            return None
        KpiDirtyCustomer.objects.filter(pk__in=[t[0] for t in taken]).delete()
        for p, row, sums in saves:
            _save(unit_id, p, row, fingerprint, assembly, sums, members)
        written = store(results, run=run) if results else 0
        _touch_unchanged(unchanged)
    # Unchanged scopes count too: the recompute checked them, and the diagnosis it triggers
    # must run even when no figure moved (a submitted journal changes the habits it reads).
    return written + sum(len(v) for v in unchanged.values())


def _changed_scopes(before: Flat | None, after: Flat, n: int) -> np.ndarray:
    """Per scope: does any sum differ between ``before`` and ``after`` (all, without
    ``before``)?"""
    if before is None:
        return np.ones(n, dtype=bool)
    zeros = np.zeros(n, dtype=np.int64)
    changed = np.zeros(n, dtype=bool)
    for key in set(before) | set(after):
        changed |= before.get(key, zeros) != after.get(key, zeros)
    return changed


def _save(
    unit_id: int,
    period: Period,
    row: KpiPartial | None,
    fingerprint: str,
    assembly: str,
    sums: _Sums,
    members: np.ndarray,
) -> None:
    """Write the partial's meta and totals and the sums of the buckets recomputed (all of
    them after a rebuild: the other bucket rows are dropped)."""
    totals = np.ascontiguousarray(sums.totals, dtype=np.int64).tobytes()
    ids = np.ascontiguousarray(members, dtype=np.int64).tobytes()
    if row is None:
        row, _created = KpiPartial.objects.update_or_create(
            unit_id=unit_id,
            period_kind=period.kind,
            period_start=period.start,
            defaults={
                "fingerprint": fingerprint,
                "buckets": BUCKETS,
                "keys": sums.keys,
                "totals": totals,
                "assembly": assembly,
                "members": ids,
            },
        )
        KpiPartialBucket.objects.filter(partial=row).exclude(bucket__in=list(sums.buckets)).delete()
    else:
        fields = ["keys", "totals", "updated_at"]
        row.keys, row.totals = sums.keys, totals
        if row.assembly != assembly:
            row.assembly = assembly
            fields.append("assembly")
        if row.fingerprint != fingerprint or row.buckets != BUCKETS:
            row.fingerprint, row.buckets = fingerprint, BUCKETS
            fields += ["fingerprint", "buckets"]
            # A rebuild of a stale partial: its other buckets' rows are gone with it.
            KpiPartialBucket.objects.filter(partial=row).exclude(
                bucket__in=list(sums.buckets)
            ).delete()
        if bytes(row.members) != ids:
            row.members = ids
            fields.append("members")
        row.save(update_fields=fields)
    KpiPartialBucket.objects.bulk_create(
        [
            KpiPartialBucket(
                partial=row, bucket=b, sums=np.ascontiguousarray(arr, dtype=np.int64).tobytes()
            )
            for b, arr in sorted(sums.buckets.items())
        ],
        update_conflicts=True,
        unique_fields=["partial", "bucket"],
        update_fields=["sums"],
    )


STAMP_METRIC = "funnel_lead"
"""The metric every rep, team and branch has in every period: pages read the time of a
scope's figures as the newest ``computed_at`` of its rows (``kpi.figures.as_of``), so an
unchanged scope's recheck is recorded on this one row instead of rewriting all of them."""


def _touch_unchanged(unchanged: dict[Period, list[Scope]]) -> None:
    """The figures of these scopes were checked now and are unchanged: record the time on
    their :data:`STAMP_METRIC` row (pages show it as 截至 hh:mm)."""
    match: Q | None = None
    for period, scopes in unchanged.items():
        by_kind: dict[str, list[int]] = {}
        for scope in scopes:
            by_kind.setdefault(scope.kind, []).append(int(scope.id or 0))
        for kind, ids in by_kind.items():
            one = Q(
                scope_kind=kind,
                scope_id__in=ids,
                period_kind=period.kind,
                period_start=period.start,
            )
            match = one if match is None else match | one
    if match is not None:
        KpiSnapshot.objects.filter(match, metric=STAMP_METRIC).update(computed_at=timezone.now())
