"""The team weekly report's reads: members of a team during a week, the teams a leader
sees, and the team table (小组活动统计) of plans and figures (docs/domain, section 4).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from accounts.models import OrgUnit, User
from accounts.scoping import Scope, reps_during
from journals.selectors import teams_for_leader
from kpi import figures as kpi_figures
from kpi.calculations import Period
from kpi.templatetags.kpi_format import metric_label

from .personal import (
    DASH,
    MONEY_METRICS,
    RATE_METRICS,
    achievement,
    figure_value,
    plan_number,
)

#: Rows of the team table (the seed's 小组活动统计); "achievement" = sales revenue / plan.
#: Follow-ups (every channel) and customers touched, as in the personal report and the
#: weekly meeting (docs/domain, section 9, "Visits and follow-ups").
TEAM_ROWS: tuple[str, ...] = (
    "new_sales_revenue",
    "sales_revenue",
    "achievement",
    "customers_visited",
    "effective_customers",
    "effective_activity_rate",
    "follow_ups",
    "customers_touched",
)


TEAM_ROW_LABELS: dict[str, Any] = {
    "achievement": _("Achievement rate"),
}


def team_members(team_id: int, period: Period) -> list[User]:
    """Reps of the team at any time during the week, by username. One query
    (accounts.scoping.reps_during)."""
    return reps_during(team_id, period.start, period.end - dt.timedelta(days=1))


def leader_teams(scope: Scope) -> list[OrgUnit]:
    """Teams whose team report and meeting the viewer sees (supervised first). One query."""
    return teams_for_leader(scope)


# --- team table ---------------------------------------------------------------------------


@dataclass
class TeamTable:
    """The 小组活动统计 table: rows x (team target, then plan/achieved per member).

    ``cells[row]`` = {"target": value, "members": [(plan, achieved), ...]} with raw
    numbers (Decimal / float / int / None); ``display`` the same as strings.
    """

    members: list[User]
    rows: list[str]
    labels: dict[str, str]
    cells: dict[str, dict[str, Any]] = field(default_factory=dict)

    def display_rows(self) -> list[dict[str, Any]]:
        """[{"row", "label", "target", "team_actual", "pairs": [(plan, achieved)],
        "cells": [{"plan", "actual"}]}] as strings."""
        out = []
        for row in self.rows:
            c = self.cells[row]
            out.append(
                {
                    "row": row,
                    "label": self.labels[row],
                    "target": _team_fmt(row, c["target"]),
                    "team_actual": _team_fmt(row, c.get("team_actual")),
                    "pairs": [
                        (_team_fmt(row, p, plan=True), _team_fmt(row, a)) for p, a in c["members"]
                    ],
                    "cells": [
                        {"plan": _team_fmt(row, p, plan=True), "actual": _team_fmt(row, a)}
                        for p, a in c["members"]
                    ],
                }
            )
        return out


def _team_fmt(row: str, value: Any, *, plan: bool = False) -> str:
    if value is None:
        return DASH
    if row in RATE_METRICS or row == "achievement":
        return f"{float(value) * 100:.1f}%"
    if row in MONEY_METRICS:
        return f"{Decimal(str(value)):,.2f}"
    if plan and isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return str(int(value))


def _carried_target(figures: dict[str, Any], metric: str) -> Any:
    den = (figures.get(f"{metric}_completion") or {}).get("denominator")
    if den is None:
        return None
    return Decimal(str(den)) if metric in MONEY_METRICS else den


def team_targets(team_id: int, period: Period) -> dict[str, Any]:
    """The team's own weekly targets of the table's rows, from ``kpi.figures.team_targets``
    (the one team target the team report, the weekly meeting and their exports show)."""
    got = kpi_figures.team_targets(
        team_id=team_id, period=period, metrics=[r for r in TEAM_ROWS if r != "achievement"]
    )
    return {m: (v if m in MONEY_METRICS or v is None else int(v)) for m, v in got.items()}


def targets_json(targets: dict[str, Any]) -> dict[str, str | None]:
    """:func:`team_targets` as JSON for a frozen snapshot: ``{metric: "1827.13" or None}``
    (money as strings with their cents, counts as whole numbers as strings)."""
    return {m: None if v is None else str(v) for m, v in targets.items()}


def snapshot_targets(snap: dict[str, Any]) -> dict[str, Any] | None:
    """The team targets frozen in a submitted team report's snapshot (``targets``, written by
    ``weekly.services.team_snapshot``), typed as :func:`team_targets` gives them (money
    Decimal, counts int, None when unset). None for a snapshot frozen before targets were
    kept: the table then reads the targets carried in its figures (the team's
    ``<metric>_completion.denominator`` at submission). Frozen figures stay frozen, targets
    included (docs/domain, section 4)."""
    raw = snap.get("targets")
    if not isinstance(raw, dict):
        return None
    out: dict[str, Any] = {}
    for m in TEAM_ROWS:
        v = raw.get(m)
        if m == "achievement":
            continue
        if v in (None, ""):
            out[m] = None
        elif m in MONEY_METRICS:
            out[m] = Decimal(str(v))
        else:
            out[m] = int(Decimal(str(v)))
    return out


def team_table(
    *,
    members: list[User],
    figures: dict[str, dict[str, Any]],
    plans: dict[int, dict[str, Any]],
    targets: dict[str, Any] | None = None,
) -> TeamTable:
    """Build the team table from ``team_week_figures`` output and each member's plan for
    the week (their personal report's ``plan``). Team target: ``targets``
    (:func:`team_targets`, the team's current weekly targets, docs/domain, section 4b); without
    it, the targets carried in ``figures``. Achievement rate = total sales revenue / its
    target (team) or plan (member); rate rows: the target/plan is in percent."""
    labels = {r: str(TEAM_ROW_LABELS.get(r) or metric_label(r)) for r in TEAM_ROWS}
    table = TeamTable(members=members, rows=list(TEAM_ROWS), labels=labels)
    team = figures.get("team", {})

    def _target(_figures: dict[str, Any], metric: str) -> Any:
        if targets is not None:
            return targets.get(metric)
        return _carried_target(_figures, metric)

    for row in TEAM_ROWS:
        pairs: list[tuple[Decimal | None, Decimal | float | int | None]] = []
        for u in members:
            f = figures.get(str(u.pk), {})
            plan = plans.get(u.pk, {})
            if row == "achievement":
                p_rev = plan_number(plan, "sales_revenue")
                pairs.append(
                    (None, achievement("sales_revenue", figure_value(f, "sales_revenue"), p_rev))
                )
            else:
                planned = plan_number(plan, row)
                if planned is not None and row in RATE_METRICS:
                    planned = planned / 100
                pairs.append((planned, figure_value(f, row)))
        target_val: Decimal | float | int | None
        team_actual: Decimal | float | int | None
        if row == "achievement":
            tgt = _target(team, "sales_revenue")
            target_val = achievement("sales_revenue", figure_value(team, "sales_revenue"), tgt)
            team_actual = target_val
        else:
            target_val = _target(team, row) if row not in RATE_METRICS else None
            team_actual = figure_value(team, row)
        table.cells[row] = {"target": target_val, "team_actual": team_actual, "members": pairs}
    return table
