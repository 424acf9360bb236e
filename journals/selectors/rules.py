"""Submission rules: the effective deadline and late rule of a team, and exemptions
(see docs/domain, journals)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings as django_settings
from django.db.models import Q

from accounts.models import Membership, OrgSettings

from .. import calculations as calc
from ..models import (
    Exemption,
    SubmissionRule,
)

#: Open customers with no visit or follow-up for this many days count as "not followed up"


# --- submission rules ---------------------------------------------------------------------


@dataclass(frozen=True)
class EffectiveRule:
    """The submission rule that applies to one team: its own row, else the default row,
    else OrgSettings (deadline, late submission) with reps required, supervisors not."""

    reps_must_submit: bool
    supervisors_must_submit: bool
    deadline: dt.time
    late_allowed: bool
    reviewer_role: str

    def required(self, role: str) -> bool:
        """Whether a member with ``role`` (rep / supervisor) must submit a journal."""
        if role == Membership.Role.REP:
            return self.reps_must_submit
        if role == Membership.Role.SUPERVISOR:
            return self.supervisors_must_submit
        return False


def effective_rules(
    team_ids: Iterable[int], *, org: OrgSettings | None = None
) -> dict[int, EffectiveRule]:
    """The effective rule per team id (two queries, whatever the number of teams; one
    when the caller passes the loaded OrgSettings)."""
    ids = sorted(set(team_ids))
    org = org or OrgSettings.load()
    rows = {
        r.team_id: r
        for r in SubmissionRule.objects.filter(Q(team_id__in=ids) | Q(team__isnull=True))
    }
    default = rows.get(None)
    result = {}
    for team_id in ids:
        row = rows.get(team_id) or default
        result[team_id] = EffectiveRule(
            reps_must_submit=row.reps_must_submit if row else True,
            supervisors_must_submit=row.supervisors_must_submit if row else False,
            deadline=(row.deadline if row and row.deadline else None) or org.journal_deadline,
            late_allowed=(
                row.late_submission_allowed
                if row and row.late_submission_allowed is not None
                else org.late_submission_allowed
            ),
            reviewer_role=row.reviewer_role if row else "supervisor",
        )
    return result


def effective_rule(team_id: int) -> EffectiveRule:
    """The effective rule of one team (see :func:`effective_rules`)."""
    return effective_rules([team_id])[team_id]


def deadline_of(day: dt.date, rule: EffectiveRule) -> dt.datetime:
    """The aware deadline of local ``day`` under ``rule`` (settings.TIME_ZONE)."""
    return calc.deadline_at(day, rule.deadline, django_settings.TIME_ZONE)


# --- journals -----------------------------------------------------------------------------


def _exemptions(user_ids: Iterable[int], start: dt.date, end: dt.date) -> dict[int, list]:
    rows: dict[int, list[Exemption]] = defaultdict(list)
    for ex in Exemption.objects.filter(user_id__in=list(user_ids), start__lte=end, end__gte=start):
        rows[ex.user_id].append(ex)
    return rows


def _exempt_kind(rows: list[Exemption], day: dt.date) -> str:
    for ex in rows:
        if ex.start <= day <= ex.end:
            return ex.kind
    return ""
