"""Response hardening that applies to every page (docs/architecture.md, "Security")."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.cache import patch_cache_control
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
