"""Helpers shared by the coaching writes: local midnight of a day, a team's reps during a
period, and the check that the caller leads the team.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership, User
from accounts.scoping import scope_for
from kpi.calculations import Period

# --------------------------------------------------------------------------- diagnosis


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def _team_reps(team_id: int, period: Period) -> dict[int, tuple[dt.date, dt.date]]:
    """Reps of the team during the period: {user id: (first day, last day) inside it}."""
    last = period.end - dt.timedelta(days=1)
    rows = Membership.objects.filter(
        Q(end__isnull=True) | Q(end__gte=period.start),
        unit_id=team_id,
        role=Membership.Role.REP,
        start__lte=last,
        user__is_active=True,
    ).values_list("user_id", "start", "end")
    reps: dict[int, tuple[dt.date, dt.date]] = {}
    for user_id, start, end in rows:
        first, until = max(start, period.start), min(end or last, last)
        if user_id in reps:
            first, until = min(first, reps[user_id][0]), max(until, reps[user_id][1])
        reps[user_id] = (first, until)
    return reps


# --------------------------------------------------------------------------- plans


def _check_lead(by: User, team_id: int | None) -> None:
    if not scope_for(by).can_lead_team(team_id):
        raise PermissionDenied(_("Only the team's supervisor or manager can do this."))
