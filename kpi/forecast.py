"""The deal forecast from stage history, for a dashboard scope (docs/domain, section 7,
"Forecast"). The arithmetic is ``domain.forecast``; this module reads the tables into its
plain data, and nothing here writes.

- **Rates** come from the whole organisation's stage history (every customer's reach times,
  ``domain.stages.reach_times``), using finished months only.
- **Open items** are the customers at lead, target, relationship or intent (not lost, no
  deal), each worth the recent ARPU a month once dealt, or the sum of its open projects'
  expected monthly values when it has open projects.
- **Forward**: made for the three months after the current one, with the pipeline as it is
  now; items count for their owner (``rep:ID``), the owner's team (``team:ID``) and that
  team's branch (``branch:ID``).
- **Back-test**: for each of the last six finished months, the forecast made at its start
  (rates and pipeline from what was known then; items count for the rep and team of their
  last stage change before that start) against the deals that month had.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.utils import timezone

from accounts.models import OrgUnit
from accounts.scoping import local_today
from customers.models import Customer, Project, RevenueRecord, StageChange
from domain import forecast as fc
from domain import stages
from kpi.models import Target

#: Stages an open customer can be forecast from.
OPEN_STAGES = (stages.INTENT, stages.RELATIONSHIP, stages.TARGET, stages.LEAD)
BACKTEST_MONTHS = 6
HORIZON = 3


@dataclass
class History:
    """Every customer's reach times and the rows that attribute them, read once."""

    reach: dict[int, stages.Reach]
    changes: dict[int, list[tuple[dt.datetime, int | None, int | None, str]]]
    branch_of: dict[int, int | None]

    def entries(self) -> list[fc.CohortEntry]:
        """One cohort entry per customer and stage reached (deal month or None)."""
        out = []
        for reach in self.reach.values():
            deal = reach.at.get(stages.DEAL)
            dealt = fc.month_index(timezone.localdate(deal)) if deal else None
            for stage in OPEN_STAGES:
                if stage in reach.at:
                    out.append(
                        fc.CohortEntry(
                            stage, fc.month_index(timezone.localdate(reach.at[stage])), dealt
                        )
                    )
        return out

    def open_stage(self, customer_id: int, moment: dt.datetime) -> tuple[str, int] | None:
        """``(stage, entry month)`` of an open customer just before ``moment``; None when lost,
        dealt or unknown then."""
        reach = self.reach.get(customer_id)
        if reach is None or reach.is_lost(moment) or reach.reached_before(stages.DEAL, moment):
            return None
        for stage in OPEN_STAGES:
            if reach.reached_before(stage, moment):
                return stage, fc.month_index(timezone.localdate(reach.at[stage]))
        return None

    def groups_at(self, customer_id: int, moment: dt.datetime) -> tuple[str, ...]:
        """Group keys of the customer's last stage change before ``moment``."""
        rep_id = team_id = None
        for at, rep, team, _to in self.changes.get(customer_id, []):
            if at >= moment:
                break
            rep_id, team_id = rep, team
        return _keys(rep_id, team_id, self.branch_of)

    def deals_in(self, month: int) -> dict[str, int]:
        """Deals reached in ``month`` per group key of the change that reached deal."""
        counts: dict[str, int] = defaultdict(int)
        for customer_id, reach in self.reach.items():
            deal = reach.at.get(stages.DEAL)
            if deal is None or fc.month_index(timezone.localdate(deal)) != month:
                continue
            for key in self.groups_at(customer_id, deal + dt.timedelta(microseconds=1)):
                counts[key] += 1
        return counts


def _keys(
    rep_id: int | None, team_id: int | None, branch_of: dict[int, int | None]
) -> tuple[str, ...]:
    keys = []
    if rep_id:
        keys.append(f"rep:{rep_id}")
    if team_id:
        keys.append(f"team:{team_id}")
        if branch_of.get(team_id):
            keys.append(f"branch:{branch_of[team_id]}")
    return tuple(keys)


def load_history() -> History:
    """Read every stage change once (one query, plus one for the teams' branches)."""
    rows: dict[int, list[stages.StageChange]] = defaultdict(list)
    changes: dict[int, list[tuple[dt.datetime, int | None, int | None, str]]] = defaultdict(list)
    for cid, at, to, frm, pk, rep, team in StageChange.objects.order_by("at", "id").values_list(
        "customer_id", "at", "to_stage", "from_stage", "id", "rep_id", "team_id"
    ):
        rows[cid].append(stages.StageChange(at=at, to_stage=to, from_stage=frm, seq=pk))
        changes[cid].append((at, rep, team, to))
    branch_of: dict[int, int | None] = dict(
        OrgUnit.objects.filter(kind=OrgUnit.Kind.TEAM).values_list("id", "parent_id")
    )
    return History(
        reach={cid: stages.reach_times(r) for cid, r in rows.items()},
        changes=dict(changes),
        branch_of=branch_of,
    )


def recent_arpu(month: int) -> Decimal:
    """Average monthly billing of new customers: for each of the three months before
    ``month``, the billing in M of the customers whose deal closed in M-1 (the lagged ARPU of
    docs/domain section 9), averaged over those customers; 0 when there is none."""
    first = fc.month_start(month - 4)
    deals = StageChange.objects.filter(to_stage=stages.DEAL, at__date__gte=first).values_list(
        "customer_id", "at"
    )
    by_customer: dict[int, int] = {}
    for cid, at in deals:
        by_customer.setdefault(cid, fc.month_index(timezone.localdate(at)))
    billed: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for cid, m, amount in (
        RevenueRecord.objects.filter(customer_id__in=list(by_customer), month__gte=first)
        .values("customer_id", "month")
        .annotate(total=Sum("billed"))
        .values_list("customer_id", "month", "total")
    ):
        billed[(cid, fc.month_index(m))] += amount or Decimal(0)
    total, count = Decimal(0), 0
    for cid, deal_month in by_customer.items():
        if month - 4 <= deal_month <= month - 2:
            total += billed.get((cid, deal_month + 1), Decimal(0))
            count += 1
    return (total / count).quantize(Decimal("0.01")) if count else Decimal("0.00")


def _open_items(history: History, *, now: dt.datetime, arpu: Decimal) -> list[fc.OpenItem]:
    values: dict[int, Decimal] = defaultdict(Decimal)
    for cid, value in Project.objects.filter(status="open").values_list(
        "customer_id", "expected_value"
    ):
        values[cid] += value
    items = []
    for cid, owner_id, team_id in Customer.objects.filter(owner__isnull=False).values_list(
        "id", "owner_id", "team_id"
    ):
        found = history.open_stage(cid, now)
        if found is None:
            continue
        stage, entered = found
        items.append(
            fc.OpenItem(
                stage, entered, values.get(cid, arpu), _keys(owner_id, team_id, history.branch_of)
            )
        )
    return items


def _targets(key: str, months: list[dt.date]) -> dict[str, list[Decimal | None]]:
    kind, _sep, ident = key.partition(":")
    rows = Target.objects.filter(month__in=months, metric__in=["deals", "new_revenue"])
    if kind == "rep":
        rows = rows.filter(rep_id=int(ident))
    elif kind == "team":
        rows = rows.filter(team_id=int(ident))
    else:
        teams = list(OrgUnit.objects.filter(parent_id=int(ident)).values_list("id", flat=True))
        rows = rows.filter(team_id__in=[int(ident), *teams])
    out: dict[str, list[Decimal | None]] = {
        "deals": [None] * len(months),
        "new_revenue": [None] * len(months),
    }
    for month, metric, value in rows.values_list("month", "metric", "value"):
        i = months.index(month)
        out[metric][i] = (out[metric][i] or Decimal(0)) + value
    return out


def forecast_for(key: str, *, today: dt.date | None = None) -> dict[str, Any]:
    """The forward forecast and back-test of the scope ``key`` (``rep:ID``, ``team:ID`` or
    ``branch:ID``) as plain data for a page: ``months`` (first days), ``deals`` and
    ``revenue`` per month, ``targets``, ``arpu``, ``backtest`` rows (``month``, ``forecast``,
    ``actual``) and ``error`` (share, or None). About ten queries, whatever the scope."""
    today = today or local_today()
    current = fc.month_index(today)
    history = load_history()
    entries = history.entries()
    arpu = recent_arpu(current + 1)
    rates = fc.conversion_rates(entries, as_of=current)
    now = timezone.now()
    projected = fc.project(
        _open_items(history, now=now, arpu=arpu), rates, as_of=current + 1, months=HORIZON
    )
    mine = projected.get(key, fc.Projection([0.0] * HORIZON, [Decimal("0.00")] * HORIZON))
    months = [fc.month_start(current + 1 + j) for j in range(HORIZON)]
    backtest: list[dict[str, Any]] = []
    for month in range(current - BACKTEST_MONTHS, current):
        start = timezone.make_aware(dt.datetime.combine(fc.month_start(month), dt.time.min))
        past_rates = fc.conversion_rates(entries, as_of=month)
        items = []
        for cid in history.reach:
            found = history.open_stage(cid, start)
            if found is not None:
                items.append(fc.OpenItem(found[0], found[1], arpu, history.groups_at(cid, start)))
        made = fc.project(items, past_rates, as_of=month, months=1)
        predicted = made[key].deals[0] if key in made else 0.0
        backtest.append(
            {
                "month": fc.month_start(month),
                "forecast": predicted,
                "actual": history.deals_in(month).get(key, 0),
            }
        )
    return {
        "months": months,
        "deals": mine.deals,
        "revenue": mine.revenue,
        "targets": _targets(key, months),
        "arpu": arpu,
        "backtest": backtest,
        "error": fc.backtest_error(
            [b["forecast"] for b in backtest], [b["actual"] for b in backtest]
        ),
    }
