"""URLs of the customer file pages (namespace ``customers``). The Excel import pages
live in ``customers/urls_import.py`` and join the same namespace when present."""

from importlib.util import find_spec

from django.urls import path

from . import views, views_bulk

app_name = "customers"

urlpatterns = [
    path("", views.customer_list, name="customer_list"),
    path("new/", views.customer_create, name="customer_create"),
    path("export/", views.customer_export, name="customer_export"),
    path("search/", views.customer_search, name="customer_search"),
    path("pool/", views.pool, name="pool"),
    path("pool/release/", views.pool_release, name="pool_release"),
    path("bulk/", views_bulk.customer_bulk, name="customer_bulk"),
    path("bulk/handover/", views_bulk.customer_handover, name="customer_handover"),
    path("<int:pk>/", views.customer_detail, name="customer_detail"),
    path("<int:pk>/edit/", views.customer_update, name="customer_update"),
    path("<int:pk>/stage/", views.customer_stage, name="customer_stage"),
    path("<int:pk>/reassign/", views.customer_reassign, name="customer_reassign"),
    path("<int:pk>/claim/", views.customer_claim, name="customer_claim"),
    path("<int:pk>/release/", views.customer_release, name="customer_release"),
    path("<int:pk>/contacts/new/", views.contact_create, name="contact_create"),
    path("<int:pk>/products/new/", views.product_create, name="product_create"),
    path("<int:pk>/notes/new/", views.note_create, name="note_create"),
    path("<int:pk>/contracts/new/", views.contract_create, name="contract_create"),
    path("<int:pk>/evaluations/new/", views.evaluation_create, name="evaluation_create"),
]

# The import flow is another module; it brings its own "imports/..." prefixes. Checked
# with find_spec (not try/except ImportError) so a broken import there still fails loudly.
if find_spec("customers.urls_import") is not None:
    from . import urls_import

    urlpatterns += urls_import.urlpatterns
