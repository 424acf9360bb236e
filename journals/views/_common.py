"""Helpers shared by the journal views: the viewer's scope, form errors from services,
day and month parameters."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from accounts.forms import add_service_errors
from accounts.scoping import Scope

from ..forms import (
    EARLIEST_DAY,
    LATEST_DAY,
)


def _scope(request: HttpRequest) -> Scope:
    return request.scope  # type: ignore[attr-defined]


def _parse_day(request: HttpRequest, raw: str | None, default: dt.date) -> dt.date:
    """The day in ``raw`` (YYYY-MM-DD); ``default`` when empty. An unreadable or
    impossible date, or one outside EARLIEST_DAY..LATEST_DAY, gives ``default`` and a
    warning message (never a 500)."""
    if not raw:
        return default
    try:
        day = parse_date(raw.strip())
    except ValueError:
        day = None
    if day is None or not EARLIEST_DAY <= day <= LATEST_DAY:
        messages.warning(
            request, _("The date %(value)s is not valid; showing today.") % {"value": raw[:20]}
        )
        return default
    return day


def _parse_month(request: HttpRequest, raw: str | None, default: dt.date) -> dt.date:
    """The first day of the month in ``raw`` (YYYY-MM); ``default``'s month when empty,
    unreadable or outside EARLIEST_DAY..LATEST_DAY (with a warning message)."""
    if not raw:
        return default.replace(day=1)
    try:
        year, month = (int(x) for x in raw.strip().split("-"))
        first = dt.date(year, month, 1)
    except ValueError:
        first = None
    if first is None or not EARLIEST_DAY <= first <= LATEST_DAY:
        messages.warning(
            request,
            _("The month %(value)s is not valid; showing this month.") % {"value": raw[:20]},
        )
        return default.replace(day=1)
    return first


# --- the editor (Today) -------------------------------------------------------------------


def _form_errors_from(form: object, exc: ValidationError) -> None:
    """A service's ValidationError on a journal form (the service's ``occurred_at`` is the
    form's ``time``: the form asks for the time of the journal's day)."""
    add_service_errors(form, exc, aliases={"occurred_at": "time"})
