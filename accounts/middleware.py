"""Attach the viewer's :class:`accounts.scoping.Scope` to every request as ``request.scope``."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

from .calendar import calendar_cache
from .scoping import scope_for


class ScopeMiddleware:
    """Computes the scope lazily, once per request, when a view first reads it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.scope = SimpleLazyObject(lambda: scope_for(request.user))  # type: ignore[attr-defined]
        return self.get_response(request)


class WorkCalendarMiddleware:
    """Memoises the work calendar for the request (``accounts.calendar.calendar_cache``), so
    a page asking about many teams and days reads the calendar entries once."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with calendar_cache():
            return self.get_response(request)
