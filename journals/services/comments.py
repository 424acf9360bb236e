"""Supervisor evaluation, review and comments with @mentions, and their notifications."""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from accounts.notifying import Notice, language_of, notice
from accounts.scoping import scope_for
from accounts.services import notification_send

from ..models import (
    Comment,
    Journal,
)

# --- checks -------------------------------------------------------------------------------
from .permissions import journal_check_can_comment, journal_check_can_review


def _notify(user: User, key: str, title: str | Notice, body: str | Notice, url: str) -> bool:
    """In-app notification, and an email after commit when it is new (idempotent per key).
    Returns True when this call sent it."""
    sent = notification_send(user=user, key=key, title=title, body=body, url=url)
    if sent is None:
        return False
    if user.email:
        # The e-mail is written in the recipient's language, like the in-app text.
        with translation.override(language_of(user)):
            subject, text = sent.shown_title, sent.shown_body
        text = f"{text}\n\n{settings_site_url()}{sent.url}".strip()
        transaction.on_commit(lambda: send_mail(subject, text, None, [user.email]))
    return True


def settings_site_url() -> str:
    """The site's address for links in emails (settings.SITE_URL, else empty: relative)."""
    return str(getattr(settings, "SITE_URL", "") or "").rstrip("/")


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


MENTION = re.compile(r"(?<![\w.])@([\w.+-]+)")


def mentioned_usernames(text: str) -> list[str]:
    """Usernames mentioned as ``@username`` in ``text``, in order, without duplicates."""
    seen: dict[str, None] = {}
    for name in MENTION.findall(text):
        seen.setdefault(name.rstrip("."), None)
    return list(seen)


@transaction.atomic
def comment_add(*, journal: Journal, by: User, text: str) -> Comment:
    """Add a comment to the journal's thread. ``@username`` mentions of people who may see
    the journal are stored and notified; the journal's author is notified of comments by
    others. ValidationError for an empty comment."""
    journal_check_can_comment(journal=journal, scope=scope_for(by))
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Write a comment first.")})
    comment = Comment.objects.create(journal=journal, author=by, text=text)
    url = reverse("journals:journal_detail", args=[journal.pk]) + f"#comment-{comment.pk}"
    names = mentioned_usernames(text)
    mentioned = [
        u
        for u in User.objects.filter(username__in=names, is_active=True)
        if u.pk != by.pk and scope_for(u).can_see(owner_id=journal.rep_id, team_id=journal.team_id)
    ]
    comment.mentions.set(mentioned)
    title = notice(
        gettext_noop("%(name)s commented on the journal of %(rep)s, %(day)s"),
        name=by.name,
        rep=journal.rep.name,
        day=journal.day.isoformat(),
    )
    for user in mentioned:
        _notify(user, f"journal-mention:{comment.pk}", title, text[:500], url)
    if journal.rep_id != by.pk and journal.rep not in mentioned:
        _notify(journal.rep, f"journal-comment:{comment.pk}", title, text[:500], url)
    return comment


# --- reminders ----------------------------------------------------------------------------
