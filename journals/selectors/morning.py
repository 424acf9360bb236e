"""The morning meeting: per rep, today's plan beside the previous work day's plan vs actual."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from accounts.calendar import work_calendar
from accounts.models import OrgSettings, OrgUnit, User
from customers.models import Customer, Stage

from .. import calculations as calc
from ..models import (
    Journal,
    PlanItem,
    Visit,
)
from ..presentation import contact_counts

#: Open customers with no visit or follow-up for this many days count as "not followed up"
from .journal import _plan_prefetch, _visit_prefetch
from .rules import effective_rules
from .team import team_day, team_members

#: at the morning meeting (capped by OrgSettings.pool_release_days).
FOLLOW_UP_DAYS = 14


@dataclass
class MeetingRow:
    """One person at the morning meeting: today's plan beside the previous work day's
    plan vs actual, and the flags of calculations.meeting_flags."""

    user: User
    today: Journal | None
    plan: list[PlanItem]
    previous: Journal | None
    previous_status: str
    previous_visits: list[Visit]
    achievement: list[calc.AchievementRow]
    overdue: int
    due_today: int
    stale: int
    flags: list[str]
    exempt_kind: str = ""

    @property
    def planned_visits(self) -> int:
        return sum(1 for p in self.plan if p.kind == PlanItem.Kind.VISIT)

    @property
    def contact_counts(self) -> dict[str, int]:
        """The previous work day's in-person visits and calls, WeChats or e-mails
        (``{"in_person": n, "remote": m}``, docs/domain, section 9, "Visits and follow-ups")."""
        return contact_counts(self.previous_visits)


@dataclass
class Meeting:
    team: OrgUnit
    day: dt.date
    previous_day: dt.date
    standard: int
    rows: list[MeetingRow]
    stale_days: int


def morning_meeting(*, team: OrgUnit, day: dt.date, now: dt.datetime | None = None) -> Meeting:
    """The morning meeting (晨会, docs/domain section 3) of ``team`` on ``day``.

    Per person: today's plan; the previous work day's plan vs actual (plan achievement
    and visit list); next steps overdue and due today; open customers (target to intent)
    with no activity for :data:`FOLLOW_UP_DAYS` days (at most pool_release_days); flags.
    A fixed number of queries whatever the team size (about fifteen).
    """
    now = now or timezone.now()
    org = OrgSettings.load()
    previous_day = work_calendar(team).previous_workday(day)
    # One load of the memberships and exemptions for both days.
    loaded = team_members(team=team, first=min(previous_day, day), last=max(previous_day, day))
    members, rule = team_day(
        team=team,
        day=day,
        now=now,
        counts=False,
        prefetch=(_plan_prefetch(),),
        rule=effective_rules([team.pk], org=org)[team.pk],
        loaded=loaded,
    )
    prev_rows = {
        r.user.pk: r
        for r in team_day(
            team=team,
            day=previous_day,
            now=now,
            counts=False,
            prefetch=(_plan_prefetch(), _visit_prefetch()),
            rule=rule,
            loaded=loaded,
        )[0]
    }
    ids = [m.user.pk for m in members]
    steps = {
        row["rep_id"]: row
        for row in Visit.objects.filter(
            rep_id__in=ids, next_step_done=False, next_step_date__lte=day
        )
        .exclude(next_step="")
        .values("rep_id")
        .annotate(
            overdue=Count("pk", filter=Q(next_step_date__lt=day)),
            due=Count("pk", filter=Q(next_step_date=day)),
        )
    }
    stale_days = min(FOLLOW_UP_DAYS, org.pool_release_days or FOLLOW_UP_DAYS)
    cutoff = now - dt.timedelta(days=stale_days)
    stale = dict(
        Customer.objects.filter(
            owner_id__in=ids, stage__in=[Stage.TARGET, Stage.RELATIONSHIP, Stage.INTENT]
        )
        .filter(Q(last_activity_at__lt=cutoff) | Q(last_activity_at__isnull=True))
        .values("owner_id")
        .annotate(n=Count("pk"))
        .values_list("owner_id", "n")
    )
    rows = []
    for m in members:
        uid = m.user.pk
        journal = m.journal
        plan = list(journal.plan_items.all()) if journal else []
        prev_row = prev_rows.get(uid)
        prev = prev_row.journal if prev_row else None
        prev_plan = list(prev.plan_items.all()) if prev else []
        prev_visits = list(prev.visits.all()) if prev else []
        prev_status = prev_row.status if prev_row else calc.NOT_REQUIRED
        visit_plan = [p for p in plan if p.kind == PlanItem.Kind.VISIT]
        step = steps.get(uid, {})
        flags = (
            []
            if m.status == calc.EXEMPT
            else calc.meeting_flags(
                planned_visits=len(visit_plan),
                planned_without_target=sum(1 for p in visit_plan if not p.customer_id),
                planned_without_preparation=sum(1 for p in visit_plan if not p.preparation.strip()),
                yesterday_visits=(
                    contact_counts(prev_visits)["in_person"]
                    if prev and prev.status != Journal.Status.DRAFT
                    else None
                ),
                standard=org.visit_standard_per_day,
                overdue_next_steps=step.get("overdue", 0),
                stale_customers=stale.get(uid, 0),
                yesterday_missing=prev_status == calc.MISSING,
            )
        )
        rows.append(
            MeetingRow(
                user=m.user,
                today=journal,
                plan=plan,
                previous=prev,
                previous_status=prev_status,
                previous_visits=prev_visits,
                achievement=calc.plan_achievement(
                    [p.purpose for p in prev_plan], [(v.purpose, v.channel) for v in prev_visits]
                ),
                overdue=step.get("overdue", 0),
                due_today=step.get("due", 0),
                stale=stale.get(uid, 0),
                flags=flags,
                exempt_kind=m.exempt_kind,
            )
        )
    return Meeting(team, day, previous_day, org.visit_standard_per_day, rows, stale_days)
