"""Chasing journals from the inbox (催交), the @mention picker, and the calendar feed."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.http import id_param, safe_next, text_param
from accounts.scoping import local_today, visible_users

from .. import selectors, services
from ._common import _parse_day, _scope


@login_required
@require_POST
def journal_chase(request: HttpRequest) -> HttpResponse:
    """Chase everyone of a team who owes a day's journal (or one person, ``user``).
    404 for a team out of scope; 403 for a viewer who does not supervise it."""
    scope = _scope(request)
    team, _teams = selectors.pick_team(scope, request.POST.get("team"))
    if not scope.can_manage_team(team.pk):
        raise PermissionDenied
    day = _parse_day(request, request.POST.get("day"), local_today())
    user = None
    user_id = id_param(request.POST.get("user"))
    if request.POST.get("user"):
        # Only someone the viewer sees (a member of the team today, docs/domain, section 1).
        user = visible_users(scope).filter(pk=user_id).first() if user_id else None
        if user is None:
            messages.error(request, _("Nobody owes this journal."))
            return redirect(safe_next(request, reverse("journals:inbox")))
    try:
        chases = services.journal_chase(
            team=team,
            day=day,
            by=request.user,  # type: ignore[arg-type]
            user=user,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            ngettext("Chased %(n)d person.", "Chased %(n)d people.", len(chases))
            % {"n": len(chases)},
        )
    here = reverse("journals:inbox") + f"?team={team.pk}&day={day.isoformat()}"
    return redirect(safe_next(request, here))


@login_required
def mention_candidates(request: HttpRequest, pk: int) -> HttpResponse:
    """The people the viewer may @mention on the journal (htmx autocomplete), matching
    ``q``. 404 for a journal out of scope, 403 for one the viewer may not comment."""
    scope = _scope(request)
    journal = selectors.journal_get(scope=scope, pk=pk)
    services.journal_check_can_comment(journal=journal, scope=scope)
    people = services.mention_candidates(
        journal=journal,
        by=request.user,  # type: ignore[arg-type]
        query=text_param(request.GET.get("q"), max_length=60),
    )
    return render(request, "journals/_mention_results.html", {"people": people})
