"""Attach the viewer's :class:`accounts.scoping.Scope` to every request as ``request.scope``."""

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY
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


SESSION_REFRESHED = "_refreshed"


def mark_session_refreshed(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    """``user_logged_in`` receiver: a login saves the session anyway, so it counts as the
    session's last write for :class:`SessionRefreshMiddleware`."""
    session = getattr(request, "session", None)
    if session is not None:
        session[SESSION_REFRESHED] = int(time.time())


class SessionRefreshMiddleware:
    """Idle expiry of signed-in sessions (``SESSION_COOKIE_AGE``, 8 hours) that moves
    forward without a database write on every request.

    Django's ``SESSION_SAVE_EVERY_REQUEST`` writes the session row (BEGIN, UPDATE, COMMIT)
    on every request, a third of the queries of a trivial page. This marks the session
    modified only when its last write is ``SESSION_REFRESH_SECONDS`` (300) or more ago,
    so SessionMiddleware (listed before this one) saves it and re-sends the cookie then;
    a session therefore ends between 8 hours minus 5 minutes and 8 hours after the last
    request. The time of the last write is kept in the session under ``_refreshed``
    (Unix seconds), and set at login (:func:`mark_session_refreshed`), so the requests
    right after a login write nothing either. Only a signed-in user's session is
    refreshed; any other is saved as Django does, when it changes.
    """

    KEY = SESSION_REFRESHED

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.interval = getattr(settings, "SESSION_REFRESH_SECONDS", 300)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.is_empty() or SESSION_KEY not in session:
            return response
        now = int(time.time())
        if session.modified or now - int(session.get(self.KEY, 0)) >= self.interval:
            session[self.KEY] = now
        return response
