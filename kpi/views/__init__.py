"""KPI pages: role-aware dashboards for a rep, a team and a branch with
drill-down to the customers behind a count, the recompute button, targets (目标管理) and
the monthly business analysis (月度经营分析与计划).

Views are thin: resolve the scope the URL names (404 when the viewer may not see it,
accounts.scoping), read snapshots through kpi.selectors (a fixed number of queries
whatever the team size), render. Values None are shown as "-" (``kpi_value`` filter);
chart JSON goes through ``json_script`` with None instead of NaN.

One module per page family: scopes (scope and period parameters), dashboard_data and
dashboards, drill, runs, exports, targets, analysis. Names are re-exported here.
"""

from kpi.views.analysis import (
    analysis_comment,
    analysis_detail,
    analysis_edit,
    analysis_list,
    analysis_review,
    analysis_start,
    analysis_submit,
)
from kpi.views.dashboard_data import (
    COMPOSITE_GROUPS,
    DRILL_METRICS,
    RANK_METRICS,
    RANK_METRICS_WEEK,
    TILE_METRICS_MONTH,
    TILE_METRICS_WEEK,
    TREND_METRICS,
    TREND_METRICS_WEEK,
    dashboard_data,
    ranking,
    values_get,
)
from kpi.views.dashboards import (
    branch_dashboard,
    dashboard,
    rep_dashboard,
    team_dashboard,
)
from kpi.views.drill import (
    drill_customer_ids,
    drilldown,
)
from kpi.views.exports import (
    dashboard_export,
)
from kpi.views.runs import (
    recompute,
    run_status,
)
from kpi.views.scopes import (
    DashScope,
    parse_period_params,
    period_label,
    resolve_branch,
    resolve_rep,
    resolve_scope_key,
    resolve_team,
    trailing,
    year_ago,
)
from kpi.views.targets import (
    target_ack,
    target_edit,
    target_export,
    target_import,
    target_list,
)

__all__ = [
    "COMPOSITE_GROUPS",
    "DRILL_METRICS",
    "DashScope",
    "RANK_METRICS",
    "RANK_METRICS_WEEK",
    "TILE_METRICS_MONTH",
    "TILE_METRICS_WEEK",
    "TREND_METRICS",
    "TREND_METRICS_WEEK",
    "analysis_comment",
    "analysis_detail",
    "analysis_edit",
    "analysis_list",
    "analysis_review",
    "analysis_start",
    "analysis_submit",
    "branch_dashboard",
    "dashboard",
    "dashboard_data",
    "dashboard_export",
    "drill_customer_ids",
    "drilldown",
    "parse_period_params",
    "period_label",
    "ranking",
    "recompute",
    "rep_dashboard",
    "resolve_branch",
    "resolve_rep",
    "resolve_scope_key",
    "resolve_team",
    "run_status",
    "target_ack",
    "target_edit",
    "target_export",
    "target_import",
    "target_list",
    "team_dashboard",
    "trailing",
    "values_get",
    "year_ago",
]
