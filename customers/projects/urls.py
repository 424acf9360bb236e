"""URLs of the big-account project pages (namespace ``projects``, under ``/projects/``)."""

from django.urls import path

from . import views, views_parts

app_name = "projects"

urlpatterns = [
    path("", views.project_list, name="project_list"),
    path("board/", views.project_board, name="project_board"),
    path("new/", views.project_create, name="project_create"),
    path("<int:pk>/", views.project_detail, name="project_detail"),
    path("<int:pk>/status/", views.project_status, name="project_status"),
    path("<int:pk>/points/<int:position>/", views_parts.point_update, name="point_update"),
    path("<int:pk>/chain/", views_parts.chain_add, name="chain_add"),
    path("<int:pk>/chain/<int:member>/remove/", views_parts.chain_remove, name="chain_remove"),
    path("<int:pk>/documents/", views_parts.document_upload, name="document_upload"),
    path("<int:pk>/competitors/", views_parts.competitor_add, name="competitor_add"),
    path("<int:pk>/support/", views_parts.support_ask, name="support_ask"),
    path("documents/<int:pk>/", views_parts.document_download, name="document_download"),
    path("support/<int:pk>/answer/", views_parts.support_answer, name="support_answer"),
]
