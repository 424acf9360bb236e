"""Writes for accounts: users, memberships and notifications (STYLE.md: services)."""

from __future__ import annotations

import datetime as dt

from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Membership, Notification, OrgUnit, User
from .scoping import active_memberships, local_today


@transaction.atomic
def user_deactivate(*, user: User) -> int:
    """Deactivate ``user`` and end every session they have. Returns sessions deleted.

    Sessions are found by decoding them, which is linear in the number of live
    sessions; deactivation is rare, so that is acceptable.
    """
    user.is_active = False
    user.save(update_fields=["is_active"])
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()
            ended += 1
    return ended


@transaction.atomic
def membership_start(
    *, user: User, unit: OrgUnit, role: str, start: dt.date | None = None
) -> Membership:
    """Put ``user`` in ``unit`` with ``role`` from ``start`` (default today).

    A rep or supervisor belongs to one team at a time: their open rep/supervisor
    membership ends the day before ``start``, so history stays (DOMAIN.md section 1).
    Raises ValidationError for an invalid unit/role pair or a start before the
    open membership's own start.
    """
    start = start or local_today()
    if role in {Membership.Role.REP, Membership.Role.SUPERVISOR}:
        open_rows = Membership.objects.select_for_update().filter(
            user=user, role__in=[Membership.Role.REP, Membership.Role.SUPERVISOR], end__isnull=True
        )
        for row in open_rows:
            if row.start >= start:
                raise ValidationError(
                    _("The new membership must start after %(day)s.") % {"day": row.start}
                )
            row.end = start - dt.timedelta(days=1)
            row.save(update_fields=["end"])
    membership = Membership(user=user, unit=unit, role=role, start=start)
    membership.full_clean()
    membership.save()
    return membership


def team_members(*, team: OrgUnit, day: dt.date | None = None) -> list[Membership]:
    """Memberships of ``team`` active on ``day``, supervisors first, then by name."""
    day = day or local_today()
    rows = list(
        Membership.objects.filter(active_memberships(day), unit=team).select_related("user")
    )
    order: dict[str, int] = {
        Membership.Role.SUPERVISOR: 0,
        Membership.Role.MANAGER: 1,
        Membership.Role.REP: 2,
    }
    rows.sort(key=lambda m: (order.get(m.role, 9), m.user.username))
    return rows


def notification_send(
    *, user: User, key: str, title: str, body: str = "", url: str = ""
) -> Notification | None:
    """Send an in-app notification once per (user, key). Returns None if already sent.

    Safe to call twice concurrently: the unique constraint decides, the loser returns None.
    """
    try:
        with transaction.atomic():
            return Notification.objects.create(user=user, key=key, title=title, body=body, url=url)
    except IntegrityError:
        return None


def notifications_mark_read(*, user: User, ids: list[int] | None = None) -> int:
    """Mark the user's notifications read (all unread when ``ids`` is None). Returns count."""
    rows = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=ids)
    return rows.update(read_at=timezone.now())
