"""Reads of meeting minutes and action items (docs/domain, sections 3 and 4): what a
meeting shows beside its reps, and the print view and workbook of the minutes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from accounts.models import OrgUnit

from ..models import ActionItem, MeetingMinutes


@dataclass
class MinutesView:
    """One meeting's minutes: the text, what was raised at it (decisions and action items)
    and the action items carried over from earlier meetings that are still open or were
    ticked off at this one."""

    team: OrgUnit
    kind: str
    day: dt.date
    minutes: MeetingMinutes | None
    decisions: list[ActionItem] = field(default_factory=list)
    actions: list[ActionItem] = field(default_factory=list)
    carried: list[ActionItem] = field(default_factory=list)

    @property
    def notes(self) -> str:
        """The minutes text, empty before the first save."""
        return self.minutes.notes if self.minutes else ""

    @property
    def open_count(self) -> int:
        """Action items still open (raised here or carried over)."""
        return sum(1 for i in self.actions + self.carried if i.done_at is None)


def minutes_view(*, team: OrgUnit, kind: str, day: dt.date) -> MinutesView:
    """The minutes of ``team``'s meeting of ``kind`` on ``day`` with its items. Carried
    over: the team's action items raised at an earlier meeting (an earlier day, or the
    other kind of meeting on the same day) that are open, or that were ticked off at this
    meeting. Three queries whatever the number of items."""
    minutes = MeetingMinutes.objects.filter(team=team, kind=kind, day=day).first()
    items = ActionItem.objects.select_related("owner", "done_by", "minutes")
    here = list(items.filter(minutes=minutes)) if minutes else []
    earlier = Q(minutes__day__lt=day) | Q(minutes__day=day, minutes__created_at__lt=_start(minutes))
    still = Q(done_at__isnull=True)
    if minutes:
        still |= Q(done_in=minutes)
    carried = list(
        items.filter(team=team, kind=ActionItem.Kind.ACTION)
        .filter(earlier)
        .filter(still)
        .exclude(minutes=minutes)
        .order_by("due", "id")
    )
    return MinutesView(
        team=team,
        kind=kind,
        day=day,
        minutes=minutes,
        decisions=[i for i in here if i.kind == ActionItem.Kind.DECISION],
        actions=[i for i in here if i.kind == ActionItem.Kind.ACTION],
        carried=carried,
    )


def _start(minutes: MeetingMinutes | None) -> dt.datetime:
    """When this meeting's minutes began (now when they do not exist yet): the same-day
    meeting of the other kind counts as earlier only when it began before."""
    return minutes.created_at if minutes else timezone.now()
