"""Meeting minutes pages shared by the morning meeting (晨会) and the weekly meeting (周例会):
the minutes autosave, decisions and action items, ticking action items off, the print view
and the workbook (docs/domain, sections 3 and 4).

Every request names the meeting by ``kind`` (``morning``/``weekly``), ``team`` and ``day``
(the weekly meeting's day is the Monday of its ISO week). The team is resolved through
``pick_team``, so a team outside the viewer's scope answers 404 and a viewer who leads no
team 403.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.http import id_param
from accounts.models import OrgUnit, TeamChannel, User
from accounts.scoping import get_visible_or_404, local_today

from .. import selectors, services
from ..meeting_files import minutes_workbook
from ..models import ActionItem, MeetingMinutes
from ._common import _scope


def _meeting_of(request: HttpRequest, data: QueryDict) -> tuple[OrgUnit, str, dt.date]:
    """The team, kind and day a request names (defaults: the viewer's first team, the
    morning meeting, today). A weekly day is moved to its Monday; an unreadable day or kind
    falls back to the default rather than failing."""
    team = selectors.pick_team(_scope(request), data.get("team"))[0]
    kind = data.get("kind") or MeetingMinutes.Kind.MORNING
    if kind not in MeetingMinutes.Kind.values:
        kind = MeetingMinutes.Kind.MORNING
    try:
        day = parse_date((data.get("day") or "").strip()) or local_today()
    except ValueError:
        day = local_today()
    if kind == MeetingMinutes.Kind.WEEKLY:
        day -= dt.timedelta(days=day.weekday())
    return team, kind, day


def minutes_context(*, request: HttpRequest, team: OrgUnit, kind: str, day: dt.date) -> dict:
    """What ``journals/_minutes_panel.html`` needs: the minutes, the owners to choose
    from and whether the viewer may write. Used by both meeting pages."""
    scope = _scope(request)
    mv = selectors.minutes_view(team=team, kind=kind, day=day)
    owners = services.meeting_owner_choices(team=team, day=day)
    return {
        "mv": mv,
        "owners": owners,
        "attendance": services.meeting_attendance(
            team=team, day=day, minutes=mv.minutes, members=owners
        ),
        "can_run": scope.can_lead_team(team.pk),
        "meeting_q": urlencode({"kind": kind, "team": str(team.pk), "day": day.isoformat()}),
        "today": local_today(),
    }


def _items_panel(request: HttpRequest, team: OrgUnit, kind: str, day: dt.date, **extra):
    context = minutes_context(request=request, team=team, kind=kind, day=day)
    context.update(extra)
    return render(request, "journals/_meeting_items.html", context)


def _back(kind: str, team: OrgUnit, day: dt.date) -> str:
    if kind == MeetingMinutes.Kind.WEEKLY:
        iso = day.isocalendar()
        return (
            reverse("weekly:meeting")
            + "?"
            + urlencode({"team": str(team.pk), "week": f"{iso.year}-W{iso.week:02d}"})
        )
    return (
        reverse("journals:morning_meeting")
        + "?"
        + urlencode({"team": str(team.pk), "day": day.isoformat()})
    )


@login_required
@require_GET
def minutes_detail(request: HttpRequest) -> HttpResponse:
    """The minutes of one meeting as a page to print: notes, decisions, action items raised
    and carried over with their state."""
    team, kind, day = _meeting_of(request, request.GET)
    context = minutes_context(request=request, team=team, kind=kind, day=day)
    context.update({"team": team, "kind": kind, "day": day, "back": _back(kind, team, day)})
    context["kind_label"] = MeetingMinutes.Kind(kind).label
    context["can_post"] = _scope(request).can_manage_team(team.pk)
    return render(request, "journals/minutes.html", context)


@login_required
@require_POST
def minutes_post(request: HttpRequest) -> HttpResponse:
    """Post the meeting's summary (attendance, decisions, action items with owners and
    due dates) to the team's group robots (``services.minutes_post``), then back to the
    minutes page with what happened. 403 for a viewer who does not supervise the team."""
    team, kind, day = _meeting_of(request, request.POST)
    sent = services.minutes_post(
        scope=_scope(request),
        team=team,
        kind=kind,
        day=day,
        by=request.user,  # type: ignore[arg-type]
    )
    if sent:
        messages.success(
            request,
            _("Summary sent to %(n)d group robot(s); failures show on the Group robots page.")
            % {"n": sent},
        )
    elif TeamChannel.objects.filter(team=team, is_active=True, post_meetings=True).exists():
        messages.info(request, _("This summary was sent already; nothing changed since."))
    else:
        messages.warning(
            request,
            _(
                "No group robot of this team takes meeting summaries: set one on the Group robots page."  # noqa: E501
            ),
        )
    query = urlencode({"kind": kind, "team": str(team.pk), "day": day.isoformat()})
    return redirect(reverse("journals:minutes_detail") + "?" + query)


@login_required
@require_GET
def minutes_export(request: HttpRequest) -> HttpResponse:
    """The minutes of one meeting as .xlsx (through the safe cell writer)."""
    team, kind, day = _meeting_of(request, request.GET)
    view = selectors.minutes_view(team=team, kind=kind, day=day)
    response = HttpResponse(
        minutes_workbook(view),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"minutes-{team.code}-{kind}-{day.isoformat()}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_POST
def minutes_save(request: HttpRequest) -> HttpResponse:
    """Autosave of the minutes text (htmx): answers the status line; without htmx,
    back to the meeting."""
    team, kind, day = _meeting_of(request, request.POST)
    error = ""
    try:
        services.minutes_save_notes(
            scope=_scope(request),
            team=team,
            kind=kind,
            day=day,
            notes=request.POST.get("notes", ""),
            by=request.user,  # type: ignore[arg-type]
        )
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if not request.headers.get("HX-Request"):
        return redirect(_back(kind, team, day))
    return render(
        request,
        "journals/_autosave_status.html",
        {"error": error, "saved_at": timezone.localtime()},
        status=200,
    )


@login_required
@require_POST
def meeting_item_add(request: HttpRequest) -> HttpResponse:
    """Record a decision or an action item (htmx: answers the items panel, with field
    errors when the input is refused)."""
    team, kind, day = _meeting_of(request, request.POST)
    owner_id = id_param(request.POST.get("owner"))
    owner = User.objects.filter(pk=owner_id).first() if owner_id else None
    raw_due = (request.POST.get("due") or "").strip()
    try:
        due = parse_date(raw_due) if raw_due else None
    except ValueError:
        due = None
    errors: dict[str, list[str]] = {}
    if raw_due and due is None:
        errors["due"] = [_("Enter a date as YYYY-MM-DD.")]
    if not errors:
        try:
            services.action_item_add(
                scope=_scope(request),
                team=team,
                kind=kind,
                day=day,
                item_kind=request.POST.get("item_kind") or ActionItem.Kind.ACTION,
                text=request.POST.get("text", ""),
                owner=owner,
                due=due,
                by=request.user,  # type: ignore[arg-type]
            )
        except ValidationError as exc:
            errors = exc.message_dict
    if not request.headers.get("HX-Request"):
        return redirect(_back(kind, team, day))
    return _items_panel(request, team, kind, day, errors=errors, posted=request.POST)


@login_required
@require_POST
def meeting_item_done(request: HttpRequest) -> HttpResponse:
    """Tick an action item off at this meeting (``done=1``) or open it again (``done=0``).
    An item of a team outside the viewer's scope answers 404."""
    team, kind, day = _meeting_of(request, request.POST)
    # Items of the meeting's team only, which pick_team found among the visible teams.
    items = ActionItem.objects.select_related("team").filter(team=team)
    item = get_visible_or_404(items, _scope(request), pk=id_param(request.POST.get("item")))
    try:
        services.action_item_set_done(
            scope=_scope(request),
            item=item,
            done=request.POST.get("done") == "1",
            kind=kind,
            day=day,
            by=request.user,  # type: ignore[arg-type]
        )
    except ValidationError as exc:
        return HttpResponseBadRequest(" ".join(exc.messages))
    if not request.headers.get("HX-Request"):
        return redirect(_back(kind, team, day))
    return _items_panel(request, team, kind, day)


@login_required
@require_POST
def meeting_attendance_set(request: HttpRequest) -> HttpResponse:
    """Mark a member absent (``absent=1``) or present (``absent=0``) at the meeting
    (htmx: answers the attendance panel; a refusal is shown in it). A team outside the
    viewer's scope answers 404, a viewer who does not lead it 403."""
    team, kind, day = _meeting_of(request, request.POST)
    user_id = id_param(request.POST.get("user"))
    user = User.objects.filter(pk=user_id).first() if user_id else None
    error = ""
    try:
        if user is None:
            raise ValidationError({"user": _("Choose a member of the team.")})
        services.meeting_mark_absent(
            scope=_scope(request),
            team=team,
            kind=kind,
            day=day,
            user=user,
            absent=request.POST.get("absent") == "1",
        )
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if not request.headers.get("HX-Request"):
        if error:
            messages.error(request, error)
        return redirect(_back(kind, team, day))
    context = minutes_context(request=request, team=team, kind=kind, day=day)
    context["attendance_error"] = error
    return render(request, "journals/_meeting_attendance.html", context)
