"""Follow-ups: a visit's dated next step (后期安排) becomes a reminder to its rep on that
morning; an overdue one reminds its rep once a day (the one rule of
:func:`overdue_next_steps` and :func:`overdue_reminder_send`, shared by the morning
reminder and the escalation), and overdue ones are posted to the team's channels
(docs/domain, section 3)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.delivery import team_post
from accounts.models import Notification, OrgSettings
from accounts.notifying import notice
from accounts.scoping import team_of
from customers.models import CustomerNote
from customers.records import customer_note_create

from ..models import Visit
from .comments import _notify


def next_steps_open(*, rep_ids: list[int] | None = None, until: dt.date) -> QuerySet[Visit]:
    """Open dated next steps (not done, with a text) due on or before ``until``, oldest
    first, with the customer and rep loaded; of ``rep_ids`` when given."""
    rows = Visit.objects.filter(
        next_step_done=False, next_step_date__lte=until, next_step__regex=r"\S"
    )
    if rep_ids is not None:
        rows = rows.filter(rep_id__in=rep_ids)
    return rows.select_related("customer", "rep").order_by("next_step_date", "occurred_at", "pk")


def overdue_next_steps(*, today: dt.date, min_days: int = 1) -> list[Visit]:
    """The overdue next steps that still call for a reminder on local ``today``: open
    (not done, with a text), due at least ``min_days`` days before ``today``, the
    customer's most recent open next step, while the visit's rep still owns the customer
    and nothing was recorded on the customer after the due date (a follow-up ends it).
    One query; customer, its team and the rep loaded; by customer. ``min_days`` below 1
    counts as 1 (a step due today is not overdue)."""
    min_days = max(min_days, 1)
    rows = (
        Visit.objects.filter(
            next_step_done=False, next_step_date__lte=today - dt.timedelta(days=min_days)
        )
        .filter(next_step__regex=r"\S", customer__owner_id=F("rep_id"))
        .select_related("customer", "customer__team", "rep")
        .order_by("customer_id", "-next_step_date", "-id")
    )
    latest: dict[int, Visit] = {}
    for visit in rows:
        latest.setdefault(visit.customer_id, visit)
    out = []
    for visit in latest.values():
        last = visit.customer.last_activity_at
        due = visit.next_step_date
        if due is not None and not (last and timezone.localdate(last) > due):
            out.append(visit)
    return out


def overdue_reminder_send(*, visit: Visit, today: dt.date) -> bool:
    """Remind the visit's rep of its overdue next step: at most one reminder per next step
    and local day, whichever job sends it first (key ``follow-up-rep:<visit>:<day>``), in
    the rep's language, in-app and by e-mail. True when this call sent it."""
    due = visit.next_step_date
    if due is None:
        return False
    args = {"name": visit.customer.name, "step": visit.next_step, "days": (today - due).days}
    return _notify(
        visit.rep,
        f"follow-up-rep:{visit.pk}:{today}",
        notice(gettext_noop("Follow-up overdue: %(name)s"), **args),
        notice(gettext_noop("%(step)s was due %(days)d days ago."), **args),
        reverse("customers:customer_detail", args=[visit.customer_id]),
    )


def overdue_reminders_send(*, today: dt.date) -> list[Visit]:
    """Send :func:`overdue_reminder_send` for each of :func:`overdue_next_steps` once they
    are ``OrgSettings.follow_up_rep_days`` days late (0: the rep is not reminded of
    overdue steps); the first reminder of a step is noted on the customer's timeline.
    Returns the steps reminded by this call (docs/domain, section 3)."""
    days = OrgSettings.load().follow_up_rep_days
    if not days:
        return []
    sent = []
    for visit in overdue_next_steps(today=today, min_days=days):
        with transaction.atomic():
            if overdue_reminder_send(visit=visit, today=today):
                sent.append(visit)
                earlier = Notification.objects.filter(
                    user_id=visit.rep_id, key__startswith=f"follow-up-rep:{visit.pk}:"
                ).exclude(key=f"follow-up-rep:{visit.pk}:{today}")
                if not earlier.exists():
                    days = (today - visit.next_step_date).days if visit.next_step_date else 0
                    with translation.override(settings.LANGUAGE_CODE):
                        text = _("Follow-up overdue %(days)d days: the rep was alerted.") % {
                            "days": days
                        }
                    customer_note_create(
                        customer=visit.customer, by=None, kind=CustomerNote.Kind.NOTE, text=text
                    )
    return sent


def follow_ups_due_send(*, now: dt.datetime | None = None) -> int:
    """Each morning: remind each rep of the next steps due today (one notification per rep
    and day, listing them) and of each overdue next step (:func:`overdue_reminders_send`,
    one per step and day, shared with the escalation), and post each team's overdue next
    steps to its channels that take follow-ups (once per team and day). Returns the reps
    reminded of today's steps by this run."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    due: dict[int, list[Visit]] = defaultdict(list)
    overdue_by_team: dict[int, list[Visit]] = defaultdict(list)
    for visit in next_steps_open(until=today):
        if visit.next_step_date == today:
            due[visit.rep_id].append(visit)
        else:
            team = team_of(visit.rep, today)
            if team is not None:
                overdue_by_team[team.pk].append(visit)
    sent = 0
    url = reverse("journals:today")
    for visits in due.values():
        rep = visits[0].rep
        title = notice(gettext_noop("Follow-ups due today: %(n)d"), n=len(visits))
        body = "\n".join(f"{v.customer.name}: {v.next_step}" for v in visits)
        with transaction.atomic():
            sent += _notify(rep, f"follow-ups-due:{today}", title, body, url)
    overdue_reminders_send(today=today)
    for team_id, visits in overdue_by_team.items():
        with translation.override(settings.LANGUAGE_CODE):  # a group: the organisation's
            head = str(notice(gettext_noop("Overdue follow-ups, %(day)s:"), day=today.isoformat()))
        lines = [
            f"{v.rep.name} · {v.customer.name} · {v.next_step_date:%m-%d} · {v.next_step}"
            for v in visits[:30]
        ]
        team_post(
            team_id=team_id,
            topic="follow_ups",
            key=f"follow-ups:{today}",
            text="\n".join([head, *lines]),
        )
    return sent
