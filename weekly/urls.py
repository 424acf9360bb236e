"""Weekly report URLs (namespace ``weekly``); names follow ``<thing>_<action>``."""

from django.urls import path

from .views import comments, exports, listing, owed, personal, team, weekly_meeting

app_name = "weekly"

urlpatterns = [
    path("", listing.report_list, name="report_list"),
    path("current/", personal.report_current, name="report_current"),
    path("meeting/", weekly_meeting.meeting, name="meeting"),
    path("owed/", owed.owed, name="owed"),
    path("<int:pk>/", listing.report_detail, name="report_detail"),
    path("<int:pk>/edit/", personal.report_edit, name="report_edit"),
    path("<int:pk>/submit/", personal.report_submit, name="report_submit"),
    path("<int:pk>/amend/", personal.report_amend, name="report_amend"),
    path("<int:pk>/review/", listing.report_review, name="report_review"),
    path("<int:pk>/comments/", listing.report_comment, name="report_comment"),
    path("<int:pk>/mentions/", comments.report_mentions, name="report_mentions"),
    path("comments/<int:pk>/edit/", comments.comment_edit, name="comment_edit"),
    path("comments/<int:pk>/delete/", comments.comment_delete, name="comment_delete"),
    path("<int:pk>/export/", exports.report_export, name="report_export"),
    path("<int:pk>/key-customers/", personal.key_customer_add, name="key_customer_add"),
    path(
        "key-customers/<int:pk>/remove/", personal.key_customer_remove, name="key_customer_remove"
    ),
    path("team/<slug:code>/<str:week>/", team.team_report, name="team_report"),
    path("team/<slug:code>/<str:week>/chase/", team.team_chase, name="team_chase"),
    path(
        "team/<slug:code>/<str:week>/export/",
        exports.team_report_export,
        name="team_report_export",
    ),
    path("team-reports/<int:pk>/reopen/", team.team_report_reopen, name="team_report_reopen"),
    path("team-reports/<int:pk>/review/", team.team_report_review, name="team_report_review"),
    path("team-reports/<int:pk>/comments/", team.team_report_comment, name="team_report_comment"),
    path(
        "team-reports/<int:pk>/mentions/",
        comments.team_report_mentions,
        name="team_report_mentions",
    ),
    path("team-comments/<int:pk>/edit/", comments.team_comment_edit, name="team_comment_edit"),
    path(
        "team-comments/<int:pk>/delete/", comments.team_comment_delete, name="team_comment_delete"
    ),
    path(
        "team-reports/<int:pk>/key-customers/",
        team.team_key_customer_add,
        name="team_key_customer_add",
    ),
    path(
        "team-key-customers/<int:pk>/remove/",
        team.team_key_customer_remove,
        name="team_key_customer_remove",
    ),
    path("team-reports/<int:pk>/coachees/", team.key_coachee_add, name="key_coachee_add"),
    path("coachees/<int:pk>/edit/", team.key_coachee_edit, name="key_coachee_edit"),
    path("coachees/<int:pk>/remove/", team.key_coachee_remove, name="key_coachee_remove"),
]
