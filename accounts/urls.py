from django.contrib.auth import views as auth_views
from django.urls import path

from . import views, views_audit, views_calendar, views_channels, views_people, views_pool_rules

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("profile/", views.profile, name="profile"),
    path("profile/tokens/", views.token_create, name="token_create"),
    path("profile/tokens/<str:key>/revoke/", views.token_revoke, name="token_revoke"),
    path("password/change/", views.password_change, name="password_change"),
    path("password/change/done/", views.password_change_done, name="password_change_done"),
    path("password/reset/", views.password_reset, name="password_reset"),
    path("password/reset/sent/", views.password_reset_done, name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        views.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path("password/reset/done/", views.password_reset_complete, name="password_reset_complete"),
    path("teams/", views.team_list, name="team_list"),
    path("teams/<slug:code>/", views.team_detail, name="team_detail"),
    path("teams/<slug:code>/channels/", views_channels.team_channels, name="team_channels"),
    path(
        "teams/<slug:code>/channels/test/",
        views_channels.team_channel_test,
        name="team_channel_test",
    ),
    path(
        "teams/<slug:code>/channels/delete/",
        views_channels.team_channel_delete,
        name="team_channel_delete",
    ),
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/read/", views.notification_read, name="notification_read"),
    path("calendar/", views_calendar.calendar_year, name="calendar"),
    path("calendar/day/", views_calendar.calendar_day, name="calendar_day"),
    path("calendar/export/", views_calendar.calendar_export, name="calendar_export"),
    path("calendar/import/", views_calendar.calendar_import, name="calendar_import"),
    path("audit/", views_audit.audit_log, name="audit_log"),
    path("people/", views_people.people_list, name="people_list"),
    path("people/new/", views_people.person_create_view, name="person_create"),
    path("people/import/", views_people.people_import_view, name="people_import"),
    path(
        "people/import/confirm/",
        views_people.people_import_confirm,
        name="people_import_confirm",
    ),
    path(
        "people/import/template/",
        views_people.people_import_template,
        name="people_import_template",
    ),
    path("people/teams/new/", views_people.team_create, name="team_create"),
    path("people/teams/<slug:code>/edit/", views_people.team_edit, name="team_edit"),
    path("people/<int:pk>/", views_people.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", views_people.person_edit, name="person_edit"),
    path("people/<int:pk>/move/", views_people.person_move_view, name="person_move"),
    path("people/<int:pk>/deactivate/", views_people.person_deactivate, name="person_deactivate"),
    path("people/<int:pk>/reset-link/", views_people.person_reset_link, name="person_reset_link"),
    path("pool-rules/", views_pool_rules.pool_rules, name="pool_rules"),
]
