"""What every comment thread shares (journal, weekly report, team report, monthly
analysis comments): editing and deleting by the author only, the "edited" mark, and
@mentions (who a mention reaches, who the picker offers). The apps own their comment
models (each has ``author``, ``text``, ``created_at`` and ``edited_at``) and decide who
may see the commented document; this module takes that as a ``can_see(user)`` callable,
so it never imports an app above it (docs/architecture.md, Layers)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from domain.mentions import mentioned_usernames

from . import notifying
from .models import Membership, Notification, OrgUnit, User
from .scoping import active_memberships, scope_for

#: The longest comment, in characters (the longest of the comment forms).
MAX_LENGTH = 4000


def comment_text_clean(text: str) -> str:
    """``text`` stripped; ValidationError on the ``text`` field when empty or longer
    than :data:`MAX_LENGTH` characters."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write a comment first.")})
    if len(text) > MAX_LENGTH:
        raise ValidationError(
            {"text": _("A comment has at most %(n)d characters.") % {"n": MAX_LENGTH}}
        )
    return text


def comment_check_can_change(*, comment: Any, by: User) -> None:
    """PermissionDenied unless ``by`` wrote the comment: only its author edits or deletes
    it (a supervisor does not rewrite a rep's words, docs/domain, section 1)."""
    if comment.author_id != by.pk:
        raise PermissionDenied(_("Only its author may change or delete a comment."))


#: How much of a comment a notification quotes.
NOTICE_QUOTE = 500


def comment_notices_follow(*, notice_keys: Iterable[str], text: str | None) -> int:
    """The notifications already sent about a comment (mentions, "commented on your ...")
    follow it: ``text`` the comment's current text (after an edit) becomes their body;
    ``None`` (deleted) replaces the copy by "This comment was deleted." in each reader's
    language, so no notification keeps words the author took back (docs/domain, section 3,
    comment thread with @mentions). ``notice_keys``: their keys; a key ending with ':'
    matches every key starting with it. Returns how many were changed."""
    match = Q(pk__in=[])
    for key in notice_keys:
        match |= Q(key__startswith=key) if key.endswith(":") else Q(key=key)
    gone = notifying.notice(gettext_noop("This comment was deleted."))
    changed = 0
    for row in Notification.objects.filter(match).select_related("user"):
        message = dict(row.message or {})
        if text is None:
            message["body"] = gone.as_json()
            with translation.override(notifying.language_of(row.user)):
                row.body = str(gone)
        else:
            message.pop("body", None)
            row.body = text[:NOTICE_QUOTE]
        row.message = message
        row.save(update_fields=["body", "message"])
        changed += 1
    return changed


@transaction.atomic
def comment_edit(
    *,
    comment: Any,
    by: User,
    text: str,
    at: dt.datetime | None = None,
    notice_keys: Iterable[str] = (),
) -> list[str]:
    """Replace the comment's text and mark it edited (``edited_at``, aware). When the
    model has ``mentions``, they are re-read from the new text; the usernames mentioned
    for the first time are returned (the app notifies them). The notifications with
    ``notice_keys`` quote the new text (:func:`comment_notices_follow`). PermissionDenied
    for anyone but the author; ValidationError (field ``text``) for an empty or too long
    text."""
    comment_check_can_change(comment=comment, by=by)
    text = comment_text_clean(text)
    if text == comment.text:
        return []
    before = set(mentioned_usernames(comment.text))
    comment.text = text
    comment.edited_at = at or timezone.now()
    comment.save(update_fields=["text", "edited_at"])
    comment_notices_follow(notice_keys=notice_keys, text=text)
    return [n for n in mentioned_usernames(text) if n not in before]


@transaction.atomic
def comment_edit_mentioning(
    *,
    comment: Any,
    by: User,
    text: str,
    can_see: Callable[[User], bool],
    notify: Callable[[list[User]], object],
    notice_keys: Iterable[str] = (),
) -> Any:
    """:func:`comment_edit` for a comment model with ``mentions``: the mentions are
    re-read from the new text (reaching those ``can_see`` lets in), ``notify`` is called
    with the people mentioned for the first time, and the new names that reach nobody are
    left on ``comment.unreachable``. Returns ``comment``; raises as :func:`comment_edit`."""
    new = comment_edit(comment=comment, by=by, text=text, notice_keys=notice_keys)
    mentioned, unreachable = mentions_resolve(text=comment.text, by=by, can_see=can_see)
    before = {u.pk for u in comment.mentions.all()}
    comment.mentions.set(mentioned)
    comment.unreachable = [n for n in unreachable if n in new]
    notify([u for u in mentioned if u.pk not in before])
    return comment


@transaction.atomic
def comment_delete(*, comment: Any, by: User, notice_keys: Iterable[str] = ()) -> None:
    """Delete the comment (and its mentions); the notifications with ``notice_keys`` say
    it was deleted instead of quoting it (:func:`comment_notices_follow`).
    PermissionDenied for anyone but the author."""
    comment_check_can_change(comment=comment, by=by)
    comment_notices_follow(notice_keys=notice_keys, text=None)
    comment.delete()


def mentions_resolve(
    *, text: str, by: User, can_see: Callable[[User], bool], only: Iterable[str] | None = None
) -> tuple[list[User], list[str]]:
    """The people ``@username`` mentions in ``text`` reach, and the names that reach
    nobody. Reached: active users, not ``by``, for whom ``can_see(user)`` is True (they
    may see the commented document). Unreachable: unknown or inactive names and people
    outside the document's scope, in the text's order (``by``'s own name is neither).
    ``only`` limits both to those names (the new mentions of an edit). One query."""
    names = mentioned_usernames(text)
    if only is not None:
        wanted = set(only)
        names = [n for n in names if n in wanted]
    found = {u.username: u for u in User.objects.filter(username__in=names, is_active=True)}
    reached = [u for u in found.values() if u.pk != by.pk and can_see(u)]
    ok = {u.username for u in reached} | {by.username}
    return reached, [n for n in names if n not in ok]


def document_viewer(*, owner_id: int | None, team_id: int | None) -> Callable[[User], bool]:
    """``can_see(user)`` for a document owned by ``owner_id`` in team ``team_id`` (the
    scope rule of docs/domain, section 1, on today's memberships)."""
    return lambda user: scope_for(user).can_see(owner_id=owner_id, team_id=team_id)


def mention_candidates(
    *,
    team_id: int,
    day: dt.date,
    by: User,
    query: str,
    can_see: Callable[[User], bool],
    limit: int = 8,
) -> list[User]:
    """The people ``by`` may mention on a document of team ``team_id`` whose user name or
    display name contains ``query``: active members on ``day`` of the team and of the
    units above it (managers) for whom ``can_see(user)`` is True, not ``by``; at most
    ``limit``, by user name."""
    units = [team_id]
    unit = OrgUnit.objects.filter(pk=team_id).values_list("parent_id", flat=True).first()
    while unit is not None and len(units) < 10:
        units.append(unit)
        unit = OrgUnit.objects.filter(pk=unit).values_list("parent_id", flat=True).first()
    ids = Membership.objects.filter(active_memberships(day), unit_id__in=units).values_list(
        "user_id", flat=True
    )
    people = User.objects.filter(pk__in=ids, is_active=True).exclude(pk=by.pk)
    query = query.strip().lstrip("@")
    if query:
        people = people.filter(Q(username__icontains=query) | Q(display_name__icontains=query))
    out: list[User] = []
    for user in people.order_by("username")[: limit * 2]:
        if can_see(user):
            out.append(user)
        if len(out) == limit:
            break
    return out
