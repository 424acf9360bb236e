"""Attach the viewer's :class:`accounts.scoping.Scope` to every request as ``request.scope``."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.functional import SimpleLazyObject

from .calendar import calendar_cache
from .models import User
from .scoping import Scope, scope_for


class ScopedRequest(HttpRequest):
    """The request of a signed-in user, as the views behind ``login_required`` see it:
    ``user`` is a :class:`accounts.models.User` and ``scope`` the viewer's
    :class:`accounts.scoping.Scope` (set by :class:`ScopeMiddleware`). A type only: annotate
    such views' ``request`` with it instead of ignoring the attribute types."""

    user: User
    scope: Scope


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


class UserLanguageMiddleware:
    """Pages of a signed-in user are in the user's saved language (``User.language``), on
    every device; without one, LocaleMiddleware's choice (the switcher's cookie, else the
    browser's Accept-Language) stands. Runs after AuthenticationMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        language = getattr(user, "language", "") if user is not None else ""
        if language and language in dict(settings.LANGUAGES):
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)
