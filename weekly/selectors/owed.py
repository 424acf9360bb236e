"""Who still owes a report (docs/domain, section 4): per team a leader sees, the reps
without a submitted weekly report for a week, whether the team weekly report is submitted,
and the reps without a submitted monthly analysis for the month before."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from accounts.models import Membership, OrgUnit, User
from accounts.scoping import memberships_in
from kpi.calculations import Period
from kpi.models import MonthlyAnalysis

from ..models import ReportStatus, TeamWeeklyReport, WeeklyReport


@dataclass
class OwedTeam:
    """One team: its reps of the week, who owes what, and the team report's state."""

    team: OrgUnit
    reps: list[User] = field(default_factory=list)
    weekly_owed: list[User] = field(default_factory=list)
    analysis_owed: list[User] = field(default_factory=list)
    team_report_done: bool = False

    @property
    def owes_anything(self) -> bool:
        """True when a rep or the team still owes a report."""
        return bool(self.weekly_owed or self.analysis_owed or not self.team_report_done)


def owed_reports(*, teams: list[OrgUnit], period: Period, month: dt.date) -> list[OwedTeam]:
    """For ``teams``: reps (of the team during ``period``) without a submitted weekly
    report for ``period``, without a submitted monthly analysis for ``month`` (its first
    day), and whether the team weekly report of ``period`` is submitted. Four queries
    whatever the number of teams and reps."""
    ids = [t.pk for t in teams]
    rows = {t.pk: OwedTeam(team=t) for t in teams}
    seen: set[tuple[int, int]] = set()
    for m in (
        Membership.objects.filter(
            memberships_in(period.start, period.end), unit_id__in=ids, role=Membership.Role.REP
        )
        .select_related("user")
        .order_by("user__display_name", "user__username")
    ):
        if (m.unit_id, m.user_id) not in seen:
            seen.add((m.unit_id, m.user_id))
            rows[m.unit_id].reps.append(m.user)
    done_weekly = set(
        WeeklyReport.objects.filter(team_id__in=ids, week=period.start)
        .exclude(status=ReportStatus.DRAFT)
        .values_list("team_id", "rep_id")
    )
    done_analysis = set(
        MonthlyAnalysis.objects.filter(month=month, rep__isnull=False)
        .exclude(status=MonthlyAnalysis.Status.DRAFT)
        .values_list("rep_id", flat=True)
    )
    done_team = set(
        TeamWeeklyReport.objects.filter(team_id__in=ids, week=period.start)
        .exclude(status=ReportStatus.DRAFT)
        .values_list("team_id", flat=True)
    )
    for row in rows.values():
        tid = row.team.pk
        row.weekly_owed = [u for u in row.reps if (tid, u.pk) not in done_weekly]
        row.analysis_owed = [u for u in row.reps if u.pk not in done_analysis]
        row.team_report_done = tid in done_team
    return [rows[t.pk] for t in teams]
