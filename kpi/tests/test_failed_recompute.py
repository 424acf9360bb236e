"""A debounced recompute that fails keeps its work findable (kpi.services, ``_unless_done``):
the recompute deletes its dirty marks when it starts, so a failure for good (retries spent,
time limit) used to leave the change's customer marks with no dirty mark to send them, and
the figures stale until the nightly run. Now the marks come back flagged, and the reconciler
sends the recompute again."""

from __future__ import annotations

import pytest
from django.db import OperationalError
from django.utils import timezone

from kpi import partials, recovery, services
from kpi.calculations import period_of
from kpi.models import KpiDirty

pytestmark = pytest.mark.django_db


def _fail(**kwargs):
    raise OperationalError("database is locked")


@pytest.mark.parametrize("kind", ["team", "branch"])
def test_a_failed_recompute_puts_its_marks_back_for_the_reconciler(org, monkeypatch, kind):
    day = timezone.localdate()
    periods = [period_of(day, "month"), period_of(day, "week")]
    unit = org.team_a if kind == "team" else org.north
    for p in periods:
        KpiDirty.objects.create(team=unit, period_kind=p.kind, period_start=p.start)
    monkeypatch.setattr(partials, "compute_and_store_incremental", _fail)
    keys = [p.key for p in periods]
    recompute = (
        (lambda: services.kpi_recompute_touched(team_id=unit.pk, periods=keys))
        if kind == "team"
        else (lambda: services.kpi_recompute_branch(branch_id=unit.pk, periods=keys))
    )
    with pytest.raises(OperationalError):
        recompute()
    marks = KpiDirty.objects.filter(team=unit)
    assert sorted((m.period_kind, m.enqueue_failed) for m in marks) == [
        ("month", True),
        ("week", True),
    ]
    sent: list[tuple[int, list[str], bool]] = []

    def send(*, unit_id: int, periods: list[str], trigger: str, branch: bool) -> None:
        sent.append((unit_id, sorted(periods), branch))

    monkeypatch.setattr(recovery, "kpi_dirty_enqueue", send)
    assert recovery.kpi_reconcile()["marks_sent"] == 1
    assert sent == [(unit.pk, sorted(keys), kind == "branch")]


def test_a_recompute_that_succeeds_leaves_no_mark(org, monkeypatch):
    day = timezone.localdate()
    p = period_of(day, "month")
    KpiDirty.objects.create(team=org.team_a, period_kind=p.kind, period_start=p.start)
    monkeypatch.setattr(partials, "compute_and_store_incremental", lambda **kwargs: 7)
    assert services.kpi_recompute_touched(team_id=org.team_a.pk, periods=[p.key]) == 7
    assert not KpiDirty.objects.exists()
