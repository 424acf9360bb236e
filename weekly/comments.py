"""Comments on personal and team weekly reports: adding with @mentions (stored,
highlighted, notified to their reader in the reader's language, names that reach nobody
reported back), editing and deleting by the author (``accounts.comments``), and the
mention picker's candidates (docs/domain, section 4)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.comments import (
    comment_delete,
    comment_edit_mentioning,
    comment_text_clean,
    document_viewer,
    mention_candidates,
    mentions_resolve,
)
from accounts.models import User
from accounts.notifying import notice
from accounts.scoping import scope_for
from accounts.services import notification_deliver
from domain.periods import period_of

from .models import TeamWeeklyComment, TeamWeeklyReport, WeeklyComment, WeeklyReport
from .services import report_check_can_comment

Comment = WeeklyComment | TeamWeeklyComment
Report = WeeklyReport | TeamWeeklyReport


def _viewer(report: Report) -> Callable[[User], bool]:
    owner = report.rep_id if isinstance(report, WeeklyReport) else report.author_id
    return document_viewer(owner_id=owner, team_id=report.team_id)


def _week(report: Report) -> str:
    return period_of(report.week, "week").key


def _url(report: Report, comment: Comment) -> str:
    if isinstance(report, WeeklyReport):
        page = reverse("weekly:report_detail", args=[report.pk])
    else:
        page = reverse("weekly:team_report", args=[report.team.code, _week(report)])
    return f"{page}#comment-{comment.pk}"


def _notify_mentions(report: Report, comment: Comment, by: User, people: list[User]) -> None:
    """Each mentioned person, addressed as the reader: "your weekly report" to its rep,
    "the weekly report of <rep>" to others; "the team report of <team>" for a team's."""
    week = _week(report)
    for user in people:
        if isinstance(report, TeamWeeklyReport):
            title = notice(
                gettext_noop("%(name)s mentioned you on the team report of %(team)s, %(week)s"),
                name=by.name,
                team=report.team.name,
                week=week,
            )
        elif user.pk == report.rep_id:
            title = notice(
                gettext_noop("%(name)s mentioned you on your weekly report of %(week)s"),
                name=by.name,
                week=week,
            )
        else:
            title = notice(
                gettext_noop("%(name)s mentioned you on the weekly report of %(rep)s, %(week)s"),
                name=by.name,
                rep=report.rep.name,
                week=week,
            )
        notification_deliver(
            user=user,
            key=f"weekly-mention:{type(comment).__name__}:{comment.pk}:{user.pk}",
            title=title,
            body=comment.text[:500],
            url=_url(report, comment),
        )


@transaction.atomic
def report_comment_add(*, report: WeeklyReport, by: User, text: str) -> WeeklyComment:
    """Add a comment to a personal report (anyone who sees it). ``@username`` mentions of
    people who may see the report are stored and notified; the names that reach nobody
    are left on ``comment.unreachable``. The report's rep is told of comments by others
    ("your weekly report"). PermissionDenied for a viewer who may not comment;
    ValidationError (field ``text``) when empty or too long."""
    report_check_can_comment(report=report, scope=scope_for(by))
    text = comment_text_clean(text)
    comment = WeeklyComment.objects.create(report=report, author=by, text=text)
    mentioned, unreachable = mentions_resolve(text=text, by=by, can_see=_viewer(report))
    comment.mentions.set(mentioned)
    comment.unreachable = unreachable  # type: ignore[attr-defined]
    _notify_mentions(report, comment, by, mentioned)
    if report.rep_id != by.pk and report.rep not in mentioned:
        notification_deliver(
            user=report.rep,
            key=f"weekly-comment:{comment.pk}",
            title=notice(gettext_noop("%(name)s commented on your weekly report"), name=by.name),
            body=text[:500],
            url=_url(report, comment),
        )
    return comment


@transaction.atomic
def team_comment_add(*, report: TeamWeeklyReport, by: User, text: str) -> TeamWeeklyComment:
    """Comment on a team report (anyone who sees it), with @mentions as
    :func:`report_comment_add`. PermissionDenied for a viewer outside the team;
    ValidationError when empty or too long."""
    if not scope_for(by).can_see_team(report.team_id):
        raise PermissionDenied(_("You may not comment on this team report."))
    text = comment_text_clean(text)
    comment = TeamWeeklyComment.objects.create(report=report, author=by, text=text)
    mentioned, unreachable = mentions_resolve(text=text, by=by, can_see=_viewer(report))
    comment.mentions.set(mentioned)
    comment.unreachable = unreachable  # type: ignore[attr-defined]
    _notify_mentions(report, comment, by, mentioned)
    return comment


@transaction.atomic
def weekly_comment_edit(*, comment: Comment, by: User, text: str) -> Comment:
    """The author edits their comment (marked edited with the time); mentions are re-read
    and people mentioned for the first time notified; names that reach nobody are left on
    ``comment.unreachable``. PermissionDenied for anyone else; ValidationError when empty."""
    report: Report = comment.report
    return comment_edit_mentioning(
        comment=comment,
        by=by,
        text=text,
        can_see=_viewer(report),
        notify=lambda people: _notify_mentions(report, comment, by, people),
        notice_keys=_notice_keys(comment),
    )


def weekly_comment_delete(*, comment: Comment, by: User) -> None:
    """The author deletes their comment; its notifications say so instead of quoting it.
    PermissionDenied for anyone else."""
    comment_delete(comment=comment, by=by, notice_keys=_notice_keys(comment))


def _notice_keys(comment: Comment) -> tuple[str, ...]:
    """The keys of the notifications that quote ``comment`` (mentions, "commented on")."""
    keys = [f"weekly-mention:{type(comment).__name__}:{comment.pk}:"]
    if isinstance(comment, WeeklyComment):
        keys.append(f"weekly-comment:{comment.pk}")
    return tuple(keys)


def weekly_mention_candidates(*, report: Report, by: User, query: str) -> list[User]:
    """The people ``by`` may mention on ``report`` matching ``query``: members of its team
    and the managers above who may see it, not ``by`` (at most 8, by user name). The
    caller fetched the report through the viewer's scope."""
    day: dt.date = report.week + dt.timedelta(days=6)
    return mention_candidates(
        team_id=report.team_id, day=day, by=by, query=query, can_see=_viewer(report)
    )
