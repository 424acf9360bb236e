"""Deadline reminders, the supervisor digest and exemptions."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.calendar import calendar_cache, work_calendar
from accounts.delivery import team_post
from accounts.models import User
from accounts.notifying import language_of, notice
from accounts.scoping import scope_for
from accounts.wording import join_items
from customers.models import Stage
from customers.services import (
    team_of,
)

from .. import calculations as calc
from ..models import (
    Exemption,
)
from ..selectors import MemberDay, team_day

# --- checks -------------------------------------------------------------------------------
from .comments import _notify


def _active_teams() -> list:
    from accounts.models import OrgUnit

    return list(OrgUnit.objects.filter(kind=OrgUnit.Kind.TEAM, is_active=True).order_by("pk"))


def journal_reminders_send(*, now: dt.datetime | None = None) -> int:
    """At the deadline: notify each person whose journal for today is *missing* (a work
    day of the person's team on the organisation's calendar, required by the rule, not
    exempt, deadline passed, not submitted), in-app and by email. Exactly once per person
    and day, however often it runs: the notification key ``journal-missing:<day>`` is unique
    per user, and the email goes only with a new one. Returns the number of people notified
    by this run."""
    with calendar_cache():
        return _reminders_send(now or timezone.now())


def _reminders_send(now: dt.datetime) -> int:
    day = timezone.localdate(now)
    sent = 0
    url = reverse("journals:today")
    for team in _active_teams():
        if not work_calendar(team).is_workday(day):
            continue
        rows, _rule = team_day(team=team, day=day, now=now, counts=False)
        for row in rows:
            if row.status != calc.MISSING:
                continue
            title = notice(gettext_noop("Your journal for %(day)s is missing"), day=day.isoformat())
            body = notice(gettext_noop("The deadline has passed. Please submit today's journal."))
            with transaction.atomic():
                sent += _notify(row.user, f"journal-missing:{day}", title, body, url)
    return sent


def journal_digest_send(*, now: dt.datetime | None = None) -> int:
    """Morning digest: each supervisor gets the missing and late journals of the previous
    work day (on the team's calendar) of each team they supervise (once per team and day).
    Returns digests sent."""
    with calendar_cache():
        return _digest_send(now or timezone.now())


def _digest_send(now: dt.datetime) -> int:
    from accounts.models import Membership
    from accounts.scoping import active_memberships

    today = timezone.localdate(now)
    sent = 0
    for team in _active_teams():
        day = work_calendar(team).previous_workday(today)
        supervisors = [
            m.user
            for m in Membership.objects.filter(
                active_memberships(today), unit=team, role=Membership.Role.SUPERVISOR
            ).select_related("user")
            if m.user.is_active
        ]
        if not supervisors:
            continue
        rows, _rule = team_day(team=team, day=day, now=now, counts=False)
        missing = [r for r in rows if r.status == calc.MISSING]
        late = [r for r in rows if r.status == calc.LATE]
        if not rows or not (missing or late):
            continue
        url = reverse("journals:inbox") + f"?team={team.pk}&day={day.isoformat()}"
        title = notice(
            gettext_noop("%(team)s, %(day)s: %(missing)d missing, %(late)d late journals"),
            team=team.name,
            day=day.isoformat(),
            missing=len(missing),
            late=len(late),
        )
        for supervisor in supervisors:
            with translation.override(language_of(supervisor)):
                body = _digest_body(missing, late)  # names and labels: sent in their language
            with transaction.atomic():
                sent += _notify(supervisor, f"journal-digest:{team.pk}:{day}", title, body, url)
        team_post(team_id=team.pk, topic="digest", key=f"digest:{day}", text=f"{title}\n{body}")
    return sent


def _digest_body(missing: list[MemberDay], late: list[MemberDay]) -> str:
    lines = []
    if missing:
        lines.append(_("Missing: %(names)s") % {"names": join_items(r.user.name for r in missing)})
    if late:
        lines.append(_("Late: %(names)s") % {"names": join_items(r.user.name for r in late)})
    return "\n".join(lines)


def stage_label(stage: str) -> str:
    """The display label of a stage value ('' for none)."""
    return str(Stage(stage).label) if stage in Stage.values else ""


# --- exemptions ---------------------------------------------------------------------------


@transaction.atomic
def exemption_add(
    *,
    user: User,
    by: User,
    kind: str,
    start: dt.date,
    end: dt.date,
    note: str = "",
) -> Exemption:
    """Record leave or a business trip (inclusive dates): no journal is due, nobody is
    reminded, and the day is not *missing*. Only the supervisor of the person's team on
    ``start`` (or an admin) records it; PermissionDenied otherwise."""
    scope = scope_for(by)
    team = team_of(user, start)
    if not (scope.is_admin or (team is not None and scope.can_manage_team(team.pk))):
        raise PermissionDenied(_("Only the person's supervisor may record leave or trips."))
    exemption = Exemption(user=user, kind=kind, start=start, end=end, note=note.strip())
    exemption.full_clean()
    exemption.save()
    return exemption
