"""Writes of meeting minutes, decisions and action items (docs/domain, sections 3 and 4):
the morning meeting (晨会) and the weekly meeting (周例会) keep minutes typed during the
meeting; an action item has an owner and a due date and comes back at every later meeting
of the team until it is ticked off.

Only a leader of the team (its supervisor, a manager above it, an admin) writes; views
resolve the team through ``journals.selectors.pick_team`` first, so a team outside the
viewer's scope never gets here (404).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership, OrgUnit, User
from accounts.scoping import Scope, active_memberships

from ..models import ActionItem, MeetingMinutes

#: The longest minutes text accepted, in characters.
NOTES_MAX = 20000
#: The longest decision or action item, in characters.
ITEM_MAX = 500


def meeting_check_can_run(*, scope: Scope, team: OrgUnit) -> None:
    """PermissionDenied unless the viewer leads ``team`` (supervisor, manager, admin)."""
    if not scope.can_lead_team(team.pk):
        raise PermissionDenied(_("Only the team's leaders keep the meeting's minutes."))


def meeting_owner_choices(*, team: OrgUnit, day: dt.date) -> list[User]:
    """People an action item of ``team`` may be given to on local ``day``: the team's reps
    and supervisors of that day, by name. One query."""
    rows = (
        Membership.objects.filter(
            active_memberships(day),
            unit=team,
            role__in=[Membership.Role.REP, Membership.Role.SUPERVISOR],
        )
        .select_related("user")
        .order_by("user__display_name", "user__username")
    )
    seen: dict[int, User] = {}
    for m in rows:
        if m.user.is_active:
            seen.setdefault(m.user_id, m.user)
    return list(seen.values())


def minutes_get_or_create(*, team: OrgUnit, kind: str, day: dt.date) -> MeetingMinutes:
    """The minutes of ``team``'s meeting of ``kind`` (``morning``/``weekly``) on ``day``,
    created empty when missing. ValidationError for an unknown kind."""
    if kind not in MeetingMinutes.Kind.values:
        raise ValidationError({"kind": _("Unknown meeting kind.")})
    minutes, _created = MeetingMinutes.objects.get_or_create(team=team, kind=kind, day=day)
    return minutes


@transaction.atomic
def minutes_save_notes(
    *, scope: Scope, team: OrgUnit, kind: str, day: dt.date, notes: str, by: User
) -> MeetingMinutes:
    """Save the minutes text typed during the meeting (autosave: last write wins).

    ValidationError (field ``notes``) over :data:`NOTES_MAX` characters; PermissionDenied
    for a viewer who does not lead the team."""
    meeting_check_can_run(scope=scope, team=team)
    if len(notes) > NOTES_MAX:
        raise ValidationError(
            {"notes": _("The minutes are longer than %(n)d characters.") % {"n": NOTES_MAX}}
        )
    minutes = minutes_get_or_create(team=team, kind=kind, day=day)
    minutes.notes = notes
    minutes.updated_by = by
    minutes.save(update_fields=["notes", "updated_by", "updated_at"])
    return minutes


@transaction.atomic
def action_item_add(
    *,
    scope: Scope,
    team: OrgUnit,
    kind: str,
    day: dt.date,
    item_kind: str,
    text: str,
    owner: User | None,
    due: dt.date | None,
    by: User,
) -> ActionItem:
    """Record a decision or an action item at ``team``'s meeting of ``kind`` on ``day``.

    An action item needs an owner who belongs to the team on ``day`` (see
    :func:`meeting_owner_choices`) and a due date not before the meeting. ValidationError
    keyed by field (``text``, ``owner``, ``due``, ``item_kind``); PermissionDenied for a
    viewer who does not lead the team."""
    meeting_check_can_run(scope=scope, team=team)
    text = (text or "").strip()
    errors: dict[str, str] = {}
    if item_kind not in ActionItem.Kind.values:
        errors["item_kind"] = _("Choose a decision or an action item.")
    if not text:
        errors["text"] = _("Write what was decided or what is to be done.")
    elif len(text) > ITEM_MAX:
        errors["text"] = _("At most %(n)d characters.") % {"n": ITEM_MAX}
    if item_kind == ActionItem.Kind.ACTION:
        if owner is None:
            errors["owner"] = _("An action item needs an owner.")
        elif owner.pk not in {u.pk for u in meeting_owner_choices(team=team, day=day)}:
            errors["owner"] = _("The owner must be a member of the team.")
        if due is None:
            errors["due"] = _("An action item needs a due date.")
        elif due < day:
            errors["due"] = _("The due date cannot be before the meeting.")
    else:
        owner, due = None, None
    if errors:
        raise ValidationError(errors)
    minutes = minutes_get_or_create(team=team, kind=kind, day=day)
    item = ActionItem(
        minutes=minutes,
        team=team,
        kind=item_kind,
        text=text,
        owner=owner,
        due=due,
        created_by=by,
    )
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def action_item_set_done(
    *, scope: Scope, item: ActionItem, done: bool, kind: str, day: dt.date, by: User
) -> ActionItem:
    """Tick an action item off (``done``) at the meeting of ``kind`` on ``day``, or open it
    again. Decisions have nothing to tick off (ValidationError). PermissionDenied for a
    viewer who does not lead the item's team."""
    meeting_check_can_run(scope=scope, team=item.team)
    if item.kind != ActionItem.Kind.ACTION:
        raise ValidationError({"item": _("Only action items are ticked off.")})
    if done and item.done_at is None:
        item.done_at = timezone.now()
        item.done_by = by
        item.done_in = minutes_get_or_create(team=item.team, kind=kind, day=day)
    elif not done:
        item.done_at, item.done_by, item.done_in = None, None, None
    item.save(update_fields=["done_at", "done_by", "done_in"])
    return item
