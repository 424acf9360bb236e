"""Follow-ups: the supervisor's overdue next steps, and each user's private iCal feed
(the feed page to create, copy or revoke its address; the token-only feed itself)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from accounts.middleware import ScopedRequest
from accounts.scoping import local_today, reps_during

from .. import selectors, services
from ..models import CalendarFeed
from ._common import _scope


@login_required
def follow_ups(request: HttpRequest) -> HttpResponse:
    """The team's open next steps that are overdue or due today, oldest first (the
    supervisor's overdue list). 403 for a viewer who leads no team; 404 for a team out of
    scope. Three queries whatever the number of rows."""
    scope = _scope(request)
    team, teams = selectors.pick_team(scope, request.GET.get("team"))
    today = local_today()
    rep_ids = [u.pk for u in reps_during(team.pk, today, today)]
    rows = list(services.next_steps_open(rep_ids=rep_ids, until=today))
    return render(
        request,
        "journals/follow_ups.html",
        {
            "team": team,
            "teams": teams,
            "today": today,
            "overdue": [v for v in rows if v.next_step_date and v.next_step_date < today],
            "due": [v for v in rows if v.next_step_date == today],
        },
    )


@login_required
def calendar_feed_manage(request: ScopedRequest) -> HttpResponse:
    """The viewer's calendar feed: its private address; POST ``action=rotate`` makes a
    new address (the old one stops working), ``action=revoke`` removes it."""
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "rotate":
            services.calendar_feed_rotate(user=request.user)
            messages.success(
                request, _("A new calendar address was made; the old one no longer works.")
            )
        elif action == "revoke":
            services.calendar_feed_revoke(user=request.user)
            messages.success(request, _("The calendar address was revoked."))
        return redirect("journals:calendar_feed_manage")
    feed = CalendarFeed.objects.filter(user=request.user).first()
    url = (
        request.build_absolute_uri(reverse("journals:calendar_feed", args=[feed.token]))
        if feed
        else ""
    )
    return render(request, "journals/calendar_feed.html", {"feed": feed, "feed_url": url})


@never_cache
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The iCal feed of the token's owner (no login: the token is the credential);
    404 for an unknown or revoked token."""
    user = services.calendar_feed_user(token)
    if user is None:
        raise Http404
    response = HttpResponse(
        services.calendar_feed_ics(user=user), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="salesops.ics"'
    return response
