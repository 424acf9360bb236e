"""The inline (htmx) edit and delete of a comment, shared by every comment thread
(journal, weekly report, team report, monthly analysis). Each app's view fetches the
comment through the viewer's scope (404 outside it) and passes its own service calls;
these functions only parse, call and render (docs/architecture.md, Conventions)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from .comments import comment_check_can_change
from .models import User


def _row_context(comment: Any, names: tuple[str, str]) -> dict[str, Any]:
    if hasattr(comment, "mentions") and not hasattr(comment, "mention_names"):
        comment.mention_names = [u.username for u in comment.mentions.all()]
    return {"c": comment, "comment_edit_name": names[0], "comment_delete_name": names[1]}


def comment_edit_view(
    request: HttpRequest,
    *,
    comment: Any,
    edit: Callable[[str], Any],
    names: tuple[str, str],
    back: str,
) -> HttpResponse:
    """GET: the edit form (htmx: the form in place of the comment; else a page with it;
    ``?cancel=1``: the comment again). POST ``text``: ``edit(text)`` (the app's service),
    then the comment row with its "edited" mark (htmx) or a redirect to ``back``; a
    ValidationError shows the form again with the message under the field, the typed
    text kept. 403 for anyone but the author (also on GET). ``names`` are the URL names
    of the app's edit and delete views."""
    user: User = request.user  # type: ignore[assignment]
    comment_check_can_change(comment=comment, by=user)
    context = _row_context(comment, names)
    htmx = bool(getattr(request, "htmx", False))
    if request.method == "POST":
        text = request.POST.get("text", "")
        try:
            edited = edit(text)
        except ValidationError as exc:
            errors = (
                exc.message_dict.get("text", exc.messages)
                if hasattr(exc, "error_dict")
                else exc.messages
            )
            context |= {"text": text, "errors": errors}
            template = "includes/comment_edit.html" if htmx else "includes/comment_edit_page.html"
            return render(request, template, context | {"back": back})
        context = _row_context(edited if edited is not None else comment, names)
        unreachable = getattr(edited, "unreachable", [])
        if htmx:
            return render(request, "includes/comment.html", context | {"unreachable": unreachable})
        messages.success(request, _("Your comment was changed."))
        if unreachable:
            messages.warning(
                request,
                _("Not notified: @%(names)s (unknown, or may not see this page).")
                % {"names": ", @".join(unreachable)},
            )
        return redirect(f"{back}#comment-{comment.pk}")
    if htmx and request.GET.get("cancel"):
        return render(request, "includes/comment.html", context)
    context |= {"text": comment.text, "errors": [], "back": back}
    template = "includes/comment_edit.html" if htmx else "includes/comment_edit_page.html"
    return render(request, template, context)


def comment_delete_view(
    request: HttpRequest, *, comment: Any, delete: Callable[[], None], back: str
) -> HttpResponse:
    """POST: ``delete()`` (the app's service; the page asked first). htmx: an empty
    answer that removes the comment in place, with the ``comment-deleted`` event so the
    page lowers the thread's count; else a redirect to ``back``. 403 for
    anyone but the author."""
    user: User = request.user  # type: ignore[assignment]
    comment_check_can_change(comment=comment, by=user)
    delete()
    if getattr(request, "htmx", False):
        # The page lowers the thread's count (static/js/salesops.js, "comment-deleted").
        return HttpResponse("", headers={"HX-Trigger": "comment-deleted"})
    messages.success(request, _("Your comment was deleted."))
    return redirect(f"{back}#comments")
