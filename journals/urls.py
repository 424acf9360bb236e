"""Journal URLs (namespace ``journals``); names follow ``<thing>_<action>``."""

from django.urls import path

from . import views

app_name = "journals"

urlpatterns = [
    path("today/", views.today, name="today"),
    # The editor's writes keyed by the rep's local day: the first one creates the journal
    # (opening Today writes nothing).
    path("day/<str:day>/autosave/", views.day_autosave, name="day_autosave"),
    path("day/<str:day>/plan/", views.day_plan_add, name="day_plan"),
    path("day/<str:day>/visits/", views.day_visit_add, name="day_visit"),
    path("day/<str:day>/submit/", views.day_submit, name="day_submit"),
    path("", views.journal_list, name="journal_list"),
    path("new/", views.journal_create, name="journal_create"),
    path("calendar/", views.calendar, name="calendar"),
    path("export/", views.export_month, name="export_month"),
    path("inbox/", views.inbox, name="inbox"),
    path("stats/", views.submission_stats, name="submission_stats"),
    path("morning-meeting/", views.morning_meeting, name="morning_meeting"),
    path("chase/", views.journal_chase, name="journal_chase"),
    path("follow-ups/", views.follow_ups, name="follow_ups"),
    path("calendar/feed/", views.calendar_feed_manage, name="calendar_feed_manage"),
    path("feed/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("meetings/minutes/", views.minutes_detail, name="minutes_detail"),
    path("meetings/minutes/save/", views.minutes_save, name="minutes_save"),
    path("meetings/minutes/export/", views.minutes_export, name="minutes_export"),
    path("meetings/minutes/post/", views.minutes_post, name="minutes_post"),
    path("meetings/items/", views.meeting_item_add, name="meeting_item_add"),
    path("meetings/items/done/", views.meeting_item_done, name="meeting_item_done"),
    path("meetings/attendance/", views.meeting_attendance_set, name="meeting_attendance"),
    path("exemptions/new/", views.exemption_add, name="exemption_add"),
    path("customers/search/", views.customer_search, name="customer_search"),
    path("customers/new/", views.customer_create, name="customer_create"),
    path("customers/<int:pk>/contact/", views.contact_add, name="contact_add"),
    path("history-import/", views.history_import_page, name="history_import"),
    path("history-import/confirm/", views.history_import_confirm, name="history_import_confirm"),
    path("<int:pk>/", views.journal_detail, name="journal_detail"),
    path("<int:pk>/edit/", views.journal_edit, name="journal_edit"),
    path("<int:pk>/work/", views.journal_work, name="journal_work"),
    path("<int:pk>/autosave/", views.journal_autosave, name="journal_autosave"),
    path("<int:pk>/plan/", views.plan_item_add, name="plan_item_add"),
    path("<int:pk>/visits/", views.visit_add, name="visit_add"),
    path("<int:pk>/submit/", views.journal_submit, name="journal_submit"),
    path("<int:pk>/amend/", views.journal_amend, name="journal_amend"),
    path("<int:pk>/evaluate/", views.journal_evaluate, name="journal_evaluate"),
    path("<int:pk>/review/", views.journal_review, name="journal_review"),
    path("<int:pk>/comments/", views.comment_add, name="comment_add"),
    path("<int:pk>/mentions/", views.mention_candidates, name="mention_candidates"),
    path("comments/<int:pk>/edit/", views.comment_edit, name="comment_edit"),
    path("comments/<int:pk>/delete/", views.comment_delete, name="comment_delete"),
    path("plan/<int:pk>/remove/", views.plan_item_remove, name="plan_item_remove"),
    path("plan/<int:pk>/visit/", views.visit_from_plan, name="visit_from_plan"),
    path("visits/<int:pk>/edit/", views.visit_edit, name="visit_edit"),
    path("visits/<int:pk>/delete/", views.visit_delete, name="visit_delete"),
    path("visits/<int:pk>/checkin/", views.visit_checkin, name="visit_checkin"),
    path("visits/<int:pk>/case/", views.visit_case, name="visit_case"),
    path("visits/<int:pk>/photo/", views.visit_photo, name="visit_photo"),
]
