"""Supervisor evaluation, review and comments with @mentions, and their notifications."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import Membership, OrgUnit, User
from accounts.notifying import Notice, notice
from accounts.scoping import active_memberships, scope_for
from accounts.services import notification_deliver, site_url
from domain.mentions import mentioned_usernames

from ..models import (
    Comment,
    Journal,
)

# --- checks -------------------------------------------------------------------------------
from .permissions import journal_check_can_comment, journal_check_can_review


def _notify(user: User, key: str, title: str | Notice, body: str | Notice, url: str) -> bool:
    """In-app notification and e-mail (``accounts.services.notification_deliver``)."""
    return notification_deliver(user=user, key=key, title=title, body=body, url=url)


def settings_site_url() -> str:
    """The site's address for links in emails (``accounts.services.site_url``)."""
    return site_url()


@transaction.atomic
def journal_evaluate(*, journal: Journal, by: User, evaluation: str) -> Journal:
    """Write the supervisor evaluation and advice (主管评价与建议). Only that field: the
    rep's own text is never changed. ValidationError for a draft (nothing to evaluate)."""
    journal_check_can_review(journal=journal, scope=scope_for(by))
    if journal.status == Journal.Status.DRAFT:
        raise ValidationError(_("The journal has not been submitted yet."))
    journal.evaluation = evaluation.strip()
    journal.evaluated_by = by
    journal.save(update_fields=["evaluation", "evaluated_by", "updated_at"])
    return journal


@transaction.atomic
def journal_review(
    *, journal: Journal, by: User, evaluation: str | None = None, at: dt.datetime | None = None
) -> Journal:
    """Mark a submitted journal reviewed (optionally saving the evaluation first) and tell
    the rep. ValidationError for a draft."""
    if evaluation is not None and evaluation.strip() != journal.evaluation:
        journal_evaluate(journal=journal, by=by, evaluation=evaluation)
    journal_check_can_review(journal=journal, scope=scope_for(by))
    if journal.status == Journal.Status.DRAFT:
        raise ValidationError(_("The journal has not been submitted yet."))
    journal.status = Journal.Status.REVIEWED
    journal.reviewed_at = at or timezone.now()
    journal.reviewed_by = by
    journal.save(update_fields=["status", "reviewed_at", "reviewed_by", "updated_at"])
    _notify(
        journal.rep,
        f"journal-reviewed:{journal.pk}:{journal.revision}",
        notice(gettext_noop("Your journal of %(day)s was reviewed"), day=journal.day.isoformat()),
        journal.evaluation,
        reverse("journals:journal_detail", args=[journal.pk]),
    )
    return journal


@transaction.atomic
def comment_add(*, journal: Journal, by: User, text: str) -> Comment:
    """Add a comment to the journal's thread. ``@username`` mentions of people who may see
    the journal are stored and notified; the journal's author is notified of comments by
    others. Each notification is addressed to its reader ("your journal" for the author).
    The names that cannot be notified (unknown, inactive, or not allowed to see the
    journal) are left on ``comment.unreachable`` for the page to say so. ValidationError
    for an empty comment."""
    journal_check_can_comment(journal=journal, scope=scope_for(by))
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Write a comment first.")})
    comment = Comment.objects.create(journal=journal, author=by, text=text)
    url = reverse("journals:journal_detail", args=[journal.pk]) + f"#comment-{comment.pk}"
    names = mentioned_usernames(text)
    found = {u.username: u for u in User.objects.filter(username__in=names, is_active=True)}
    mentioned = [
        u
        for u in found.values()
        if u.pk != by.pk and scope_for(u).can_see(owner_id=journal.rep_id, team_id=journal.team_id)
    ]
    ok = {u.username for u in mentioned} | {by.username}
    comment.unreachable = [n for n in names if n not in ok]  # type: ignore[attr-defined]
    comment.mentions.set(mentioned)
    day = journal.day.isoformat()
    for user in mentioned:
        if user.pk == journal.rep_id:
            title = _("%(name)s mentioned you on your journal of %(day)s") % {
                "name": by.name,
                "day": day,
            }
        else:
            title = _("%(name)s mentioned you on the journal of %(rep)s, %(day)s") % {
                "name": by.name,
                "rep": journal.rep.name,
                "day": day,
            }
        _notify(user, f"journal-mention:{comment.pk}", title, text[:500], url)
    if journal.rep_id != by.pk and journal.rep not in mentioned:
        title = _("%(name)s commented on your journal of %(day)s") % {"name": by.name, "day": day}
        _notify(journal.rep, f"journal-comment:{comment.pk}", title, text[:500], url)
    return comment


def mention_candidates(*, journal: Journal, by: User, query: str, limit: int = 8) -> list[User]:
    """The people ``by`` may mention on ``journal`` whose user name or display name
    contains ``query``: active members of the journal's team and the managers above it
    who can see the journal, not ``by``; at most ``limit``, by user name. The caller has
    already fetched the journal through the viewer's scope."""
    units = [journal.team_id]
    unit = OrgUnit.objects.filter(pk=journal.team_id).values_list("parent_id", flat=True).first()
    while unit is not None and len(units) < 10:
        units.append(unit)
        unit = OrgUnit.objects.filter(pk=unit).values_list("parent_id", flat=True).first()
    ids = Membership.objects.filter(active_memberships(journal.day), unit_id__in=units).values_list(
        "user_id", flat=True
    )
    people = User.objects.filter(pk__in=ids, is_active=True).exclude(pk=by.pk)
    query = query.strip().lstrip("@")
    if query:
        people = people.filter(Q(username__icontains=query) | Q(display_name__icontains=query))
    out = []
    for user in people.order_by("username")[: limit * 2]:
        if scope_for(user).can_see(owner_id=journal.rep_id, team_id=journal.team_id):
            out.append(user)
        if len(out) == limit:
            break
    return out


# --- reminders ----------------------------------------------------------------------------
