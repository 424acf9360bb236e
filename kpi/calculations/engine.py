"""The per-period engine: every counting rule as vectorised masks over the prepared input.

The customer counts (funnel, pools, events) are the sizes of (customer position, scope)
pairs; :func:`_compute_period` can hand those same pairs out (``members``), so a drill-down
list is the headline's own mask and always has the headline's length.
"""

from __future__ import annotations

import numpy as np

from kpi.calculations.assembly import _assemble
from kpi.calculations.constants import FUNNEL_STAGES, REACH_STAGES
from kpi.calculations.normalise import (
    _KIND_AUTO,
    _KIND_NEW,
    _NS_PER_US,
    _day,
    _first_occurrences,
    _instant,
)
from kpi.calculations.periods import Period
from kpi.calculations.prepare import _attribution, _Prepared, _Scopes
from kpi.calculations.values import MetricValue


def _compute_period(
    prep: _Prepared,
    period: Period,
    sm: _Scopes,
    new_revenue_months: int,
    bands: tuple[list[str], np.ndarray],
    members: dict[str, tuple[np.ndarray, np.ndarray]] | None = None,
) -> list[dict[str, MetricValue]]:
    """Every metric of ``period`` for each scope of ``sm``, in scope order.

    ``members``, when given, receives for every customer-count metric (the registry's
    drillable ones) the pairs (customer position, scope position) it counts: the count of
    scope ``i`` is the number of pairs with scope ``i``; and under ``visit_records:visits``
    and ``visit_records:follow_ups`` the pairs (position in ``prep.visits``, scope position)
    of the visit records those two counts count.
    """
    parts = _period_parts(prep, period, sm, new_revenue_months, bands, members)
    return _assemble(prep, period, sm, *parts)


PeriodParts = tuple[
    dict[str, np.ndarray],
    dict[str, tuple[np.ndarray, np.ndarray]],
    dict[str, np.ndarray],
    tuple[np.ndarray, np.ndarray, bool],
    dict[str, tuple[np.ndarray, np.ndarray, list[str]]],
]
"""(counts, rates, money, arpu, shares) of one period per scope, before assembly: every
array is a sum over customers (docs/architecture.md, "Incremental recompute"), so the parts
of disjoint sets of customers add up to the parts of their union."""


def _period_parts(
    prep: _Prepared,
    period: Period,
    sm: _Scopes,
    new_revenue_months: int,
    bands: tuple[list[str], np.ndarray],
    members: dict[str, tuple[np.ndarray, np.ndarray]] | None = None,
) -> PeriodParts:
    """The sums behind every metric of ``period`` for each scope of ``sm`` (see
    :data:`PeriodParts`); :func:`_compute_period` assembles them into MetricValues."""
    n, N, tz, reach = sm.n, prep.n, prep.tz, prep.reach
    pairs: dict[str, tuple[np.ndarray, np.ndarray]] = {} if members is None else members

    def counted(name: str, pos: np.ndarray, sk: np.ndarray) -> None:
        pairs[name] = (pos, sk)
        counts[name] = sm.size(sk)

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
        p, rep, team = events(stage)
        rows, sk = sm.expand(rep, team)
        counted(name, p[rows], sk)

    # Pools (docs/domain section 9): open at the start (owner then), reached or re-opened in P.
    lost_start = prep.events.lost_mask(start, N)
    has_s, rep_s, team_s = _attribution(prep, start, first_day)
    ev = prep.events
    re_sel = np.flatnonzero((ev.reopen_at >= start) & (ev.reopen_at < end))

    def pool(stage: str, nxt: str) -> tuple[np.ndarray, ...]:
        """(pool pos, pool skey, hits per scope, open-at-start pos, open-at-start skey)."""
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
        rows1, sk1 = sm.expand(rep_s[p1], team_s[p1])
        return pos[rows], sk, sm.size(sk, hits), p1[rows1], sk1

    t_pos, t_sk, t_hits, t_open_pos, t_open_sk = pool("target", "intent")
    i_pos, i_sk, i_hits, _i_open_pos, _i_open_sk = pool("intent", "deal")

    # Funnel: the scope's customers at the period's last moment, by stage reached by then.
    has_e, rep_e, team_e = _attribution(prep, end - _NS_PER_US, end_day - 1)
    population = np.flatnonzero(has_e & (reach.lead < end))
    level = np.zeros(len(population), dtype=np.int64)
    for stage in REACH_STAGES:
        level += reach.at[stage][population] < end
    rows, sk = sm.expand(rep_e[population], team_e[population])
    f_pos, f_level = population[rows], level[rows]
    for k, stage in enumerate(FUNNEL_STAGES):
        at_least = f_level >= k
        counted(f"funnel_{stage}", f_pos[at_least], sk[at_least])
    lost_end = prep.events.lost_mask(end, N)
    lost_rows = lost_end[f_pos]
    counted("funnel_lost", f_pos[lost_rows], sk[lost_rows])

    counted("target_customers", t_pos, t_sk)
    counted("open_targets_at_start", t_open_pos, t_open_sk)
    rates["target_growth_rate"] = (counts["new_targets"], counts["open_targets_at_start"])
    rates["intent_rate"] = (t_hits, counts["target_customers"])
    counted("intent_pool", i_pos, i_sk)
    rates["close_rate"] = (i_hits, counts["intent_pool"])

    # Contacts of every channel (docs/domain section 9, "Visits and follow-ups"): follow-ups
    # and customers touched count them all; the visit counts below only in-person visits.
    vis = prep.visits
    in_period = (vis.at >= start) & (vis.at < end)
    tm = np.flatnonzero(in_period)
    rows, sk = sm.expand(vis.rep[tm], vis.team[tm])
    # Visit-record members (positions into prep.visits, not customers): the drill-down's
    # visit lists, kpi.calculations.compute_visit_members.
    pairs["visit_records:follow_ups"] = (tm[rows], sk)
    counts["follow_ups"] = sm.size(sk)
    counts["customers_touched"] = sm.distinct(sk, vis.pos[tm[rows]], N)
    if members is not None:  # the drill-down's customers touched: one pair per customer
        keys = np.unique(sk * max(N, 1) + vis.pos[tm[rows]])
        pairs["customers_touched"] = (keys % max(N, 1), keys // max(N, 1))

    # Visits (in person only), attributed to the visit's rep and team.
    vm = np.flatnonzero(in_period & vis.in_person)
    rows, sk = sm.expand(vis.rep[vm], vis.team[vm])
    vi = vm[rows]
    vpos, targeted = vis.pos[vi], vis.target[vi]
    pairs["visit_records:visits"] = (vi, sk)
    counts["visits"] = sm.size(sk)
    counts["target_customer_visits"] = sm.size(sk, targeted)
    visited = sm.distinct(sk, vpos, N)
    effective = sm.distinct(sk, vpos, N, vis.effective[vi])
    target_visited = sm.distinct(sk, vpos, N, targeted)
    target_visited_intent = sm.distinct(sk, vpos, N, targeted & reached_in["intent"][vpos])
    counts["customers_visited"] = visited
    counts["target_customers_visited"] = target_visited
    counts["effective_customers"] = effective
    if members is not None:  # the drill-down's customers: one pair per customer and scope
        for name, mask in (("customers_visited", None), ("effective_customers", vis.effective[vi])):
            s_, p_ = (sk, vpos) if mask is None else (sk[mask], vpos[mask])
            keys = np.unique(s_ * max(N, 1) + p_)
            pairs[name] = (keys % max(N, 1), keys // max(N, 1))
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
        billing_customers = np.flatnonzero(has_e & (dealt | has_billing))
        rows, sk = sm.expand(rep_e[billing_customers], team_e[billing_customers])
        pm = billing_customers[rows]
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

    return counts, rates, money, arpu, shares
