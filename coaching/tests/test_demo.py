"""The coaching demo step: findings for the demo teams, plans with sessions and a talk."""

from __future__ import annotations

import io
import random

from accounts.demo import DemoOrg
from coaching import demo
from coaching.models import CoachingPlan, Finding, FollowUpSession, Talk


def test_demo_seed_makes_findings_and_plans_with_sessions(org) -> None:
    demo_org = DemoOrg(
        company=org.company,
        teams=[org.team_a],
        admin=org.admin,
        managers=[org.manager],
        supervisors={org.team_a.pk: org.supervisor},
        reps={org.team_a.pk: [org.rep, org.teammate]},
    )
    out = io.StringIO()
    demo.seed(demo_org, random.Random(1), out)
    assert Finding.objects.filter(team=org.team_a).exists()
    plans = CoachingPlan.objects.filter(team=org.team_a)
    assert plans.count() == 2
    assert FollowUpSession.objects.filter(plan__in=plans).exists()
    assert Talk.objects.filter(plan__in=plans).count() == 2
    assert all(p.finding_id for p in plans)
    demo.seed(demo_org, random.Random(1), out)
    assert CoachingPlan.objects.filter(team=org.team_a).count() == 2
    assert "already there" in out.getvalue()
