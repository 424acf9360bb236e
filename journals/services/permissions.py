"""Permission checks of journal writes: ``..._check_can_...`` raise PermissionDenied
(403 in views)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.scoping import Scope

from ..models import (
    Journal,
    Visit,
)
from ..selectors import effective_rule

# --- checks -------------------------------------------------------------------------------


def journal_check_can_create(*, rep: User, scope: Scope) -> None:
    """A journal is written by its own rep: nobody creates one for somebody else (403)."""
    if scope.user_id is None or rep.pk != scope.user_id:
        raise PermissionDenied(_("You can only write your own journal."))


def journal_check_can_edit(*, journal: Journal, scope: Scope) -> None:
    """Only the author edits, and only a draft: a submitted journal is read-only to its
    author (amend it instead), and a supervisor never changes the rep's own text (403)."""
    if journal.rep_id != scope.user_id:
        raise PermissionDenied(_("Only the author may change this journal."))
    if journal.is_locked():
        raise PermissionDenied(_("This journal was submitted; amend it to make changes."))


def journal_check_can_amend(*, journal: Journal, scope: Scope) -> None:
    """Only the author amends, and only a submitted (or reviewed) journal."""
    if journal.rep_id != scope.user_id:
        raise PermissionDenied(_("Only the author may amend this journal."))
    if not journal.is_locked():
        raise PermissionDenied(_("Only a submitted journal can be amended."))


def journal_check_can_review(*, journal: Journal, scope: Scope) -> None:
    """Evaluate and mark reviewed: the team's supervisor (or an admin), or a manager above
    the team when the team's submission rule says managers review. Never one's own."""
    if journal.rep_id == scope.user_id and not scope.is_admin:
        raise PermissionDenied(_("You cannot review your own journal."))
    if scope.can_manage_team(journal.team_id):
        return
    if (
        journal.team_id in scope.managed_team_ids
        and effective_rule(journal.team_id).reviewer_role == "manager"
    ):
        return
    raise PermissionDenied(_("Only the team's supervisor may review this journal."))


def journal_check_can_comment(*, journal: Journal, scope: Scope) -> None:
    """Anyone who sees the journal may comment: its author, the team's leaders, admins."""
    if not scope.can_see(owner_id=journal.rep_id, team_id=journal.team_id):
        raise PermissionDenied(_("You may not comment on this journal."))


def visit_check_can_mark_case(*, visit: Visit, scope: Scope) -> None:
    """Only the team's supervisor (or an admin) picks success cases for the weekly meeting."""
    if not scope.can_manage_team(visit.team_id):
        raise PermissionDenied(_("Only the team's supervisor may mark success cases."))


def _author_edits(journal: Journal, by: User) -> None:
    if journal.rep_id != by.pk:
        raise PermissionDenied(_("Only the author may change this journal."))
    if journal.is_locked():
        raise PermissionDenied(_("This journal was submitted; amend it to make changes."))


# --- journal ------------------------------------------------------------------------------
