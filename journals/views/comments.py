"""Editing and deleting one's own journal comment inline (htmx), through the shared
``accounts.views_comments`` views; the comment is fetched through the viewer's scope
(404 outside it), and only its author may change it (403)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from accounts.views_comments import comment_delete_view, comment_edit_view

from .. import services
from ..models import Comment, Journal
from ._common import _scope

NAMES = ("journals:comment_edit", "journals:comment_delete")


def _comment(request: HttpRequest, pk: int) -> Comment:
    visible = Journal.objects.visible_to(_scope(request))
    comment = (
        Comment.objects.filter(journal__in=visible)
        .select_related("author", "journal", "journal__rep")
        .filter(pk=pk)
        .first()
    )
    if comment is None:
        raise Http404
    return comment


@login_required
@require_http_methods(["GET", "POST"])
def comment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """GET the edit form of one's own comment, POST its new text (marked edited)."""
    comment = _comment(request, pk)
    return comment_edit_view(
        request,
        comment=comment,
        edit=lambda text: services.journal_comment_edit(
            comment=comment,
            by=request.user,  # type: ignore[arg-type]
            text=text,
        ),
        names=NAMES,
        back=reverse("journals:journal_detail", args=[comment.journal_id]),
    )


@login_required
@require_POST
def comment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete one's own comment (the page asks first)."""
    comment = _comment(request, pk)
    return comment_delete_view(
        request,
        comment=comment,
        delete=lambda: services.journal_comment_delete(
            comment=comment,
            by=request.user,  # type: ignore[arg-type]
        ),
        back=reverse("journals:journal_detail", args=[comment.journal_id]),
    )
