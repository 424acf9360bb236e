"""URL patterns of the import pages. No ``app_name`` here: customers/urls.py appends
these to its own ``urlpatterns`` under ``imports/``, in the "customers" namespace, so the
names are ``customers:import_list`` and so on."""

from django.urls import path

from . import views_import

urlpatterns = [
    path("imports/", views_import.import_list, name="import_list"),
    path("imports/new/", views_import.import_new, name="import_new"),
    path("imports/<int:pk>/preview/", views_import.import_preview_view, name="import_preview"),
    path("imports/<int:pk>/confirm/", views_import.import_confirm, name="import_confirm"),
    path("imports/<int:pk>/retry/", views_import.import_retry, name="import_retry"),
    path("imports/<int:pk>/", views_import.import_detail, name="import_detail"),
    path("imports/<int:pk>/errors.xlsx", views_import.import_errors, name="import_errors"),
    path(
        "imports/billing-months/close/",
        views_import.billing_month_close_view,
        name="billing_month_close",
    ),
]
