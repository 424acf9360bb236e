"""The work calendar pages (admins only): the year view, one day's entry, xlsx export and import.

The rule and the reads are in ``accounts/calendar.py``; the file format in
``accounts/calendar_files.py`` (docs/domain, section 3, "Work days").
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from domain.periods import MAX_YEAR, MIN_YEAR
from domain.workdays import package_covers

from . import calendar as cal
from .calendar_files import export_year, read_year, source_label
from .forms import CalendarDayForm, CalendarImportForm
from .models import OrgUnit
from .scoping import Scope, local_today


def _admin_scope(request: HttpRequest) -> Scope:
    scope: Scope = request.scope  # type: ignore[attr-defined]
    if not scope.is_admin:
        raise PermissionDenied
    return scope


def _year(raw: str | None, today: dt.date) -> int:
    try:
        year = int(raw or today.year)
    except ValueError:
        return today.year
    return year if MIN_YEAR <= year <= MAX_YEAR else today.year


def _unit(raw: str | None) -> OrgUnit | None:
    """The branch or team of ``?unit=<code>``; None for the organisation; 404 when unknown.
    Admins see every unit, so no further scope filter applies here."""
    if not raw:
        return None
    unit = OrgUnit.objects.filter(code=raw).exclude(kind=OrgUnit.Kind.COMPANY).first()
    if unit is None:
        raise Http404
    return unit


def _back(year: int, unit: OrgUnit | None, day: dt.date | None = None) -> str:
    params: dict[str, str] = {"year": str(year)}
    if unit is not None:
        params["unit"] = unit.code
    if day is not None:
        params["day"] = day.isoformat()
    return f"{reverse('accounts:calendar')}?{urlencode(params)}"


def _units() -> list[OrgUnit]:
    """Branches, each followed by its teams (for the unit picker)."""
    units = list(
        OrgUnit.objects.filter(is_active=True).exclude(kind=OrgUnit.Kind.COMPANY).order_by("name")
    )
    branches = [u for u in units if u.kind != OrgUnit.Kind.TEAM]
    ordered: list[OrgUnit] = []
    for branch in branches:
        ordered.append(branch)
        ordered.extend(u for u in units if u.kind == OrgUnit.Kind.TEAM and u.parent_id == branch.pk)
    ordered.extend(u for u in units if u not in ordered)
    return ordered


def _render_year(
    request: HttpRequest,
    *,
    year: int,
    unit: OrgUnit | None,
    day: dt.date | None = None,
    day_form: CalendarDayForm | None = None,
    import_errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    months = cal.year_grid(year, unit)
    book = cal.calendar_book()
    calendar = book.for_team(unit)
    entries = sorted(book.unit_entries(unit.pk if unit else None).items())
    selected = None
    if day is not None and day.year == year:
        selected = {
            "day": day,
            "is_workday": calendar.is_workday(day),
            "name": calendar.name_of(day),
            "source": source_label(calendar.source_of(day)),
            "own_entry": day in dict(entries),
        }
        day_form = day_form or CalendarDayForm(
            initial={
                "day": day,
                "is_workday": "1" if calendar.is_workday(day) else "0",
                "name": calendar.name_of(day),
                "unit": unit.code if unit else "",
            }
        )
    context = {
        "year": year,
        "unit": unit,
        "units": _units(),
        "months": months,
        "entries": [
            {"day": d, "is_workday": w, "name": n} for d, (w, n) in entries if d.year == year
        ],
        "package_covers": package_covers(year),
        "covered": book.year_covered(year),
        "selected": selected,
        "selected_iso": day.isoformat() if selected and day else "",
        "day_form": day_form,
        "import_form": CalendarImportForm(
            initial={"year": year, "unit": unit.code if unit else ""}
        ),
        "import_errors": import_errors or [],
        "back": _back(year, unit),
        "years": (year - 1, year + 1),
        "unit_query": f"&unit={unit.code}" if unit else "",
    }
    return render(request, "accounts/calendar_year.html", context, status=status)


@login_required
def calendar_year(request: HttpRequest) -> HttpResponse:
    """The year view: twelve month grids of the organisation's (or a branch's or team's)
    calendar, the unit's entries, and the day picked with ``?day=`` ready to edit.
    403 for non-admins; 404 for an unknown unit; a bad year or day falls back quietly."""
    _admin_scope(request)
    today = local_today()
    year = _year(request.GET.get("year"), today)
    unit = _unit(request.GET.get("unit"))
    day = None
    raw_day = request.GET.get("day") or ""
    try:
        day = dt.date.fromisoformat(raw_day) if raw_day else None
    except ValueError:
        day = None
    return _render_year(request, year=year, unit=unit, day=day)


@login_required
@require_POST
def calendar_day(request: HttpRequest) -> HttpResponse:
    """Save (``action=save``) or remove (``action=clear``) one day's entry, then back to the
    year view at that day. Invalid input shows the form again with its errors (400)."""
    _admin_scope(request)
    form = CalendarDayForm(request.POST)
    unit = _unit(request.POST.get("unit"))
    if not form.is_valid():
        year = _year(request.POST.get("year"), local_today())
        return _render_year(request, year=year, unit=unit, day_form=form, status=400)
    day: dt.date = form.cleaned_data["day"]
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise Http404
    if request.POST.get("action") == "clear":
        cal.calendar_day_clear(by=request.user, day=day, unit=unit)  # type: ignore[arg-type]
        messages.success(request, _("The entry of %(day)s was removed.") % {"day": day})
    else:
        try:
            cal.calendar_day_set(
                by=request.user,  # type: ignore[arg-type]
                day=day,
                is_workday=form.cleaned_data["is_workday"],
                name=form.cleaned_data["name"],
                unit=unit,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
            return _render_year(
                request, year=day.year, unit=unit, day=day, day_form=form, status=400
            )
        messages.success(request, _("%(day)s was saved.") % {"day": day})
    return redirect(_back(day.year, unit, day))


@login_required
def calendar_export(request: HttpRequest) -> HttpResponse:
    """Every day of ``?year=`` for ``?unit=`` as .xlsx (see ``accounts/calendar_files.py``)."""
    _admin_scope(request)
    year = _year(request.GET.get("year"), local_today())
    unit = _unit(request.GET.get("unit"))
    data = export_year(year, cal.work_calendar(unit))
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    suffix = f"-{unit.code}" if unit else ""
    response["Content-Disposition"] = f'attachment; filename="work-calendar-{year}{suffix}.xlsx"'
    return response


@login_required
@require_POST
def calendar_import(request: HttpRequest) -> HttpResponse:
    """Read an .xlsx file of a year's days and apply it to the unit's entries, all or nothing:
    with any wrong row nothing is saved and the year view lists the rows' problems (400)."""
    _admin_scope(request)
    form = CalendarImportForm(request.POST, request.FILES)
    unit = _unit(request.POST.get("unit"))
    year = _year(request.POST.get("year"), local_today())
    if not form.is_valid():
        errors = [str(e) for errs in form.errors.values() for e in errs]
        return _render_year(request, year=year, unit=unit, import_errors=errors, status=400)
    upload = form.cleaned_data["file"]
    if upload.size > settings.IMPORT_MAX_BYTES:
        errors = [_("The file is too large.")]
        return _render_year(request, year=year, unit=unit, import_errors=errors, status=400)
    parsed = read_year(upload.read(), year)
    if parsed.errors:
        return _render_year(request, year=year, unit=unit, import_errors=parsed.errors, status=400)
    stored, removed = cal.calendar_days_import(
        by=request.user,  # type: ignore[arg-type]
        year=year,
        unit=unit,
        days=parsed.days,
    )
    messages.success(
        request,
        _("%(rows)d days read: %(stored)d entries saved, %(removed)d removed.")
        % {"rows": len(parsed.days), "stored": stored, "removed": removed},
    )
    return redirect(_back(year, unit))
