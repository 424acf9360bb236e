"""The prepared input (normalised once), targets, attribution and scope key maps."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from domain.visits import effective_mask, in_person_mask
from kpi.calculations.attribution import (
    _Changes,
    _fill_teams,
    _Mem,
    _norm_changes,
    _norm_memberships,
    _norm_ownerships,
    _Own,
    _owner_rows,
    _Reach,
    _reach,
    _stage_events,
    _StageEvents,
    _team_on_day,
)
from kpi.calculations.constants import (
    REVENUE_KIND_NEW,
    REVENUE_KIND_RETAINED,
)
from kpi.calculations.normalise import (
    _DENSE_LIMIT,
    _EPOCH,
    _KIND_AUTO,
    _NEVER,
    _NO_MONTH,
    _NONE,
    _cents,
    _codes,
    _col,
    _days,
    _first_of_runs,
    _frame,
    _ids,
    _labels_and_codes,
    _last_of_runs,
    _local,
    _lookup,
    _ns,
    _position_finder,
    _sorted_unique,
)
from kpi.calculations.periods import Period, Scope, parse_period
from kpi.calculations.values import KpiInput


@dataclass
class _Visits:
    pos: np.ndarray
    rep: np.ndarray
    team: np.ndarray
    at: np.ndarray
    target: np.ndarray  # the customer was an open target just before the visit
    effective: np.ndarray  # domain.visits.effective_mask of the visit's fields
    in_person: np.ndarray  # domain.visits.in_person_mask: a visit, not a call/WeChat/e-mail
    id: np.ndarray  # the record's id (the drill-down's visit list), _NONE when not loaded


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
    ids: np.ndarray  # customer id of each dense position
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
    effective = effective_mask(
        _col(v, "outcome", ""), _col(v, "next_step", ""), _col(v, "next_step_date")
    )
    v_rep, v_pos = _ids(_col(v, "rep_id"))[keep], pos_of(v_cust[keep])
    visits = _Visits(
        pos=v_pos,
        rep=v_rep,
        team=_fill_teams(v_rep, _ids(_col(v, "team_id"))[keep], mem, ns=v_at[keep], tz=tz),
        at=v_at[keep],
        target=_open_target_at(ch, reach, v_pos, v_at[keep]),
        effective=effective[keep],
        in_person=in_person_mask(_col(v, "channel")).astype(bool)[keep],
        id=_ids(_col(v, "id"))[keep],
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
        ids=ids,
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


def _open_target_at(ch: _Changes, reach: _Reach, pos: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Per visit: was its customer an open target at the visit's instant ``at``?

    The domain rule ``domain.stages.is_open_target`` in vectorised form: reached target,
    not reached intent and not lost, each judged on the changes strictly before the visit
    (so before the visit's own effect). Lost = the customer's last change before ``at``
    went to lost. Rule source: docs/domain, section 9 (open target customer).
    """
    opened = (reach.at["target"][pos] < at) & ~(reach.at["intent"][pos] < at)
    if len(pos) == 0 or len(ch.pos) == 0:
        return np.asarray(opened, dtype=bool)
    # The customer's last change strictly before ``at``: rank every instant, then search
    # (customer, rank) keys; changes are sorted by customer, time, seq.
    times = _sorted_unique(np.concatenate([ch.at, at]))
    ch_key = ch.pos * (len(times) + 1) + np.searchsorted(times, ch.at)
    v_key = pos * (len(times) + 1) + np.searchsorted(times, at)
    last = np.searchsorted(ch_key, v_key, side="left") - 1
    safe = np.maximum(last, 0)
    lost = (last >= 0) & (ch.pos[safe] == pos) & ch.lost[safe]
    return np.asarray(opened & ~lost, dtype=bool)


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
