"""Response hardening that applies to every page (docs/architecture.md, "Security")."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control


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
