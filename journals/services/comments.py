"""Supervisor evaluation, review and comments with @mentions, and their notifications."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.comments import (
    comment_delete,
    comment_edit_mentioning,
    comment_text_clean,
    document_viewer,
    mentions_resolve,
)
from accounts.comments import mention_candidates as shared_candidates
from accounts.models import User
from accounts.notifying import Notice, notice
from accounts.scoping import scope_for
from accounts.services import notification_deliver, site_url

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
    others. Each notification is a notice addressed to its reader ("your journal" for the
    author) in the reader's language. The names that cannot be notified (unknown,
    inactive, or not allowed to see the journal) are left on ``comment.unreachable`` for
    the page to say so. ValidationError for an empty or too long comment."""
    journal_check_can_comment(journal=journal, scope=scope_for(by))
    text = comment_text_clean(text)
    comment = Comment.objects.create(journal=journal, author=by, text=text)
    mentioned, unreachable = mentions_resolve(text=text, by=by, can_see=_viewer(journal))
    comment.unreachable = unreachable  # type: ignore[attr-defined]
    comment.mentions.set(mentioned)
    _notify_mentions(journal, comment, by, mentioned)
    if journal.rep_id != by.pk and journal.rep not in mentioned:
        title = notice(
            gettext_noop("%(name)s commented on your journal of %(day)s"),
            name=by.name,
            day=journal.day.isoformat(),
        )
        _notify(journal.rep, f"journal-comment:{comment.pk}", title, text[:500], _url(comment))
    return comment


@transaction.atomic
def journal_comment_edit(*, comment: Comment, by: User, text: str) -> Comment:
    """The author edits their comment (marked edited with the time, through
    ``accounts.comments.comment_edit_mentioning``). Mentions are re-read from the new
    text; people mentioned for the first time are notified, and names that reach nobody
    are left on ``comment.unreachable``. PermissionDenied for anyone but the author;
    ValidationError for an empty text."""
    journal = comment.journal
    return comment_edit_mentioning(
        comment=comment,
        by=by,
        text=text,
        can_see=_viewer(journal),
        notify=lambda people: _notify_mentions(journal, comment, by, people),
        notice_keys=_notice_keys(comment),
    )


def journal_comment_delete(*, comment: Comment, by: User) -> None:
    """The author deletes their comment; its notifications say so instead of quoting it.
    PermissionDenied for anyone else."""
    comment_delete(comment=comment, by=by, notice_keys=_notice_keys(comment))


def _notice_keys(comment: Comment) -> tuple[str, ...]:
    """The keys of the notifications that quote ``comment`` (mentions, "commented on")."""
    return (f"journal-mention:{comment.pk}", f"journal-comment:{comment.pk}")


def _viewer(journal: Journal) -> Callable[[User], bool]:
    return document_viewer(owner_id=journal.rep_id, team_id=journal.team_id)


def _url(comment: Comment) -> str:
    return reverse("journals:journal_detail", args=[comment.journal_id]) + f"#comment-{comment.pk}"


def _notify_mentions(journal: Journal, comment: Comment, by: User, people: list[User]) -> None:
    day = journal.day.isoformat()
    for user in people:
        if user.pk == journal.rep_id:
            title = notice(
                gettext_noop("%(name)s mentioned you on your journal of %(day)s"),
                name=by.name,
                day=day,
            )
        else:
            title = notice(
                gettext_noop("%(name)s mentioned you on the journal of %(rep)s, %(day)s"),
                name=by.name,
                rep=journal.rep.name,
                day=day,
            )
        _notify(user, f"journal-mention:{comment.pk}", title, comment.text[:500], _url(comment))


def mention_candidates(*, journal: Journal, by: User, query: str, limit: int = 8) -> list[User]:
    """The people ``by`` may mention on ``journal`` whose user name or display name
    contains ``query``: active members of the journal's team and the managers above it
    who can see the journal, not ``by``; at most ``limit``, by user name
    (``accounts.comments.mention_candidates``). The caller has already fetched the
    journal through the viewer's scope."""
    return shared_candidates(
        team_id=journal.team_id,
        day=journal.day,
        by=by,
        query=query,
        can_see=_viewer(journal),
        limit=limit,
    )


# --- reminders ----------------------------------------------------------------------------
