"""Reads of KPI runs and scopes; snapshot reads are re-exported from :mod:`kpi.figures`.

These functions do not check access: the views and APIs that call them pass only scopes
the viewer may see (accounts.scoping), and answer 404 for the others.
Values come back as :class:`kpi.calculations.MetricValue` with the calculations' types
(counts int, money Decimal, rates float fractions; None for no value).
"""

from __future__ import annotations

from accounts.models import OrgUnit, User

from . import figures
from .models import KpiRun

# The snapshot reads and live figures live in the read seam (kpi.figures); these names
# stay for the management commands and older callers.
snapshot_metrics = figures.stored_metrics
snapshot_series = figures.stored_series
snapshot_table = figures.stored_table
live_metrics = figures.live_metrics


def latest_run() -> KpiRun | None:
    """The most recently created KPI run, or None. One query."""
    return KpiRun.objects.order_by("-created_at", "-id").first()


def resolve_scope(text: str) -> tuple[str, int]:
    """'team:CODE' | 'branch:CODE' | 'rep:USERNAME' -> (kind, id).

    Raises LookupError when no such unit or user exists, ValueError for bad syntax."""
    kind, sep, key = text.partition(":")
    if not sep or not key or kind not in ("rep", "team", "branch"):
        raise ValueError(f"Not a scope (expected rep:USERNAME, team:CODE or branch:CODE): {text!r}")
    if kind == "rep":
        user_id = User.objects.filter(username=key).values_list("id", flat=True).first()
        if user_id is None:
            raise LookupError(f"No user {key!r}")
        return kind, user_id
    unit_kind = OrgUnit.Kind.TEAM if kind == "team" else OrgUnit.Kind.BRANCH
    unit_id = OrgUnit.objects.filter(code=key, kind=unit_kind).values_list("id", flat=True).first()
    if unit_id is None:
        raise LookupError(f"No {kind} {key!r}")
    return kind, unit_id
