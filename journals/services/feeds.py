"""A user's private iCal feed (RFC 5545, through the ``icalendar`` library) of planned
visits and dated next steps, for the phone's calendar: the feed's URL holds a random
token, the only credential, which its owner can replace (revoke) at any time."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from accounts.models import User

from ..models import CalendarFeed, PlanItem, Visit

#: How far back and ahead the feed reaches, in days.
FEED_PAST_DAYS, FEED_FUTURE_DAYS = 30, 180


@transaction.atomic
def calendar_feed_rotate(*, user: User) -> CalendarFeed:
    """Give ``user`` a new feed token (the old URL stops working at once)."""
    token = secrets.token_urlsafe(32)
    feed, _created = CalendarFeed.objects.update_or_create(user=user, defaults={"token": token})
    return feed


@transaction.atomic
def calendar_feed_revoke(*, user: User) -> None:
    """Remove the user's feed: its URL answers 404 from now on."""
    CalendarFeed.objects.filter(user=user).delete()


def calendar_feed_user(token: str) -> User | None:
    """The active owner of the feed ``token`` (None for an unknown or revoked token)."""
    if not token or len(token) > 64:
        return None
    feed = CalendarFeed.objects.select_related("user").filter(token=token).first()
    if feed is None or not feed.user.is_active:
        return None
    return feed.user


def calendar_feed_ics(*, user: User, today: dt.date | None = None) -> bytes:
    """The feed of ``user`` as iCalendar bytes: each planned visit, appointment or
    follow-up of their journals and each open dated next step of their visits, as an
    all-day event on its local day, from FEED_PAST_DAYS before to FEED_FUTURE_DAYS after
    ``today``. Texts in the organisation's language. Two queries."""
    today = today or timezone.localdate()
    first = today - dt.timedelta(days=FEED_PAST_DAYS)
    last = today + dt.timedelta(days=FEED_FUTURE_DAYS)
    cal = Calendar()
    cal.add("prodid", "-//SalesOps//journals//")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "SalesOps")
    stamp = timezone.now()
    with translation.override(settings.LANGUAGE_CODE):
        plan = (
            PlanItem.objects.filter(journal__rep=user, journal__day__range=(first, last))
            .select_related("journal", "customer")
            .order_by("journal__day", "position", "pk")
        )
        for item in plan:
            name = item.customer.name if item.customer else _("no customer named")
            event = Event()
            event.add("uid", f"plan-{item.pk}@salesops")
            event.add("dtstamp", stamp)
            event.add("dtstart", item.journal.day)
            event.add(
                "summary", f"{item.get_kind_display()}: {name} ({item.get_purpose_display()})"
            )
            if item.preparation:
                event.add("description", item.preparation)
            cal.add_component(event)
        steps = (
            Visit.objects.filter(
                rep=user,
                next_step_done=False,
                next_step_date__range=(first, last),
                next_step__regex=r"\S",
            )
            .select_related("customer")
            .order_by("next_step_date", "pk")
        )
        for visit in steps:
            event = Event()
            event.add("uid", f"next-step-{visit.pk}@salesops")
            event.add("dtstamp", stamp)
            event.add("dtstart", visit.next_step_date)
            event.add("summary", _("Next step: %(customer)s") % {"customer": visit.customer.name})
            event.add("description", visit.next_step)
            cal.add_component(event)
    return cal.to_ical()
