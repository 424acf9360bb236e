"""Helpers shared by the coaching writes: local midnight of a day, a team's reps during a
period, and the check that the caller leads the team.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.scoping import rep_spans, scope_for
from kpi.calculations import Period

# --------------------------------------------------------------------------- diagnosis


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def _team_reps(team_id: int, period: Period) -> dict[int, tuple[dt.date, dt.date]]:
    """Reps of the team during the period: {user id: (first day, last day) inside it}
    (accounts.scoping.rep_spans)."""
    return rep_spans(team_id, period.start, period.end - dt.timedelta(days=1))


# --------------------------------------------------------------------------- plans


def _check_lead(by: User, team_id: int | None) -> None:
    if not scope_for(by).can_lead_team(team_id):
        raise PermissionDenied(_("Only the team's supervisor or manager can do this."))
