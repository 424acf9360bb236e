"""Response hardening that applies to every page (docs/architecture.md, "Security")."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext as _


class PrivateCacheMiddleware:
    """``Cache-Control: no-store, private`` on every logged-in page and every download.

    A shared cache (a proxy, a CDN) or the browser's back button must never show one
    user's customers, journals or exports to someone else after logout. Anonymous pages
    (the login form, static files served by WhiteNoise before this runs) are left alone.
    A ``Server`` header set by anything below is removed: the banner tells an attacker
    which software to aim at.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        is_download = "attachment" in response.get("Content-Disposition", "")
        if (user is not None and user.is_authenticated) or is_download:
            cache_control = response.get("Cache-Control", "")
            if "public" in cache_control:
                del response["Cache-Control"]
            patch_cache_control(response, no_store=True, private=True)
        if response.has_header("Server"):
            del response["Server"]
        return response


class RejectNulMiddleware:
    """Answer 400 to a request whose query string or form carries a NUL character.

    No browser sends one; PostgreSQL refuses NUL in text, so such a value would otherwise
    reach a search or filter and end in a 500. Form fields refuse NUL too, but many
    parameters are read directly; rejecting them here covers every view at once. Under
    ``/api/`` the answer is the API's JSON error body.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        data = [request.GET]
        if request.method == "POST":
            data.append(request.POST)
        for params in data:
            for key, values in params.lists():
                if "\x00" in key or any("\x00" in v for v in values if isinstance(v, str)):
                    message = _("The request contains a character that is not allowed.")
                    if request.path.startswith("/api/"):
                        # The API's documented 400 body: messages under non_field_errors.
                        return JsonResponse({"non_field_errors": [message]}, status=400)
                    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


#: The ``detail`` of an API error answered outside an API view, by status code.
_API_ERROR_DETAILS: dict[int, str] = {
    400: gettext_noop("Bad request."),
    401: gettext_noop("Authentication credentials were not provided."),
    403: gettext_noop("You do not have permission to perform this action."),
    404: gettext_noop("Not found."),
    405: gettext_noop('Method "%(method)s" not allowed.'),
    503: gettext_noop("SalesOps is briefly unavailable. Please try again in a minute."),
}

_SERVER_ERROR = gettext_noop("A server error occurred.")


class ApiErrorJsonMiddleware:
    """Every error under ``/api/`` answers the API's JSON body ``{"detail": message}``.

    API views (DRF) already do; this covers what answers before or outside them: a URL
    nothing matches (also with ``DEBUG`` on, where Django shows its HTML 404 page instead
    of ``handler404``), a plain view's 405, and a 500 or 503 from ``handler500``. The status
    and headers such as ``Allow`` and ``Retry-After`` are kept; ``message`` is in the
    request's language (placed after ``LocaleMiddleware``). A JSON response is left as it is.
    README, "REST API": errors are JSON under ``/api/``.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code < 400
            or not request.path.startswith("/api/")
            or response.get("Content-Type", "").startswith("application/json")
        ):
            return response
        status = response.status_code
        fallback = _API_ERROR_DETAILS[400] if status < 500 else _SERVER_ERROR
        detail = gettext(_API_ERROR_DETAILS.get(status, fallback))
        if status == 405:
            detail = detail % {"method": request.method}
        replaced = JsonResponse({"detail": detail}, status=status)
        for header in ("Allow", "Retry-After", "WWW-Authenticate", "Vary"):
            if response.has_header(header):
                replaced[header] = response[header]
        return replaced
