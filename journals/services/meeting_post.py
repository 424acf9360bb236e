"""A meeting's summary posted to the team's group robots (DingTalk, WeCom, Feishu): who
attended, the decisions and the action items with owners and due dates (docs/domain,
sections 3 and 4). Delivery, signing and retries are ``accounts.delivery`` (topic
``meetings``); this module only writes the text and asks for the post.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.delivery import team_post
from accounts.models import OrgUnit, User
from accounts.scoping import Scope

from ..models import ActionItem, Exemption, MeetingMinutes
from ..selectors.meetings import MinutesView, minutes_view
from .meetings import meeting_check_can_run, meeting_owner_choices, minutes_get_or_create

#: The longest part of the minutes text quoted in a post, in characters (a robot message
#: is read on a phone; the full minutes are on the minutes page).
NOTES_QUOTED = 600


@dataclass
class Attendance:
    """Who was expected at a meeting: the team's reps and supervisors of the day.
    ``absent`` pairs each absent member with why: the kind of an exemption covering the
    day (leave, business trip, other), or "absent" when the leader marked them so;
    ``marked`` are the ids the leader marked (the toggles of the minutes panel)."""

    present: list[User] = field(default_factory=list)
    absent: list[tuple[User, str]] = field(default_factory=list)
    marked: set[int] = field(default_factory=set)
    excused: set[int] = field(default_factory=set)
    #: Every member in name order: (user, "present" | "marked" | "excused", why absent).
    rows: list[tuple[User, str, str]] = field(default_factory=list)

    @property
    def expected(self) -> int:
        """Everyone expected, present or not."""
        return len(self.present) + len(self.absent)


def meeting_attendance(
    *,
    team: OrgUnit,
    day: dt.date,
    minutes: MeetingMinutes | None = None,
    members: list[User] | None = None,
) -> Attendance:
    """The attendance of ``team``'s meeting on local ``day``: the members of that day
    (``members``, default :func:`meeting_owner_choices`) less those on an exemption
    covering the day (docs/domain, section 3, "Status of one person on one day") and those
    the leader marked absent on ``minutes``. At most three queries."""
    if members is None:
        members = meeting_owner_choices(team=team, day=day)
    away = {
        e.user_id: str(Exemption.Kind(e.kind).label)
        for e in Exemption.objects.filter(
            Q(start__lte=day, end__gte=day), user__in=[u.pk for u in members]
        ).order_by("start", "pk")
    }
    marked = set(minutes.absent.values_list("pk", flat=True)) if minutes else set()
    result = Attendance(marked=marked, excused=set(away))
    for user in members:
        if user.pk in away:
            result.absent.append((user, away[user.pk]))
            result.rows.append((user, "excused", away[user.pk]))
        elif user.pk in marked:
            result.absent.append((user, _("absent")))
            result.rows.append((user, "marked", _("absent")))
        else:
            result.present.append(user)
            result.rows.append((user, "present", ""))
    return result


@transaction.atomic
def meeting_mark_absent(
    *, scope: Scope, team: OrgUnit, kind: str, day: dt.date, user: User, absent: bool
) -> MeetingMinutes:
    """Mark a member of ``team`` absent from (or present at) the meeting of ``kind`` on
    ``day``. ValidationError (field ``user``) for someone who is not a member that day;
    PermissionDenied for a viewer who does not lead the team."""
    meeting_check_can_run(scope=scope, team=team)
    if user.pk not in {u.pk for u in meeting_owner_choices(team=team, day=day)}:
        raise ValidationError({"user": _("Only members of the team can be marked absent.")})
    minutes = minutes_get_or_create(team=team, kind=kind, day=day)
    if absent:
        minutes.absent.add(user)
    else:
        minutes.absent.remove(user)
    return minutes


def _item_line(item: ActionItem) -> str:
    owner = item.owner.name if item.owner else "-"
    due = item.due.isoformat() if item.due else "-"
    return _("- %(text)s (owner %(owner)s, due %(due)s)") % {
        "text": item.text,
        "owner": owner,
        "due": due,
    }


def meeting_summary_text(view: MinutesView, attendance: Attendance) -> str:
    """The plain-text summary of a meeting in the active language: title, attendance,
    decisions, action items raised and those still open from earlier meetings (with owner
    and due date), then the start of the minutes (:data:`NOTES_QUOTED` characters)."""
    kind = MeetingMinutes.Kind(view.kind).label
    lines = [f"{kind} · {view.team.name} · {view.day.isoformat()}"]
    names = "、".join(u.name for u in attendance.present) or "-"
    lines.append(
        _("Attendance %(n)d of %(m)d: %(names)s")
        % {"n": len(attendance.present), "m": attendance.expected, "names": names}
    )
    if attendance.absent:
        away = "、".join(
            _("%(name)s (%(why)s)") % {"name": u.name, "why": why} for u, why in attendance.absent
        )
        lines.append(_("Absent: %(names)s") % {"names": away})
    lines.append(_("Decisions:"))
    lines += [f"{n}. {d.text}" for n, d in enumerate(view.decisions, 1)] or ["-"]
    lines.append(_("Action items:"))
    lines += [_item_line(i) for i in view.actions] or ["-"]
    still_open = [i for i in view.carried if i.done_at is None]
    if still_open:
        lines.append(_("Still open from earlier meetings:"))
        lines += [_item_line(i) for i in still_open]
    notes = view.notes.strip()
    if notes:
        quoted = notes if len(notes) <= NOTES_QUOTED else notes[:NOTES_QUOTED] + "…"
        lines += [_("Minutes:"), quoted]
    return "\n".join(lines)


def minutes_post(*, scope: Scope, team: OrgUnit, kind: str, day: dt.date, by: User) -> int:
    """Post the summary of ``team``'s meeting of ``kind`` on ``day`` to each of the team's
    active robot channels that take meeting summaries, in the organisation's language.

    Returns the number of deliveries queued: 0 when no channel takes the topic, or when
    the same summary was posted already (the key carries a digest of the text, so a double
    click posts once and a summary changed since posts again). PermissionDenied unless
    ``by`` supervises the team (or is an admin), like the team's channel settings."""
    if not scope.can_manage_team(team.pk):
        raise PermissionDenied(_("Only the team's supervisor posts to its group robots."))
    view = minutes_view(team=team, kind=kind, day=day)
    with translation.override(settings.LANGUAGE_CODE):
        attendance = meeting_attendance(team=team, day=day, minutes=view.minutes)
        text = meeting_summary_text(view, attendance)
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    key = f"minutes:{team.pk}:{kind}:{day.isoformat()}:{digest}"
    return team_post(team_id=team.pk, topic="meetings", key=key, text=text)
