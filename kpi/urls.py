"""KPI URLs: dashboards, drill-down, recompute, targets, monthly analysis (issue 6)."""

from django.urls import path

from . import views

app_name = "kpi"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("team/<slug:code>/", views.team_dashboard, name="team_dashboard"),
    path("rep/<str:username>/", views.rep_dashboard, name="rep_dashboard"),
    path("branch/<slug:code>/", views.branch_dashboard, name="branch_dashboard"),
    path("drilldown/", views.drilldown, name="drilldown"),
    path("export/", views.dashboard_export, name="dashboard_export"),
    path("recompute/", views.recompute, name="recompute"),
    path("runs/<int:pk>/", views.run_status, name="run_status"),
    path("targets/", views.target_list, name="target_list"),
    path("targets/ack/", views.target_ack, name="target_ack"),
    path("targets/export/", views.target_export, name="target_export"),
    path("targets/import/", views.target_import, name="target_import"),
    path("targets/<slug:code>/<str:month>/", views.target_edit, name="target_edit"),
    path("analyses/", views.analysis_list, name="analysis_list"),
    path("analyses/start/", views.analysis_start, name="analysis_start"),
    path("analyses/<int:pk>/", views.analysis_detail, name="analysis_detail"),
    path("analyses/<int:pk>/edit/", views.analysis_edit, name="analysis_edit"),
    path("analyses/<int:pk>/submit/", views.analysis_submit, name="analysis_submit"),
    path("analyses/<int:pk>/comment/", views.analysis_comment, name="analysis_comment"),
    path("analyses/<int:pk>/review/", views.analysis_review, name="analysis_review"),
]
