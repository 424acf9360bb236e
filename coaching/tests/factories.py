"""Helpers that build coaching rows for tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from accounts.models import OrgUnit, User
from coaching.models import CoachingPlan, Finding, Recognition, Symptom, Talk


def make_finding(
    rep: User,
    team: OrgUnit,
    *,
    symptom: str = Symptom.NO_FOLLOW_UP,
    period_kind: str = "month",
    period_start: dt.date = dt.date(2026, 10, 1),
    **fields: Any,
) -> Finding:
    """A finding with one figure, one customer link and the symptom's causes and measures."""
    from coaching import diagnosis

    return Finding.objects.create(
        rep=rep,
        team=team,
        symptom=symptom,
        period_kind=period_kind,
        period_start=period_start,
        evidence=fields.pop(
            "evidence",
            {
                "figures": [
                    {
                        "key": "overdue_next_steps",
                        "label": "Overdue next steps",
                        "value": 5,
                        "team_median": 1,
                        "completion": None,
                        "fmt": "count",
                    }
                ],
                "customers": [],
                "journals": [],
            },
        ),
        causes=[{"code": c, "category": k} for c, k in diagnosis.CAUSES[symptom]],
        measures=[{"kind": k, "code": m} for k, m in diagnosis.MEASURES[symptom]],
        computed_at=timezone.now(),
        **fields,
    )


def make_plan(coachee: User, team: OrgUnit, coach: User, **fields: Any) -> CoachingPlan:
    start = fields.pop("start", dt.date(2026, 11, 2))
    return CoachingPlan.objects.create(
        coachee=coachee,
        team=team,
        coach=coach,
        problem=fields.pop("problem", "跟进不及时"),
        cause_category=fields.pop("cause_category", "attitude"),
        start=start,
        end=fields.pop("end", start + dt.timedelta(days=27)),
        effect_metrics=fields.pop("effect_metrics", ["visits", "effective_activity_rate"]),
        **fields,
    )


def make_talk(rep: User, team: OrgUnit, supervisor: User, **fields: Any) -> Talk:
    return Talk.objects.create(
        rep=rep,
        team=team,
        supervisor=supervisor,
        held_on=fields.pop("held_on", dt.date(2026, 11, 10)),
        notes=fields.pop("notes", "聊了本周的拜访计划"),
        **fields,
    )


def make_recognition(rep: User, team: OrgUnit, by: User, **fields: Any) -> Recognition:
    return Recognition.objects.create(
        rep=rep,
        team=team,
        by=by,
        behaviour=fields.pop("behaviour", "本周签下最大合同"),
        impact=fields.pop("impact", "带动了小组收入"),
        **fields,
    )
