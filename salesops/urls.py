"""Root URLs. Each app mounts its own ``urls.py`` under a namespace of the same name."""

from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.templatetags.static import static
from django.urls import URLPattern, URLResolver, include, path
from django.views.generic import RedirectView
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import APIRootView

from accounts.api.urls import urlpatterns as accounts_api
from accounts.views import home, set_language
from coaching.api import urlpatterns as coaching_api
from customers.api import urlpatterns as customers_api
from journals.api import urlpatterns as journals_api
from kpi.api import urlpatterns as kpi_api
from weekly.api import urlpatterns as weekly_api

from .search.views import search, search_suggest
from .views import healthz, readyz

# Errors raised outside a view (no URL matches, too many form fields, ...): JSON under
# /api/, the usual page elsewhere.
handler404 = "salesops.views.not_found"
handler400 = "accounts.api.common.bad_request"
handler403 = "accounts.api.common.permission_denied"

api_urls = [
    *accounts_api,
    *customers_api,
    *journals_api,
    *kpi_api,
    *weekly_api,
    *coaching_api,
]


class FaviconRedirect(RedirectView):
    """``/favicon.ico`` -> the icon's static URL (hashed in production), looked up per
    request: at import time the static manifest may not exist yet (``check --deploy``)."""

    permanent = True

    def get_redirect_url(self, *args: object, **kwargs: object) -> str:
        """The static URL of ``favicon.svg``."""
        return static("favicon.svg")


def _api_root_dict(patterns: list[URLPattern | URLResolver]) -> dict[str, str]:
    """The API root's links: ``{prefix: url name}`` for every collection and plain endpoint.

    Shapes: ``patterns`` are the API's URL patterns (router or plain ``path``); a pattern is
    listed when it is a router's ``*-list`` route or a plain ``path`` without parameters
    (``me/``, ``kpi/figures/``); a router's extra actions (``^targets/acknowledge/$``) are
    not. The prefix is the route without its regex marks.
    """
    links: dict[str, str] = {}
    for pattern in patterns:
        name = getattr(pattern, "name", None)
        raw = str(pattern.pattern)
        route = raw.strip("^$").rstrip("/")
        if not name or "(" in route or "<" in route:
            continue
        if name.endswith("-list") or not raw.startswith("^"):
            links.setdefault(route, name)
    return links


urlpatterns = [
    path("", home, name="home"),
    # Browsers ask for /favicon.ico whatever the page's <link rel="icon"> says.
    path("favicon.ico", FaviconRedirect.as_view(), name="favicon"),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    # The global search (salesops/search/): the menu's box, its suggestions, the results.
    path("search/", search, name="search"),
    path("search/suggest/", search_suggest, name="search_suggest"),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("journals/", include("journals.urls")),
    path("customers/", include("customers.urls")),
    path("projects/", include("customers.projects.urls")),
    path("coaching/", include("coaching.urls")),
    path("kpi/", include("kpi.urls")),
    path("weekly/", include("weekly.urls")),
    # The REST API: one module (or package) per app, each with its router.
    path("api/", RedirectView.as_view(pattern_name="api:api-root"), name="api_index"),
    path(
        "api/v1/",
        include(
            (
                [
                    path(
                        "",
                        APIRootView.as_view(api_root_dict=_api_root_dict(api_urls)),
                        name="api-root",
                    ),
                    *api_urls,
                ],
                "api",
            )
        ),
    ),
    # OpenAPI 3 for signed-in callers (session or token), docs for signed-in browsers.
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    # The split view serves Swagger UI's start-up code as a script file (no inline script,
    # so a Content-Security-Policy without inline code holds on this page too).
    path(
        "api/docs/",
        login_required(SpectacularSwaggerSplitView.as_view(url_name="api_schema")),
        name="api_docs",
    ),
]

# A database outage answers 503 (Retry-After) rather than 500 (salesops.views.server_error).
handler500 = "salesops.views.server_error"

# Uploaded files are never served from MEDIA_URL, not even with DEBUG: each kind has a
# view that checks the viewer's scope first (journals:visit_photo, customers:import_errors).
