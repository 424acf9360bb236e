"""Coaching URLs (namespace ``coaching``); names follow ``<thing>_<action>``."""

from django.urls import path

from . import views

app_name = "coaching"

urlpatterns = [
    path("", views.plan_list, name="plan_list"),
    path("plans/new/", views.plan_create, name="plan_create"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/acknowledge/", views.plan_acknowledge, name="plan_acknowledge"),
    path("plans/<int:pk>/status/", views.plan_status, name="plan_status"),
    path("plans/<int:pk>/measures/", views.measure_add, name="measure_add"),
    path("plans/<int:pk>/goals/", views.goal_add, name="goal_add"),
    path("plans/<int:pk>/sessions/", views.session_add, name="session_add"),
    path("findings/<int:pk>/", views.finding_detail, name="finding_detail"),
    path("findings/<int:pk>/dismiss/", views.finding_dismiss, name="finding_dismiss"),
    path("heatmap/", views.heatmap, name="heatmap"),
    path("heatmap/recompute/", views.findings_recompute, name="findings_recompute"),
    path("reps/<int:user_id>/", views.rep_findings, name="rep_findings"),
    path("talks/new/", views.talk_create, name="talk_create"),
    path("recognition/", views.recognition_board, name="recognition_board"),
    path("recognition/give/", views.recognition_give, name="recognition_give"),
]
