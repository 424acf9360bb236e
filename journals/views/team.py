"""Supervisor pages: inbox, submission statistics, morning meeting and exemptions."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.chasing import chases_by_user
from accounts.hooks import member_findings
from accounts.http import safe_next
from accounts.models import Chase
from accounts.scoping import get_visible_or_404, local_today, visible_users
from domain import visits as visit_rules

from .. import selectors, services
from ..forms import (
    ExemptionForm,
)
from ..models import Purpose
from ..presentation import (
    ACHIEVEMENT_LABELS,
    FLAG_LABELS,
    STATUS_LABELS,
    status_class,
)
from ._common import _parse_day, _scope
from .meetings import minutes_context


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """The team's journals of one day: submitted, late, missing, unreviewed. A fixed
    number of queries whatever the team size."""
    scope = _scope(request)
    team, teams = selectors.pick_team(scope, request.GET.get("team"))
    day = _parse_day(request, request.GET.get("day"), local_today())
    data = selectors.inbox(team=team, day=day, show=request.GET.get("show") or "all")
    chases = chases_by_user(kind=Chase.Kind.JOURNAL, team_id=team.pk, period=day)
    rows = [
        {
            "member": r,
            "label": STATUS_LABELS.get(r.status, r.status),
            "css": status_class(r.status),
            "owes": r.status in services.OWES,
            "chases": chases.get(r.user.pk, []),
        }
        for r in data.visible_rows
    ]
    first_unread = next(
        (r.journal.pk for r in data.rows if r.is_unreviewed and r.journal is not None), None
    )
    return render(
        request,
        "journals/inbox.html",
        {
            "team": team,
            "teams": teams,
            "inbox": data,
            "rows": rows,
            "day": day,
            "prev_day": day - dt.timedelta(days=1),
            "next_day": day + dt.timedelta(days=1),
            "is_today": day == local_today(),
            "can_manage": scope.can_manage_team(team.pk),
            "filters": [
                ("all", _("All")),
                ("submitted", _("Submitted")),
                ("late", _("Late")),
                ("missing", _("Missing")),
                ("unreviewed", _("Not reviewed")),
            ],
            "first_unread": first_unread,
            "owed": sum(r.status in services.OWES for r in data.rows),
            "far_checkin_m": visit_rules.CHECKIN_FAR_M,
            "exemption_kinds": ExemptionForm.base_fields["kind"].choices,  # type: ignore[attr-defined]
            "here": request.get_full_path(),
        },
    )


@login_required
def submission_stats(request: HttpRequest) -> HttpResponse:
    """On time / late / missing by member and ISO week."""
    scope = _scope(request)
    team, teams = selectors.pick_team(scope, request.GET.get("team"))
    try:
        weeks = max(1, min(26, int(request.GET.get("weeks") or 8)))
    except ValueError:
        weeks = 8
    starts, rows = selectors.submission_stats(team=team, weeks=weeks)
    return render(
        request,
        "journals/stats.html",
        {
            "team": team,
            "teams": teams,
            "weeks": weeks,
            "starts": starts,
            "rows": [
                {"user": r.user, "cells": [r.weeks[w] for w in starts], "total": r.total}
                for r in rows
            ],
        },
    )


def _findings_by_rep(team_id: int, day: dt.date) -> dict[int, list[object]]:
    """The team's open diagnosis findings of the month, per rep: the morning meeting shows
    them beside each rep. Provided by coaching through accounts.hooks (docs/architecture.md,
    Events and hooks), so journals never imports a higher layer."""
    return member_findings(team_id, day)


@login_required
def morning_meeting(request: HttpRequest) -> HttpResponse:
    """The morning meeting (晨会): per rep, today's plan beside the previous work day's
    plan vs actual, with flags and findings, and the meeting's minutes, decisions and
    action items; ``?present=1`` is meeting mode (one rep per screen), print CSS for paper."""
    scope = _scope(request)
    team, teams = selectors.pick_team(scope, request.GET.get("team"))
    day = _parse_day(request, request.GET.get("day"), local_today())
    meeting = selectors.morning_meeting(team=team, day=day)
    findings = _findings_by_rep(team.pk, day)
    rows = [
        {
            "row": r,
            "findings": findings.get(r.user.pk, []),
            "flags": [(f, FLAG_LABELS[f]) for f in r.flags],
            "achievement": [
                {"row": a, "label": ACHIEVEMENT_LABELS.get(a.key, a.key)}
                for a in r.achievement
                if a.key in ("visits", "follow_ups")
                # No appointment planned or made: no empty 约访 row.
                or (a.key == Purpose.APPOINTMENT and (a.planned or a.actual))
            ],
            "prev_label": STATUS_LABELS.get(r.previous_status, ""),
            "prev_css": status_class(r.previous_status),
        }
        for r in meeting.rows
    ]
    flagged = sum(1 for r in meeting.rows if r.flags)
    present = request.GET.get("present") == "1"
    base_q = urlencode({"team": team.pk, "day": day.isoformat()})
    return render(
        request,
        "journals/morning_meeting.html",
        {
            "team": team,
            "teams": teams,
            "meeting": meeting,
            "rows": rows,
            "flagged": flagged,
            "present": present,
            "base_q": base_q,
            "day": day,
            **minutes_context(request=request, team=team, kind="morning", day=day),
        },
    )


@login_required
@require_POST
def exemption_add(request: HttpRequest) -> HttpResponse:
    """The supervisor records leave or a trip for a team member (from the inbox)."""
    scope = _scope(request)
    form = ExemptionForm(request.POST)
    target = safe_next(request, reverse("journals:inbox"))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(target)
    user_id = form.cleaned_data["user"]
    user = get_visible_or_404(visible_users(scope), scope, pk=user_id)
    try:
        services.exemption_add(
            user=user,
            by=request.user,  # type: ignore[arg-type]
            kind=form.cleaned_data["kind"],
            start=form.cleaned_data["start"],
            end=form.cleaned_data["end"],
            note=form.cleaned_data.get("note") or "",
        )
        messages.success(
            request,
            _("Recorded: no journal is due from %(name)s on those days.") % {"name": user.name},
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(target)
