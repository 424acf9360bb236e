"""Root URLs. Each app mounts its own ``urls.py`` under a namespace of the same name."""

from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts.views import home

from .views import healthz, readyz

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("journals/", include("journals.urls")),
    path("customers/", include("customers.urls")),
    path("coaching/", include("coaching.urls")),
    path("kpi/", include("kpi.urls")),
    path("weekly/", include("weekly.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    # The split view serves Swagger UI's start-up code as a script file: no inline script,
    # so the Content-Security-Policy holds on this page too.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api_schema"), name="api_docs"),
]

# A database outage answers 503 (Retry-After) rather than 500 (salesops.views.server_error).
handler500 = "salesops.views.server_error"

# Uploaded files are never served from MEDIA_URL, not even with DEBUG: each kind has a
# view that checks the viewer's scope first (journals:visit_photo, customers:import_errors).
