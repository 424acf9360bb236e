"""Follow-ups: a visit's dated next step (后期安排) becomes a reminder to its rep on that
morning; overdue ones are listed for the supervisor and posted to the team's channels
(docs/domain, section 3)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.delivery import team_post
from accounts.scoping import team_of

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


def follow_ups_due_send(*, now: dt.datetime | None = None) -> int:
    """Each morning: remind each rep of the next steps due today (one notification per rep
    and day, listing them), and post each team's overdue next steps to its channels that
    take follow-ups (once per team and day). Returns the reps reminded by this run."""
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
        with translation.override(settings.LANGUAGE_CODE):
            title = _("Follow-ups due today: %(n)d") % {"n": len(visits)}
        body = "\n".join(f"{v.customer.name}: {v.next_step}" for v in visits)
        with transaction.atomic():
            sent += _notify(rep, f"follow-ups-due:{today}", title, body, url)
    for team_id, visits in overdue_by_team.items():
        with translation.override(settings.LANGUAGE_CODE):
            head = _("Overdue follow-ups, %(day)s:") % {"day": today.isoformat()}
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
