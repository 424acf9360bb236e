"""Journal writes: today's journal, text, plan items and the submit / amend workflow."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.scoping import Scope, local_today
from customers.models import Customer
from customers.services import (
    team_of,
)
from salesops.events import ActivityRecorded, publish

from .. import calculations as calc
from ..models import (
    FOLLOW_UP_PURPOSES,
    VISIT_PURPOSES,
    Journal,
    JournalRevision,
    PlanItem,
    Purpose,
)
from ..selectors import effective_rule, journal_content

# --- checks -------------------------------------------------------------------------------
from .permissions import _author_edits, journal_check_can_amend


def journal_of_day(*, rep: User, day: dt.date | None = None) -> Journal:
    """The rep's journal for local ``day`` (default: the organisation's today) WITHOUT
    writing anything: the stored row, or a new unsaved draft in the rep's team of that day
    (``pk`` None) that :func:`journal_get_or_create_today` saves on the first write, so
    opening the Today page creates nothing (the journal rules: docs/domain, section 3).

    Raises ValidationError when the rep has no team that day or the day is more than one
    day ahead (a plan may be written the evening before).
    """
    day = day or local_today()
    existing = Journal.objects.filter(rep=rep, day=day).select_related("team").first()
    if existing:
        existing.rep = rep  # the caller's object: reading journal.rep costs no query
        return existing
    if day > local_today() + dt.timedelta(days=1):
        raise ValidationError(_("A journal can be started at most one day ahead."))
    team = team_of(rep, day)
    if team is None:
        raise ValidationError(
            _("You are not a member of a team on %(day)s.") % {"day": day.isoformat()}
        )
    return Journal(rep=rep, team=team, day=day)  # validated when saved


def journal_get_or_create_today(*, rep: User, day: dt.date | None = None) -> Journal:
    """The rep's journal for local ``day`` (default: the organisation's today), created as
    a draft in the rep's team of that day (customers.services.team_of) when missing: the
    row :func:`journal_of_day` gives, saved. Called by the first write of a day (autosave,
    a plan item, a visit, submit), never by a page that only shows the journal.

    Suggestions for its plan (yesterday's unfinished items, next steps due today) are
    offered by ``selectors.plan_suggestions`` and added with :func:`plan_item_add`
    (``carried_from``). Raises ValidationError when the rep has no team that day or the
    day is more than one day ahead (a plan may be written the evening before).
    """
    journal = journal_of_day(rep=rep, day=day)
    if journal.pk is not None:
        return journal
    journal.full_clean()
    try:
        with transaction.atomic():
            journal.save()
    except IntegrityError:  # created concurrently (two tabs): use the winner's row
        return Journal.objects.select_related("team").get(rep=rep, day=journal.day)
    return journal


@transaction.atomic
def journal_update_text(
    *,
    journal: Journal,
    by: User,
    learning_topic: str | None = None,
    takeaways: str | None = None,
    summary: str | None = None,
) -> Journal:
    """Save the rep's own text (learning topic, takeaways, daily summary) of a draft.

    Fields left None are not touched, so the autosave can post one field at a time.
    """
    _author_edits(journal, by)
    fields = []
    for name, value in (
        ("learning_topic", learning_topic),
        ("takeaways", takeaways),
        ("summary", summary),
    ):
        if value is not None:
            setattr(journal, name, value)
            fields.append(name)
    # Only the fields written are validated (length, and any constraint on them): the
    # others were validated when saved, and checking them again costs five queries on
    # every autosave (foreign keys, the one-journal-a-day rule, the status constraint).
    journal.full_clean(exclude=[f.name for f in Journal._meta.fields if f.name not in fields])
    journal.save(update_fields=[*fields, "updated_at"])
    return journal


def _kind_for(purpose: str) -> str:
    if purpose in VISIT_PURPOSES:
        return PlanItem.Kind.VISIT
    if purpose == Purpose.APPOINTMENT:
        return PlanItem.Kind.APPOINTMENT
    if purpose in FOLLOW_UP_PURPOSES:
        return PlanItem.Kind.FOLLOW_UP
    raise ValidationError({"purpose": _("Choose a purpose.")})


def _check_customer(customer: Customer | None, journal: Journal) -> None:
    if customer is not None and customer.owner_id != journal.rep_id:
        raise ValidationError({"customer": _("Pick one of your own customers.")})


@transaction.atomic
def plan_item_add(
    *,
    journal: Journal,
    by: User,
    purpose: str,
    customer: Customer | None = None,
    preparation: str = "",
    carried_from: PlanItem | None = None,
) -> PlanItem:
    """Add a planned visit (first visit / explanation / closing), appointment or follow-up
    (collection / coordination / research / service); the kind follows from ``purpose``.

    ``customer`` must be the rep's own, a planned visit names one, and the same customer
    with the same purpose is planned once per day (ValidationError on ``customer``
    otherwise); ``carried_from`` links an unfinished item of an earlier journal that was
    offered as a suggestion.
    """
    _author_edits(journal, by)
    if purpose in VISIT_PURPOSES and customer is None:
        raise ValidationError({"customer": _("A planned visit names its customer.")})
    _check_customer(customer, journal)
    if (
        customer is not None
        and journal.plan_items.filter(customer=customer, purpose=purpose).exists()
    ):
        raise ValidationError(
            {"customer": _("This customer is already planned with that purpose on this day.")}
        )
    kind = _kind_for(purpose)
    position = journal.plan_items.filter(kind=kind).count()
    item = PlanItem(
        journal=journal,
        kind=kind,
        customer=customer,
        purpose=purpose,
        preparation=preparation.strip(),
        carried_from=carried_from,
        position=position,
    )
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def plan_item_remove(*, item: PlanItem, by: User) -> None:
    """Remove a plan item from a draft journal (its visit records stay, unlinked)."""
    _author_edits(item.journal, by)
    item.delete()


# --- visits -------------------------------------------------------------------------------


@transaction.atomic
def journal_submit(*, journal: Journal, by: User, at: dt.datetime | None = None) -> Journal:
    """Submit a draft: sets ``submitted_at`` and ``is_late`` (after the deadline of the
    journal's *local* day under its team's rule, docs/domain section 3). The journal keeps
    its day: one for 2026-03-01 submitted 2026-03-02 00:30 Asia/Shanghai is late.

    A re-submission after an amendment keeps the lateness of the first submission.
    Raises ValidationError when the deadline passed and late submission is not allowed.
    """
    _author_edits(journal, by)
    at = at or timezone.now()
    rule = effective_rule(journal.team_id)
    amended = journal.revision > 1
    late = calc.is_late(
        day=journal.day, submitted_at=at, deadline=rule.deadline, tz=settings.TIME_ZONE
    )
    if amended:
        late = journal.is_late
    elif late and not rule.late_allowed:
        raise ValidationError(
            _("The deadline (%(time)s) has passed and late submission is not allowed.")
            % {"time": rule.deadline.strftime("%H:%M")}
        )
    journal.status = Journal.Status.SUBMITTED
    journal.submitted_at = at
    journal.is_late = late
    journal.full_clean()
    journal.save(update_fields=["status", "submitted_at", "is_late", "updated_at"])
    _notify_kpis_journal_submitted(journal)
    return journal


def _notify_kpis_journal_submitted(journal: Journal) -> None:
    """Publish that the author's activity changed (docs/architecture.md, Events): the KPIs
    subscribe and recompute the team's day after commit."""
    publish(ActivityRecorded(user_id=journal.rep_id, team_id=journal.team_id, day=journal.day))


@transaction.atomic
def journal_amend(*, journal: Journal, by: User) -> Journal:
    """Reopen a submitted journal for its author: the current content is frozen as a
    JournalRevision (JSON, see selectors.journal_content), the revision number goes up and
    the journal is a draft again (its review is cleared; the evaluation stays)."""
    journal_check_can_amend(journal=journal, scope=Scope(user_id=by.pk, day=journal.day))
    JournalRevision.objects.create(
        journal=journal,
        number=journal.revision,
        content=journal_content(journal),
        submitted_at=journal.submitted_at,
        created_by=by,
    )
    journal.revision += 1
    journal.status = Journal.Status.DRAFT
    journal.reviewed_at = None
    journal.reviewed_by = None
    journal.save(update_fields=["revision", "status", "reviewed_at", "reviewed_by", "updated_at"])
    return journal
