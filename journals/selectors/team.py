"""A team's day (inbox and reminders), the supervisor's team choice and submission statistics."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.calendar import work_calendar
from accounts.models import Membership, OrgUnit, User
from accounts.scoping import Scope, memberships_during, visible_teams
from domain.workdays import days_between

from .. import calculations as calc
from ..models import (
    Journal,
)
from .journal import with_counts

#: Open customers with no visit or follow-up for this many days count as "not followed up"
from .rules import EffectiveRule, _exempt_kind, _exemptions, deadline_of, effective_rules


@dataclass
class MemberDay:
    """One person due (or not) to file a journal on one day, with their journal."""

    user: User
    role: str
    journal: Journal | None
    status: str
    exempt_kind: str = ""

    @property
    def is_unreviewed(self) -> bool:
        return self.journal is not None and self.journal.status == Journal.Status.SUBMITTED


@dataclass
class TeamMembers:
    """A team's rep and supervisor memberships active on some day of ``first`` .. ``last``
    (local dates, both included), users loaded, by username, with the exemptions of those
    users overlapping the days ({user id: [Exemption]}): what :func:`team_day` reads for
    any day of the span."""

    first: dt.date
    last: dt.date
    memberships: list[Membership]
    exemptions: dict[int, list[Any]]


def team_members(*, team: OrgUnit, first: dt.date, last: dt.date) -> TeamMembers:
    """Load :class:`TeamMembers` of ``team`` for the local days ``first`` .. ``last``, so
    several :func:`team_day` calls (the morning meeting's today and previous work day)
    share them. Two queries whatever the team size and span."""
    memberships = list(
        Membership.objects.filter(
            memberships_during(first, last),
            unit=team,
            role__in=[Membership.Role.REP, Membership.Role.SUPERVISOR],
        )
        .select_related("user")
        .order_by("user__username")
    )
    exemptions = _exemptions({m.user_id for m in memberships}, first, last)
    return TeamMembers(first, last, memberships, exemptions)


def team_day(
    *,
    team: OrgUnit,
    day: dt.date,
    now: dt.datetime | None = None,
    counts: bool = True,
    prefetch: tuple[str | Prefetch[Any, Any, Any], ...] = (),
    rule: EffectiveRule | None = None,
    loaded: TeamMembers | None = None,
) -> tuple[list[MemberDay], EffectiveRule]:
    """Everyone in ``team`` on local ``day`` who files journals (reps; supervisors when the
    rule asks), each with their journal and status (calculations.submission_status).

    Supervisors and reps not required to submit are listed only when they did submit.
    ``prefetch`` is passed to the journals' prefetch_related; ``rule`` saves its two
    queries when the caller has it; ``loaded`` (:func:`team_members`, covering ``day``)
    saves the memberships and exemptions queries. Five queries (plus one per prefetch)
    whatever the team size. Ordered by username.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    rule = rule or effective_rules([team.pk])[team.pk]
    if loaded is None:
        loaded = team_members(team=team, first=day, last=day)
    elif not loaded.first <= day <= loaded.last:
        raise ValueError(f"team_day: {day} is outside the loaded members' days")
    members = [m for m in loaded.memberships if m.start <= day and (m.end is None or m.end >= day)]
    journals_qs: QuerySet[Journal] = Journal.objects.filter(team=team, day=day).prefetch_related(
        *prefetch
    )
    if counts:
        journals_qs = with_counts(journals_qs)
    journals = {j.rep_id: j for j in journals_qs}
    exemptions = loaded.exemptions
    work = work_calendar(team).is_workday(day)
    passed = now >= deadline_of(day, rule)
    rows = []
    seen: set[int] = set()
    for m in members:
        if m.user_id in seen or not m.user.is_active:
            continue
        seen.add(m.user_id)
        journal = journals.get(m.user_id)
        required = rule.required(m.role)
        if not required and (journal is None or journal.status == Journal.Status.DRAFT):
            continue
        kind = _exempt_kind(exemptions.get(m.user_id, []), day)
        status = calc.submission_status(
            day=day,
            today=today,
            work_day=work,
            required=required,
            exempt=bool(kind),
            journal_status=journal.status if journal else None,
            journal_late=journal.is_late if journal else False,
            deadline_passed=passed,
        )
        rows.append(MemberDay(m.user, m.role, journal, status, kind))
    return rows, rule


@dataclass
class Inbox:
    """The supervisor inbox of one team and day (docs/domain section 10, "Team today")."""

    team: OrgUnit
    day: dt.date
    rows: list[MemberDay]
    counts: dict[str, int]
    deadline: dt.datetime
    work_day: bool
    show: str = "all"
    visible_rows: list[MemberDay] = field(default_factory=list)


INBOX_FILTERS = ("all", "submitted", "late", "missing", "unreviewed")


def inbox(
    *, team: OrgUnit, day: dt.date, show: str = "all", now: dt.datetime | None = None
) -> Inbox:
    """The team's journals of ``day``: submitted, late, missing and unreviewed, with counts.

    ``show`` filters the rows: all / submitted / late / missing / unreviewed.
    Five queries whatever the team size (see :func:`team_day`).
    """
    rows, rule = team_day(team=team, day=day, now=now)
    counts = {
        "submitted": sum(r.status in (calc.ON_TIME, calc.LATE) for r in rows),
        "late": sum(r.status == calc.LATE for r in rows),
        "missing": sum(r.status == calc.MISSING for r in rows),
        "pending": sum(r.status == calc.PENDING for r in rows),
        "exempt": sum(r.status == calc.EXEMPT for r in rows),
        "unreviewed": sum(r.is_unreviewed for r in rows),
        "all": len(rows),
    }
    show = show if show in INBOX_FILTERS else "all"
    pick = {
        "all": lambda r: True,
        "submitted": lambda r: r.status in (calc.ON_TIME, calc.LATE),
        "late": lambda r: r.status == calc.LATE,
        "missing": lambda r: r.status == calc.MISSING,
        "unreviewed": lambda r: r.is_unreviewed,
    }[show]
    return Inbox(
        team=team,
        day=day,
        rows=rows,
        counts=counts,
        deadline=deadline_of(day, rule),
        work_day=work_calendar(team).is_workday(day),
        show=show,
        visible_rows=[r for r in rows if pick(r)],
    )


def teams_for_leader(scope: Scope) -> list[OrgUnit]:
    """Teams whose journals the viewer reads as a leader (supervised first, then managed;
    every team for admins), by name. One query."""
    teams = list(visible_teams(scope).order_by("name"))
    if scope.is_admin:
        return teams
    wanted = scope.visible_team_ids or frozenset()
    teams = [t for t in teams if t.pk in wanted]
    teams.sort(key=lambda t: (t.pk not in scope.supervised_team_ids, t.name))
    return teams


def pick_team(scope: Scope, raw: str | None) -> tuple[OrgUnit, list[OrgUnit]]:
    """The team a leader page shows (``?team=<id>``, default the first of
    :func:`teams_for_leader`) and the choices. Http404 for a team outside the scope;
    PermissionDenied (403) for a viewer who leads no team."""
    from django.core.exceptions import PermissionDenied

    teams = teams_for_leader(scope)
    if raw:
        try:
            wanted = int(raw)
        except ValueError:
            raise Http404 from None
        for team in teams:
            if team.pk == wanted:
                return team, teams
        raise Http404
    if not teams:
        raise PermissionDenied
    return teams[0], teams


# --- submission statistics ---------------------------------------------------------------


@dataclass
class StatsRow:
    """One member's on-time / late / missing counts per ISO week (Monday dates)."""

    user: User
    weeks: dict[dt.date, calc.SubmissionCounts]
    total: calc.SubmissionCounts


def submission_stats(
    *, team: OrgUnit, weeks: int = 8, now: dt.datetime | None = None
) -> tuple[list[dt.date], list[StatsRow]]:
    """On-time, late and missing journals by member and ISO week for the last ``weeks``
    weeks up to today (docs/domain section 9: weeks are local ISO weeks). A day counts for
    the team the person belonged to that day. Five queries whatever the team size."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    monday = today - dt.timedelta(days=today.weekday())
    starts = [monday - dt.timedelta(weeks=i) for i in range(weeks - 1, -1, -1)]
    first, last = starts[0], today
    rule = effective_rules([team.pk])[team.pk]
    members = list(
        Membership.objects.filter(
            memberships_during(first, last),
            unit=team,
            role__in=[Membership.Role.REP, Membership.Role.SUPERVISOR],
        ).select_related("user")
    )
    journals = {
        (rep_id, day): (status, late)
        for rep_id, day, status, late in Journal.objects.filter(
            team=team, day__gte=first, day__lte=last
        ).values_list("rep_id", "day", "status", "is_late")
    }
    exemptions = _exemptions({m.user_id for m in members}, first, last)
    calendar = work_calendar(team)
    statuses: dict[int, dict[dt.date, list[str]]] = defaultdict(lambda: defaultdict(list))
    users: dict[int, User] = {}
    for m in members:
        if not rule.required(m.role):
            continue
        users[m.user_id] = m.user
        for day in days_between(max(first, m.start), min(last, m.end or last)):
            status, late = journals.get((m.user_id, day), (None, False))
            s = calc.submission_status(
                day=day,
                today=today,
                work_day=calendar.is_workday(day),
                required=True,
                exempt=bool(_exempt_kind(exemptions.get(m.user_id, []), day)),
                journal_status=status,
                journal_late=late,
                deadline_passed=now >= deadline_of(day, rule),
            )
            statuses[m.user_id][day - dt.timedelta(days=day.weekday())].append(s)
    rows = []
    for user_id, user in sorted(users.items(), key=lambda kv: kv[1].username):
        by_week = {w: calc.count_statuses(statuses[user_id].get(w, [])) for w in starts}
        total = calc.count_statuses(s for lst in statuses[user_id].values() for s in lst)
        rows.append(StatsRow(user, by_week, total))
    return starts, rows


# --- morning meeting ----------------------------------------------------------------------
