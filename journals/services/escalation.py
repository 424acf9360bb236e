"""Follow-up escalation (docs/domain, section 1 and 3), configured per organisation in
``OrgSettings``: a customer whose next step (a visit's ``next_step_date``) passed with no
follow-up alerts its rep after ``follow_up_rep_days`` days, the team's supervisor after
``follow_up_supervisor_days``, and after ``follow_up_pool_days`` goes to the team's public
pool (公海). Each step is written once on the customer's timeline (a note, or the ownership
row of the release); notification keys make a second run do nothing. Notifications are
notice codes and values, read in each recipient's language."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import Membership, OrgSettings
from accounts.notifying import notice
from accounts.scoping import active_memberships
from accounts.services import notification_deliver
from customers.models import Customer, CustomerNote
from customers.records import customer_note_create
from customers.services import customer_assign

from .follow_ups import overdue_next_steps, overdue_reminders_send


def follow_ups_escalate(*, today: dt.date | None = None) -> dict[str, int]:
    """Run the escalation for every overdue next step of the organisation on local
    ``today``. Which steps count is the one rule of ``follow_ups.overdue_next_steps`` (a
    customer's most recent open next step, while the visit's rep still owns the customer;
    a follow-up after it, or a new owner, ends it). The rep's alert is the daily overdue
    reminder (``follow_ups.overdue_reminders_send``, one per step and day, shared with the
    morning reminder); the supervisor's
    alert and the release to the pool happen once.
    Returns counts ``{"rep": n, "supervisor": n, "pool": n}`` of steps taken this run."""
    today = today or timezone.localdate()
    org = OrgSettings.load()
    steps = {
        "rep": org.follow_up_rep_days,
        "supervisor": org.follow_up_supervisor_days,
        "pool": org.follow_up_pool_days,
    }
    first = min((d for d in steps.values() if d), default=0)
    done = {"rep": 0, "supervisor": 0, "pool": 0}
    if not first:
        return done
    # The rep's reminder is the morning reminder's rule (follow_ups.overdue_reminders_send):
    # one reminder per overdue next step and day, whichever job runs first.
    reminded = {v.pk for v in overdue_reminders_send(today=today)}
    latest = overdue_next_steps(today=today, min_days=first)
    supervisors = _supervisors({v.customer.team_id for v in latest if v.customer.team_id}, today)
    for visit in latest:
        customer = visit.customer
        due = visit.next_step_date
        if due is None:  # pragma: no cover - filtered by the query
            continue
        late = (today - due).days
        url = reverse("customers:customer_detail", args=[customer.pk])
        args = {"name": customer.name, "step": visit.next_step, "days": late}
        if visit.pk in reminded:
            done["rep"] += 1
        if steps["supervisor"] and late >= steps["supervisor"]:
            told = [
                notification_deliver(
                    user=boss,
                    key=f"follow-up-supervisor-{visit.pk}",
                    title=notice(
                        gettext_noop("%(rep)s has not followed up %(name)s"),
                        rep=visit.rep.name,
                        **args,
                    ),
                    body=notice(gettext_noop("%(step)s was due %(days)d days ago."), **args),
                    url=url,
                )
                for boss in supervisors.get(customer.team_id or 0, [])
            ]
            if any(told):
                _note(
                    customer,
                    _("Follow-up overdue %(days)d days: the supervisor was alerted.") % args,
                )
                done["supervisor"] += 1
        if steps["pool"] and late >= steps["pool"]:
            with transaction.atomic():
                locked = (
                    Customer.objects.select_for_update()
                    .filter(pk=customer.pk, owner=visit.rep)
                    .first()
                )
                if locked is None:
                    continue
                customer_assign(
                    customer=locked,
                    owner=None,
                    by=None,
                    team=locked.team,
                    reason=_("Offered to the public pool: follow-up %(days)d days overdue") % args,
                )
            notification_deliver(
                user=visit.rep,
                key=f"follow-up-pool-{visit.pk}",
                title=notice(
                    gettext_noop("Customer released to the public pool: %(name)s"), **args
                ),
                url=url,
            )
            done["pool"] += 1
    return done


def _supervisors(team_ids: set[int], day: dt.date) -> dict[int, list]:
    rows = Membership.objects.filter(
        active_memberships(day), unit_id__in=team_ids, role=Membership.Role.SUPERVISOR
    ).select_related("user")
    found: dict[int, list] = {}
    for m in rows:
        if m.user.is_active:
            found.setdefault(m.unit_id, []).append(m.user)
    return found


def _note(customer: Customer, text: str) -> None:
    customer_note_create(customer=customer, by=None, kind=CustomerNote.Kind.NOTE, text=text)
