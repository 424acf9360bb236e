"""Weekly report URLs (namespace ``weekly``); names follow ``<thing>_<action>``."""

from django.urls import path

from . import views

app_name = "weekly"

urlpatterns = [
    path("", views.report_list, name="report_list"),
    path("current/", views.report_current, name="report_current"),
    path("meeting/", views.meeting, name="meeting"),
    path("<int:pk>/", views.report_detail, name="report_detail"),
    path("<int:pk>/edit/", views.report_edit, name="report_edit"),
    path("<int:pk>/submit/", views.report_submit, name="report_submit"),
    path("<int:pk>/amend/", views.report_amend, name="report_amend"),
    path("<int:pk>/review/", views.report_review, name="report_review"),
    path("<int:pk>/comments/", views.report_comment, name="report_comment"),
    path("<int:pk>/export/", views.report_export, name="report_export"),
    path("<int:pk>/key-customers/", views.key_customer_add, name="key_customer_add"),
    path("key-customers/<int:pk>/remove/", views.key_customer_remove, name="key_customer_remove"),
    path("team/<slug:code>/<str:week>/", views.team_report, name="team_report"),
    path(
        "team/<slug:code>/<str:week>/export/",
        views.team_report_export,
        name="team_report_export",
    ),
    path("team-reports/<int:pk>/reopen/", views.team_report_reopen, name="team_report_reopen"),
    path("team-reports/<int:pk>/review/", views.team_report_review, name="team_report_review"),
    path("team-reports/<int:pk>/comments/", views.team_report_comment, name="team_report_comment"),
    path(
        "team-reports/<int:pk>/key-customers/",
        views.team_key_customer_add,
        name="team_key_customer_add",
    ),
    path(
        "team-key-customers/<int:pk>/remove/",
        views.team_key_customer_remove,
        name="team_key_customer_remove",
    ),
    path("team-reports/<int:pk>/coachees/", views.key_coachee_add, name="key_coachee_add"),
    path("coachees/<int:pk>/edit/", views.key_coachee_edit, name="key_coachee_edit"),
    path("coachees/<int:pk>/remove/", views.key_coachee_remove, name="key_coachee_remove"),
]
