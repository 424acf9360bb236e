"""KPI URLs: dashboards, drill-down, recompute, targets, monthly analysis."""

from django.urls import path

from .views import analysis, dashboards, drill, exports, forecast, runs, targets

app_name = "kpi"

urlpatterns = [
    path("", dashboards.dashboard, name="dashboard"),
    path("team/<slug:code>/", dashboards.team_dashboard, name="team_dashboard"),
    path("rep/<str:username>/", dashboards.rep_dashboard, name="rep_dashboard"),
    path("branch/<slug:code>/", dashboards.branch_dashboard, name="branch_dashboard"),
    path("drilldown/", drill.drilldown, name="drilldown"),
    path("forecast/", forecast.forecast, name="forecast"),
    path("export/", exports.dashboard_export, name="dashboard_export"),
    path("recompute/", runs.recompute, name="recompute"),
    path("runs/<int:pk>/", runs.run_status, name="run_status"),
    path("targets/", targets.target_list, name="target_list"),
    path("targets/ack/", targets.target_ack, name="target_ack"),
    path("targets/export/", targets.target_export, name="target_export"),
    path("targets/import/", targets.target_import, name="target_import"),
    path("targets/<slug:code>/<str:month>/", targets.target_edit, name="target_edit"),
    path("analyses/", analysis.analysis_list, name="analysis_list"),
    path("analyses/start/", analysis.analysis_start, name="analysis_start"),
    path("analyses/<int:pk>/", analysis.analysis_detail, name="analysis_detail"),
    path("analyses/<int:pk>/edit/", analysis.analysis_edit, name="analysis_edit"),
    path("analyses/<int:pk>/submit/", analysis.analysis_submit, name="analysis_submit"),
    path("analyses/<int:pk>/comment/", analysis.analysis_comment, name="analysis_comment"),
    path("analyses/<int:pk>/review/", analysis.analysis_review, name="analysis_review"),
    path(
        "analyses/comments/<int:pk>/edit/",
        analysis.analysis_comment_edit,
        name="analysis_comment_edit",
    ),
    path(
        "analyses/comments/<int:pk>/delete/",
        analysis.analysis_comment_delete,
        name="analysis_comment_delete",
    ),
]
