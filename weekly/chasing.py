"""Chasing (催交) personal weekly reports, the automatic reminder before the week's
deadline, and read receipts (已读) of personal reports (docs/domain, section 4).

A week's report is due at the journal deadline of the team's last work day of the week
(on the work calendar); one is owed by each rep of the team during the week whose report
is missing or still a draft."""

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
from accounts.models import Chase, OrgSettings, OrgUnit, User
from accounts.notifying import Notice, notice
from accounts.scoping import scope_for
from accounts.services import notification_deliver
from domain.periods import Period
from journals import calculations as journal_calc

from .models import ReportStatus, WeeklyReport, WeeklyReportRead
from .selectors import current_period, team_members


def weekly_deadline(team: OrgUnit, period: Period) -> dt.datetime | None:
    """The aware deadline of the week's reports for ``team``: the organisation's journal
    deadline on the team's last work day of the week (None for a week with no work day)."""
    cal = work_calendar(team)
    day = period.end - dt.timedelta(days=1)
    while day >= period.start and not cal.is_workday(day):
        day -= dt.timedelta(days=1)
    if day < period.start:
        return None
    deadline = OrgSettings.load().journal_deadline
    return journal_calc.deadline_at(day, deadline, settings.TIME_ZONE)


def weekly_owed(*, team: OrgUnit, period: Period) -> list[User]:
    """The reps of ``team`` during the week whose report is missing or a draft (by
    username; two queries)."""
    filed = set(
        WeeklyReport.objects.filter(week=period.start, rep__in=team_members(team.pk, period))
        .exclude(status=ReportStatus.DRAFT)
        .values_list("rep_id", flat=True)
    )
    return [u for u in team_members(team.pk, period) if u.pk not in filed and u.is_active]


def _notify(user: User, key: str, title: Notice, body: Notice) -> bool:
    """In-app and e-mail, in the recipient's language, like a journal chase."""
    return notification_deliver(
        user=user, key=key, title=title, body=body, url=reverse("weekly:report_current")
    )


@transaction.atomic
def weekly_chase(
    *, team: OrgUnit, period: Period, by: User, user: User | None = None
) -> list[Chase]:
    """Chase everyone of ``team`` who owes the week's report (or only ``user``): a chase
    row, an in-app notification and an e-mail each (in the recipient's language), and one
    message to the team's robot channels that take chases (the organisation's language),
    as a journal chase (``journals.services.journal_chase``). PermissionDenied unless
    ``by`` supervises the team; ValidationError when nobody (or not ``user``) owes it."""
    if not scope_for(by).can_manage_team(team.pk):
        raise PermissionDenied(_("Only the team's supervisor chases its weekly reports."))
    owed = weekly_owed(team=team, period=period)
    if user is not None:
        owed = [u for u in owed if u.pk == user.pk]
    if not owed:
        raise ValidationError(_("Nobody owes this weekly report."))
    week = period.key
    chases = []
    for person in owed:
        chase = chase_record(
            kind=Chase.Kind.WEEKLY, period=period.start, user=person, team=team, by=by
        )
        chases.append(chase)
        title = notice(
            gettext_noop("%(name)s is asking for your weekly report of %(week)s"),
            name=by.name,
            week=week,
        )
        body = notice(gettext_noop("Please submit your weekly report of %(week)s."), week=week)
        _notify(person, f"weekly-chase:{chase.pk}", title, body)
    text = notice(
        gettext_noop("%(by)s chases the weekly reports of %(team)s, %(week)s: %(names)s"),
        by=by.name,
        team=team.name,
        week=week,
        names=[u.name for u in owed],
    )
    team_post(team_id=team.pk, topic="chases", key=f"chase:{chases[0].pk}", text=text)
    return chases


def weekly_reminders_before_deadline(*, now: dt.datetime | None = None) -> int:
    """Within ``settings.REMINDER_LEAD_MINUTES`` before the week's deadline of a team,
    remind each rep whose report is missing or a draft, once per person and week
    (key ``weekly-due:<week>``), recorded as an automatic chase. Returns the reminded."""
    now = now or timezone.now()
    period = current_period(now)
    lead = dt.timedelta(minutes=settings.REMINDER_LEAD_MINUTES)
    sent = 0
    with calendar_cache():
        for team in OrgUnit.objects.filter(kind=OrgUnit.Kind.TEAM, is_active=True).order_by("pk"):
            deadline = weekly_deadline(team, period)
            if deadline is None or not deadline - lead <= now < deadline:
                continue
            for person in weekly_owed(team=team, period=period):
                title = notice(
                    gettext_noop("Your weekly report of %(week)s is due at %(time)s"),
                    week=period.key,
                    time=timezone.localtime(deadline).strftime("%H:%M"),
                )
                body = notice(gettext_noop("Please submit this week's report before the deadline."))
                with transaction.atomic():
                    if _notify(person, f"weekly-due:{period.key}", title, body):
                        chase_record(
                            kind=Chase.Kind.WEEKLY,
                            period=period.start,
                            user=person,
                            team=team,
                            by=None,
                        )
                        sent += 1
    return sent


def report_mark_read(*, report: WeeklyReport, reader: User, at: dt.datetime | None = None) -> bool:
    """Record that ``reader`` read the report (first and last time); nothing for its
    author or a draft. True on the reader's first read."""
    if report.rep_id == reader.pk or report.status == ReportStatus.DRAFT:
        return False
    at = at or timezone.now()
    if WeeklyReportRead.objects.filter(report=report, reader=reader).update(last_read_at=at):
        return False
    _row, created = WeeklyReportRead.objects.get_or_create(
        report=report, reader=reader, defaults={"first_read_at": at, "last_read_at": at}
    )
    return created
