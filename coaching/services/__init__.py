"""Coaching writes (docs/domain, section 8), by purpose:

- ``findings``: diagnosis findings recompute and dismissal (``figures``: the KPI figures read);
- ``plans``: coaching plans with measures, goals and follow-up sessions;
- ``talks``: one-on-one talks;
- ``recognition``: recognition and its suggestions.

Permission rule: plans, measures, goals, sessions, talks and recognition are written by a
supervisor or manager of the coachee's team (or an admin); a plan is acknowledged only by
its coachee. A caller outside the team gets PermissionDenied (views answer 404 before that
for objects the viewer cannot see). The public names are re-exported here.
"""

from .figures import DIAGNOSIS_METRICS, rep_metrics
from .findings import (
    finding_dismiss,
    findings_recompute,
    findings_recompute_periods,
    thresholds,
)
from .plans import (
    goal_add,
    measure_add,
    plan_acknowledge,
    plan_create,
    plan_create_from_finding,
    plan_initial_from_finding,
    plan_set_status,
    session_add,
)
from .recognition import STREAK_MIN, recognition_give, recognition_suggestions
from .talks import talk_add

__all__ = [
    "DIAGNOSIS_METRICS",
    "STREAK_MIN",
    "finding_dismiss",
    "findings_recompute",
    "findings_recompute_periods",
    "goal_add",
    "measure_add",
    "plan_acknowledge",
    "plan_create",
    "plan_create_from_finding",
    "plan_initial_from_finding",
    "plan_set_status",
    "recognition_give",
    "recognition_suggestions",
    "rep_metrics",
    "session_add",
    "talk_add",
    "thresholds",
]
