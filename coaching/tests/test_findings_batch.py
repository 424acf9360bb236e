"""The diagnosis of several teams and periods in one pass
(``coaching.services.findings_recompute_periods``, what the task after a change and the
nightly run call) gives exactly the findings of one diagnosis per team and period, on random
histories: journal habits are read once for a group of periods and all teams, sorted into
each period by the database, and the evidence links are completed only for the findings
that fire, so any slip in that sorting or completion shows up as a different finding.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest

from accounts.models import Membership
from coaching import services
from coaching.models import Finding
from customers.models import Stage, StageChange
from journals.models import Journal, Purpose
from journals.tests.factories import (
    JournalFactory,
    exempt,
    local_dt,
    make_customer,
    plan,
    submitted,
    team_with_reps,
    visit,
)

TODAY = dt.date(2026, 11, 20)
FIRST = dt.date(2026, 10, 1)
#: Two months, the ISO weeks across their boundaries and inside them, and one later week.
PERIODS = ["2026-10", "2026-11", "2026-W40", "2026-W44", "2026-W45", "2026-W47"]
PURPOSES = [Purpose.FIRST, Purpose.EXPLANATION, Purpose.CLOSING, Purpose.APPOINTMENT]
OPEN = [Stage.TARGET, Stage.RELATIONSHIP, Stage.INTENT, Stage.LEAD]


def _history(seed: int) -> list[int]:
    """Two teams of reps with random journals, visits, next steps, plan items, lost intents
    and leave; one rep moves from the first team to the second on 2026-10-20. Returns the
    team ids."""
    rng = random.Random(seed)
    team_a, _, reps_a = team_with_reps(4, code=f"a{seed}")
    team_b, _, reps_b = team_with_reps(3, code=f"b{seed}")
    mover = reps_a[0]
    moved = dt.date(2026, 10, 20)
    Membership.objects.filter(user=mover, unit=team_a).update(end=moved - dt.timedelta(days=1))
    Membership.objects.create(user=mover, unit=team_b, role="rep", start=moved)
    for rep in reps_a + reps_b:
        customers = [make_customer(rep, stage=rng.choice(OPEN)) for _ in range(rng.randint(3, 30))]
        day = FIRST
        while day < TODAY:
            if rng.random() < 0.75:
                team = team_b if rep == mover and day >= moved else team_a
                team = team if rep in reps_a else team_b
                journal = JournalFactory.create(rep=rep, team=team, day=day)
                if rng.random() < 0.85:
                    submitted(journal)
                for _ in range(rng.randint(0, 4)):
                    done = rng.random() < 0.5
                    visit(
                        journal,
                        rng.choice(customers),
                        rng.choice(PURPOSES),
                        occurred_at=local_dt(day, rng.randint(8, 20), rng.choice([0, 59])),
                        next_step="再约" if rng.random() < 0.6 else "",
                        next_step_date=day + dt.timedelta(days=rng.randint(1, 12)),
                        next_step_done=done,
                    )
                for _ in range(rng.randint(0, 2)):
                    plan(
                        journal,
                        rng.choice([Purpose.FIRST, Purpose.EXPLANATION, Purpose.CLOSING]),
                        rng.choice(customers),
                        preparation=rng.choice(["", " ", "带资料"]),
                    )
            if rng.random() < 0.04:
                StageChange.objects.create(
                    customer=rng.choice(customers),
                    from_stage=Stage.INTENT,
                    to_stage=Stage.LOST,
                    at=local_dt(day, 23, 59),
                    rep=rep,
                    team=team_a if rep in reps_a else team_b,
                    by=rep,
                )
            if rng.random() < 0.03:
                exempt(rep, day, day + dt.timedelta(days=rng.randint(0, 3)))
            day += dt.timedelta(days=1)
    return [team_a.pk, team_b.pk]


def _findings() -> set[tuple[Any, ...]]:
    rows = Finding.objects.values_list(
        "rep_id",
        "team_id",
        "period_kind",
        "period_start",
        "symptom",
        "evidence",
        "causes",
        "measures",
        "status",
    )
    return {(*row[:5], repr(row[5]), repr(row[6]), repr(row[7]), row[8]) for row in rows}


@pytest.mark.django_db
@pytest.mark.parametrize("seed", range(2))
def test_one_pass_over_teams_and_periods_equals_one_diagnosis_per_team_and_period(
    seed: int,
) -> None:
    teams = _history(seed)
    assert Journal.objects.exists()
    services.findings_recompute_periods(team_ids=teams, periods=PERIODS, today=TODAY)
    batched = _findings()
    Finding.objects.all().delete()
    for period in PERIODS:
        for team in teams:
            services.findings_recompute(team_ids=[team], period=period, today=TODAY)
    one_by_one = _findings()
    assert batched == one_by_one
    # Not an empty comparison: habit symptoms fire with evidence in several periods.
    assert len({(f[2], f[3]) for f in batched}) >= 3
    assert any("'journals': [{" in f[5] for f in batched)
    assert any("'customers': [{" in f[5] for f in batched)


@pytest.mark.django_db
def test_a_second_pass_keeps_the_findings() -> None:
    teams = _history(9)
    services.findings_recompute_periods(team_ids=teams, periods=PERIODS, today=TODAY)
    before = _findings()
    second = services.findings_recompute_periods(team_ids=teams, periods=PERIODS, today=TODAY)
    assert _findings() == before
    assert second["created"] == 0
    assert second["deleted"] == 0


@pytest.mark.django_db
def test_a_pass_rewrites_findings_that_differ_and_deletes_those_that_no_longer_hold() -> None:
    """The pass compares the stored JSON with what it would write: a finding whose evidence
    or measures differ is rewritten, one that no longer fires is deleted, and the findings
    are again those of a fresh diagnosis."""
    from django.utils import timezone

    from coaching.diagnosis import SYMPTOMS

    teams = _history(5)
    services.findings_recompute_periods(team_ids=teams, periods=PERIODS, today=TODAY)
    expected = _findings()
    first = Finding.objects.order_by("pk").first()
    assert first is not None
    Finding.objects.filter(pk=first.pk).update(
        evidence={"figures": [], "customers": [], "journals": []}, measures=[]
    )
    fired = set(
        Finding.objects.filter(
            rep_id=first.rep_id, period_kind=first.period_kind, period_start=first.period_start
        ).values_list("symptom", flat=True)
    )
    Finding.objects.create(
        rep_id=first.rep_id,
        team_id=first.team_id,
        period_kind=first.period_kind,
        period_start=first.period_start,
        symptom=next(s for s in SYMPTOMS if s not in fired),
        computed_at=timezone.now(),
    )
    assert _findings() != expected
    counts = services.findings_recompute_periods(team_ids=teams, periods=PERIODS, today=TODAY)
    assert counts["deleted"] == 1
    assert counts["created"] == 0
    assert _findings() == expected
