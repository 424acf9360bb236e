"""Follow-up escalation (docs/domain, section 1 and 3), configured per organisation in
``OrgSettings``: a customer whose next step (a visit's ``next_step_date``) passed with no
follow-up alerts its rep after ``follow_up_rep_days`` days, the team's supervisor after
``follow_up_supervisor_days``, and after ``follow_up_pool_days`` goes to the team's public
pool (公海). Each step is written once on the customer's timeline (a note, or the ownership
row of the release); notification keys make a second run do nothing."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership, OrgSettings
from accounts.scoping import active_memberships
from accounts.services import notification_send
from customers.models import Customer, CustomerNote
from customers.records import customer_note_create
from customers.services import customer_assign

from ..models import Visit


def follow_ups_escalate(*, today: dt.date | None = None) -> dict[str, int]:
    """Run the escalation for every overdue next step of the organisation on local
    ``today``. Only a customer's most recent open next step counts, and only while the
    visit's rep still owns the customer (a follow-up after it, or a new owner, ends it).
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
    open_steps = (
        Visit.objects.filter(
            next_step_done=False, next_step_date__lte=today - dt.timedelta(days=first)
        )
        .exclude(next_step="")
        .filter(customer__owner_id=F("rep_id"))
        .select_related("customer", "customer__team", "rep")
        .order_by("customer_id", "-next_step_date", "-id")
    )
    latest: dict[int, Visit] = {}
    for visit in open_steps:
        latest.setdefault(visit.customer_id, visit)
    supervisors = _supervisors(
        {v.customer.team_id for v in latest.values() if v.customer.team_id}, today
    )
    for visit in latest.values():
        customer = visit.customer
        due = visit.next_step_date
        if due is None:  # pragma: no cover - filtered by the query
            continue
        if customer.last_activity_at and timezone.localdate(customer.last_activity_at) > due:
            continue  # followed up after the step was due
        late = (today - due).days
        url = reverse("customers:customer_detail", args=[customer.pk])
        args = {"name": customer.name, "step": visit.next_step, "days": late}
        if steps["rep"] and late >= steps["rep"]:
            sent = notification_send(
                user=visit.rep,
                key=f"follow-up-rep-{visit.pk}",
                title=_("Follow-up overdue: %(name)s") % args,
                body=_("%(step)s was due %(days)d days ago.") % args,
                url=url,
            )
            if sent:
                _note(customer, _("Follow-up overdue %(days)d days: the rep was alerted.") % args)
                done["rep"] += 1
        if steps["supervisor"] and late >= steps["supervisor"]:
            told = [
                notification_send(
                    user=boss,
                    key=f"follow-up-supervisor-{visit.pk}",
                    title=_("%(rep)s has not followed up %(name)s") % {**args, "rep": visit.rep},
                    body=_("%(step)s was due %(days)d days ago.") % args,
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
            notification_send(
                user=visit.rep,
                key=f"follow-up-pool-{visit.pk}",
                title=_("Customer released to the public pool: %(name)s") % args,
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
