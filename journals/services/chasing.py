"""Chasing (催交) journals, the automatic reminder before the deadline, and read receipts
(已读) (docs/domain, section 3)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.calendar import calendar_cache, work_calendar
from accounts.chasing import chase_record
from accounts.delivery import team_post
from accounts.models import Chase, OrgUnit, User
from accounts.notifying import notice
from accounts.scoping import scope_for

from .. import calculations as calc
from ..models import Journal, JournalRead
from ..selectors import MemberDay, team_day
from ..selectors.rules import deadline_of
from .comments import _notify

#: The statuses of a person who owes the day's journal: not submitted on a work day,
#: required, not exempt (before or after the deadline).
OWES = (calc.PENDING, calc.MISSING)


def journal_owed(*, team: OrgUnit, day: dt.date, now: dt.datetime | None = None) -> list[MemberDay]:
    """The people of ``team`` who owe the journal of ``day`` (status pending or missing)."""
    rows, _rule = team_day(team=team, day=day, now=now, counts=False)
    return [r for r in rows if r.status in OWES]


@transaction.atomic
def journal_chase(
    *, team: OrgUnit, day: dt.date, by: User, user: User | None = None
) -> list[Chase]:
    """Chase everyone of ``team`` who owes the journal of ``day`` (or only ``user``): one
    chase row each, an in-app notification and an e-mail to them (a notice code and
    values: each reads it in their own language), and one message to the team's channels
    that take chases (in the organisation's language). PermissionDenied unless ``by``
    supervises the team; ValidationError when nobody (or ``user``) owes it. Returns the
    chases, by username."""
    if not scope_for(by).can_manage_team(team.pk):
        raise PermissionDenied(_("Only the team's supervisor chases its journals."))
    with calendar_cache():
        owed = journal_owed(team=team, day=day)
    if user is not None:
        owed = [r for r in owed if r.user.pk == user.pk]
    if not owed:
        raise ValidationError(_("Nobody owes this journal."))
    url = (
        reverse("journals:today")
        if day == timezone.localdate()
        else reverse("journals:calendar") + f"?month={day:%Y-%m}"
    )
    chases = []
    for row in owed:
        chase = chase_record(kind=Chase.Kind.JOURNAL, period=day, user=row.user, team=team, by=by)
        chases.append(chase)
        title = notice(
            gettext_noop("%(name)s is asking for your journal of %(day)s"),
            name=by.name,
            day=day.isoformat(),
        )
        body = notice(gettext_noop("Please file your journal of %(day)s."), day=day.isoformat())
        _notify(row.user, f"journal-chase:{chase.pk}", title, body, url)
    text = notice(
        gettext_noop("%(by)s chases the journals of %(team)s, %(day)s: %(names)s"),
        by=by.name,
        team=team.name,
        day=day.isoformat(),
        names=[r.user.name for r in owed],
    )
    team_post(team_id=team.pk, topic="chases", key=f"chase:{chases[0].pk}", text=text)
    return chases


def journal_reminders_before_deadline(*, now: dt.datetime | None = None) -> int:
    """Within ``settings.REMINDER_LEAD_MINUTES`` before a team's deadline on a work day,
    remind each person who has not filed today's journal (status pending): once per
    person and day (notification key ``journal-due:<day>``), recorded as an automatic
    chase. Returns the number reminded by this run."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    lead = dt.timedelta(minutes=settings.REMINDER_LEAD_MINUTES)
    sent = 0
    with calendar_cache():
        for team in OrgUnit.objects.filter(kind=OrgUnit.Kind.TEAM, is_active=True).order_by("pk"):
            if not work_calendar(team).is_workday(day):
                continue
            rows, rule = team_day(team=team, day=day, now=now, counts=False)
            deadline = deadline_of(day, rule)
            if not deadline - lead <= now < deadline:
                continue
            for row in rows:
                if row.status != calc.PENDING:
                    continue
                title = notice(
                    gettext_noop("Your journal of %(day)s is due at %(time)s"),
                    day=day.isoformat(),
                    time=timezone.localtime(deadline).strftime("%H:%M"),
                )
                body = notice(gettext_noop("Please file today's journal before the deadline."))
                with transaction.atomic():
                    if _notify(
                        row.user, f"journal-due:{day}", title, body, reverse("journals:today")
                    ):
                        chase_record(
                            kind=Chase.Kind.JOURNAL, period=day, user=row.user, team=team, by=None
                        )
                        sent += 1
    return sent


def journal_mark_read(*, journal: Journal, reader: User, at: dt.datetime | None = None) -> bool:
    """Record that ``reader`` read the journal (first and last time). Nothing for its
    author or a draft. Returns True when this was the reader's first read."""
    if journal.rep_id == reader.pk or journal.status == Journal.Status.DRAFT:
        return False
    at = at or timezone.now()
    updated = JournalRead.objects.filter(journal=journal, reader=reader).update(last_read_at=at)
    if updated:
        return False
    _row, created = JournalRead.objects.get_or_create(
        journal=journal, reader=reader, defaults={"first_read_at": at, "last_read_at": at}
    )
    return created
