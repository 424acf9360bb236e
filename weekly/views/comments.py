"""Weekly and team report comments: the @mention picker, and editing and deleting one's
own comment inline (htmx) through ``accounts.views_comments``. Comments and reports are
fetched through the viewer's scope (404 outside it); only a comment's author changes it
(403)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.http import text_param
from accounts.middleware import ScopedRequest
from accounts.views_comments import comment_delete_view, comment_edit_view
from accounts.wording import list_separator

from .. import selectors as sel
from .. import services
from ..comments import weekly_comment_delete, weekly_comment_edit, weekly_mention_candidates
from ..models import TeamWeeklyComment, TeamWeeklyReport, WeeklyComment
from ._common import _report, _scope

NAMES = ("weekly:comment_edit", "weekly:comment_delete")
TEAM_NAMES = ("weekly:team_comment_edit", "weekly:team_comment_delete")


def with_mentions(comments: Any) -> list[Any]:
    """``comments`` (a queryset of weekly or team comments) with authors, each with
    ``mention_names`` (the usernames it notified, for highlighting); two queries."""
    rows = list(comments.select_related("author").prefetch_related("mentions"))
    for c in rows:
        c.mention_names = [u.username for u in c.mentions.all()]
    return rows


def unreachable_warning(request: ScopedRequest, comment: Any) -> None:
    """Tell the author which @names reached nobody (unknown, or may not see the report)."""
    names = getattr(comment, "unreachable", [])
    if names:
        messages.warning(
            request,
            _("Not notified: @%(names)s (unknown, or may not see this page).")
            % {"names": (list_separator() + "@").join(names)},
        )


def _personal(request: ScopedRequest, pk: int) -> WeeklyComment:
    visible = sel.report_queryset(_scope(request))
    comment = (
        WeeklyComment.objects.filter(report__in=visible, pk=pk)
        .select_related("author", "report", "report__rep", "report__team")
        .first()
    )
    if comment is None:
        raise Http404
    return comment


def _team(request: ScopedRequest, pk: int) -> TeamWeeklyComment:
    comment = (
        TeamWeeklyComment.objects.filter(pk=pk)
        .select_related("author", "report", "report__team")
        .first()
    )
    if comment is None or not _scope(request).can_see_team(comment.report.team_id):
        raise Http404
    return comment


def _team_url(report: TeamWeeklyReport) -> str:
    return reverse("weekly:team_report", args=[report.team.code, sel.week_period(report).key])


@login_required
@require_GET
def report_mentions(request: ScopedRequest, pk: int) -> HttpResponse:
    """The people the viewer may @mention on a personal report (htmx autocomplete)."""
    report = _report(request, pk)
    services.report_check_can_comment(report=report, scope=_scope(request))
    people = weekly_mention_candidates(
        report=report, by=request.user, query=text_param(request.GET.get("q"), max_length=60)
    )
    return render(request, "journals/_mention_results.html", {"people": people})


@login_required
@require_GET
def team_report_mentions(request: ScopedRequest, pk: int) -> HttpResponse:
    """The people the viewer may @mention on a team report (htmx autocomplete)."""
    report = TeamWeeklyReport.objects.select_related("team").filter(pk=pk).first()
    if report is None or not _scope(request).can_see_team(report.team_id):
        raise Http404
    people = weekly_mention_candidates(
        report=report, by=request.user, query=text_param(request.GET.get("q"), max_length=60)
    )
    return render(request, "journals/_mention_results.html", {"people": people})


@login_required
@require_http_methods(["GET", "POST"])
def comment_edit(request: ScopedRequest, pk: int) -> HttpResponse:
    """GET the edit form of one's own report comment, POST its new text."""
    comment = _personal(request, pk)
    return comment_edit_view(
        request,
        comment=comment,
        edit=lambda text: weekly_comment_edit(comment=comment, by=request.user, text=text),
        names=NAMES,
        back=reverse("weekly:report_detail", args=[comment.report_id]),
    )


@login_required
@require_POST
def comment_delete(request: ScopedRequest, pk: int) -> HttpResponse:
    """Delete one's own report comment (the page asks first)."""
    comment = _personal(request, pk)
    return comment_delete_view(
        request,
        comment=comment,
        delete=lambda: weekly_comment_delete(comment=comment, by=request.user),
        back=reverse("weekly:report_detail", args=[comment.report_id]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def team_comment_edit(request: ScopedRequest, pk: int) -> HttpResponse:
    """GET the edit form of one's own team report comment, POST its new text."""
    comment = _team(request, pk)
    return comment_edit_view(
        request,
        comment=comment,
        edit=lambda text: weekly_comment_edit(comment=comment, by=request.user, text=text),
        names=TEAM_NAMES,
        back=_team_url(comment.report),
    )


@login_required
@require_POST
def team_comment_delete(request: ScopedRequest, pk: int) -> HttpResponse:
    """Delete one's own team report comment (the page asks first)."""
    comment = _team(request, pk)
    return comment_delete_view(
        request,
        comment=comment,
        delete=lambda: weekly_comment_delete(comment=comment, by=request.user),
        back=_team_url(comment.report),
    )
